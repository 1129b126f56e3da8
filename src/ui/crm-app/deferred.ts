/**
 * The task pane's elements that are not on screen in its first render (the settings appear once the
 * profile has loaded; Pending and the log are folded; Recent runs has runs to show once the services
 * have read them), and Fluent's drop-down list of the language
 * chooser (shown once it is defined), and Fluent's accordion of the pane's folding sections
 * (fluent/fold.ts): crm-app loads this module right after its first render, so
 * their code (and the Fluent components they use) is not in the first script.
 */
import '../fluent/fold-define.js';
import '@fluentui/web-components/dropdown.js';
import '@fluentui/web-components/listbox.js';
import '@fluentui/web-components/option.js';
import '../crm-settings-tabs/crm-settings-tabs.js';
import '../crm-settings-form/crm-settings-form.js';
import '../crm-pending-list/crm-pending-list.js';
import '../crm-log-viewer/crm-log-viewer.js';
import '../crm-run-chart/crm-run-chart.js';
