// Entry of taskpane/dialog.html: wait for office.js, then mount. Office is handed in, never read deeper down.
import { startDialog } from '../src/ui/bootstrap/start-dialog.js';

void startDialog(document.getElementById('app')!, typeof Office === 'undefined' ? undefined : Office);
