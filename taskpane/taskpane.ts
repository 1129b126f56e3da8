// Entry of taskpane/taskpane.html: wait for office.js, then mount. Office is handed in, never read deeper down.
import { startTaskpane } from '../src/ui/bootstrap/start-taskpane.js';

void startTaskpane(document.getElementById('app')!, typeof Office === 'undefined' ? undefined : Office);
