/**
 * The Fluent 2 web components (`@fluentui/web-components` 3) the pane's first render shows: buttons,
 * message bars (the demo's and the offline state's banners) and the progress bar of a run.
 * Importing this module defines them (each component's `define.js` registers its `fluent-*` tag
 * once). An element that shows other Fluent components imports them itself, so that they load with
 * that element (after the first render: crm-app/deferred.ts), not before it.
 */
import '@fluentui/web-components/button.js';
import '@fluentui/web-components/message-bar.js';
import '@fluentui/web-components/progress-bar.js';
