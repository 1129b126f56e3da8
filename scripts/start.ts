// `npm start`: builds the add-in in watch mode, serves it over HTTPS on https://localhost:3000, runs the
// reference CRM gateway with demo data on https://localhost:4000 (SQLite at .data/gateway.sqlite) and
// the Graph emulator with a demo mailbox on https://localhost:4100 (.data/graph-emulator.json), prints
// how to trust the certificate and sideload manifest.xml, and sideloads into desktop Outlook where one
// exists (Windows, macOS). Ctrl-C stops everything it started.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import webpack from 'webpack';
import { DEFAULT_DB } from '@crm-sync/gateway/store/open';
import webpackConfig from '../webpack.config.js';
import { loadDevCertificate } from './certs.js';
import { startDemoServers } from './demo-servers.js';

const root = path.resolve(import.meta.dirname, '..');
const port = Number(process.env.PORT ?? 3000);
const gatewayPort = Number(process.env.GATEWAY_PORT ?? 4000);
const graphPort = Number(process.env.GRAPH_EMULATOR_PORT ?? 4100);
// CRM_GATEWAY_DB: another SQLite file or a postgres:// URL for the demo gateway.
const gatewayDb = process.env.CRM_GATEWAY_DB ?? path.join(root, DEFAULT_DB);
const children: ChildProcess[] = [];

console.log('Building the add-in (development)…');
const compiler = webpack(webpackConfig({}, { mode: 'development' }));
await new Promise<void>((resolve, reject) => {
  let first = true;
  compiler.watch({ aggregateTimeout: 300 }, (error, stats) => {
    if (error) {
      if (first) reject(error);
      else console.error(error);
      return;
    }
    if (stats?.hasErrors()) console.error(stats.toString('errors-only'));
    else if (!first) console.log(`rebuilt in ${(stats?.endTime ?? 0) - (stats?.startTime ?? 0)} ms`);
    if (first) {
      first = false;
      resolve();
    }
  });
});

const certificate = await loadDevCertificate(root);
const demo = await startDemoServers({
  dist: path.join(root, 'dist'),
  dataDir: path.join(root, '.data'),
  gatewayDb,
  certificate,
  ports: { addin: port, gateway: gatewayPort, graph: graphPort },
  ipv6: true,
  worker: true,
});
const base = demo.addinUrl;
const gatewayUrl = demo.gatewayUrl;
const graphUrl = demo.graphUrl;
console.log(`
CRM Calendar Sync is served at ${base}
  Task pane:      ${base}/taskpane.html   (open it in a browser to use the demo outside Outlook)
  SAP CRM pane:   ${base}/crm-pane.html
  Conflict dialog: ${base}/dialog.html
  Commands:       ${base}/commands.html
  Manifest:       ${path.join(root, 'dist', 'manifest.xml')}

Certificate: ${certificate.source === 'office-addin-dev-certs' ? 'office-addin-dev-certs (trusted on this machine)' : `self-signed, ${certificate.certPath}`}
${
  certificate.source === 'self-signed'
    ? `  Outlook only loads add-ins from trusted HTTPS. Either run "npx office-addin-dev-certs install"
  (needs administrator rights; then restart npm start), or trust ${certificate.certPath}:
    Windows: certutil -addstore -user Root "${certificate.certPath}"
    macOS:   security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db "${certificate.certPath}"
    Linux:   copy it to /usr/local/share/ca-certificates/ and run update-ca-certificates
  A browser shows a warning you can pass for the demo.`
    : ''
}
Sideload dist/manifest.xml into Outlook:
  Outlook on the web / new Outlook: open https://aka.ms/olksideload, "My add-ins" → "Custom Addins"
    → "Add a custom add-in" → "Add from File…" and choose dist/manifest.xml.
  Classic Outlook on Windows: File → Manage Add-ins (or "Get Add-ins") → "My add-ins" → "Add from file".
  Outlook on Mac: Get Add-ins → "My add-ins" → "Add a custom add-in" → "Add from file".

CRM gateway (CalDAV, demo data ${demo.created.gateway ? 'created now' : 'kept from an earlier start'}): ${gatewayUrl}/dav/
  User demo, password demo. Database: ${/^postgres/.test(gatewayDb) ? 'PostgreSQL' : gatewayDb}
  Any CalDAV client can use it, e.g. vdirsyncer or Thunderbird with ${gatewayUrl}/.well-known/caldav
Graph emulator (Outlook's side of the demo, mailbox "demo" ${demo.created.mailbox ? 'created now' : 'kept from an earlier start'}): ${graphUrl}/v1.0
  State in .data/graph-emulator.json; delete it (and .data/gateway.sqlite) to start the demo afresh.
Sync worker (issue 19): once the pane has saved its settings or run once, an edit in the emulator or
  the gateway crosses with no click ("Keep synchronizing when Outlook is closed"); Graph's change
  notifications go to ${demo.worker?.url ?? '(not running)'}/graph/notify.

Demo: open ${base}/taskpane.html in a browser (pass the certificate warning if any), then "Sync now".
Press Ctrl-C to stop.`);

if ((process.platform === 'win32' || process.platform === 'darwin') && process.env.CRM_SIDELOAD !== '0') {
  console.log('Desktop platform found: sideloading with office-addin-debugging (set CRM_SIDELOAD=0 to skip)…');
  const child = spawn(
    process.platform === 'win32' ? 'npx.cmd' : 'npx',
    ['--yes', 'office-addin-debugging', 'start', 'dist/manifest.xml', 'desktop', '--app', 'outlook', '--no-debug'],
    { cwd: root, stdio: 'inherit' },
  );
  child.on('exit', (code) => {
    if (code) console.log(`office-addin-debugging exited with ${code}: sideload by hand as described above.`);
  });
  children.push(child);
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await new Promise<void>((resolve) => compiler.close(() => resolve()));
  await demo.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
