// Entry of taskpane/crm-pane.html: wait for office.js, then mount. Office is handed in, never read deeper down.
import { startCrmPane } from '../src/ui/bootstrap/start-crm-pane.js';

void startCrmPane(document.getElementById('app')!, typeof Office === 'undefined' ? undefined : Office);
