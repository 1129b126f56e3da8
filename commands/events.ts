// Entry of events.js: classic Outlook on Windows loads this one self-contained file into its
// JavaScript-only runtime for event-based activation (manifest.xml, Override type="javascript").
import { associateEventHandlers } from './event-handlers.js';

associateEventHandlers(Office);
