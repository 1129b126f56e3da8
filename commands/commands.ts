// Entry of commands/commands.html: the function file (Sync now) and, on web, new Outlook and Mac, the
// runtime of the event handlers too.
import { associateEventHandlers } from './event-handlers.js';
import { syncNow } from './sync-now.js';

void Office.onReady(() => {
  // Outside an Office host (the page opened in a browser) there is nothing to associate with.
  if (!Office.actions) return;
  Office.actions.associate('syncNow', (event: Office.AddinCommands.Event) => syncNow(Office, event));
  associateEventHandlers(Office);
});
