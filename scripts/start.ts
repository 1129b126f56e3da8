// `npm start`: builds the add-in in watch mode, serves it over HTTPS on https://localhost:3000, runs the
// reference CRM gateway with demo data on https://localhost:4000 (SQLite at .data/gateway.sqlite), prints
// how to trust the certificate and sideload manifest.xml, and sideloads into desktop Outlook where one
// exists (Windows, macOS). Ctrl-C stops everything it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import webpack from 'webpack';
import { ensureDemo } from '../gateway/src/demo.js';
import { startGateway, type RunningGateway } from '../gateway/src/server.js';
import { DEFAULT_DB, openStore } from '../gateway/src/store/open.js';
import webpackConfig from '../webpack.config.js';
import { loadDevCertificate } from './certs.js';
import { startStaticServer, type StaticServer } from './serve.js';
import { ensureDemoMailbox } from '../test/graph-emulator/demo.js';
import { startGraphEmulator, type RunningGraphEmulator } from '../test/graph-emulator/server.js';

const root = path.resolve(import.meta.dirname, '..');
const port = Number(process.env.PORT ?? 3000);
const gatewayPort = Number(process.env.GATEWAY_PORT ?? 4000);
const graphPort = Number(process.env.GRAPH_EMULATOR_PORT ?? 4100);
// CRM_GATEWAY_DB: another SQLite file or a postgres:// URL for the demo gateway.
const gatewayDb = process.env.CRM_GATEWAY_DB ?? path.join(root, DEFAULT_DB);
const children: ChildProcess[] = [];
const servers: StaticServer[] = [];

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
const base = `https://localhost:${port}`;
const gatewayUrl = `https://localhost:${gatewayPort}`;
const graphUrl = `https://localhost:${graphPort}`;
// What the task pane reads in a browser outside Outlook to run the demo against these servers. The
// password is the demo user's, public by design; a real deployment serves no such file.
const demoConfig = {
  gatewayUrl: `${gatewayUrl}/dav/`,
  graphUrl: `${graphUrl}/v1.0`,
  mailbox: 'demo',
  userId: 'demo',
  password: 'demo',
};
const serverOptions = {
  root: path.join(root, 'dist'),
  key: certificate.key,
  cert: certificate.cert,
  port,
  json: { '/demo-config.json': demoConfig },
};
servers.push(await startStaticServer({ ...serverOptions, host: '127.0.0.1' }));
// Browsers may resolve localhost to ::1 first; serve there too when the machine has IPv6 loopback.
try {
  servers.push(await startStaticServer({ ...serverOptions, host: '::1' }));
} catch {
  /* no IPv6 loopback: 127.0.0.1 is enough */
}

// The reference CRM gateway, the add-in's mobile-client peer, with the demo user and data.
const store = await openStore(gatewayDb);
const createdDemo = await ensureDemo(store);
const gateways: RunningGateway[] = [];
const gatewayOptions = {
  store,
  port: gatewayPort,
  corsOrigins: [base],
  tls: { key: certificate.key, cert: certificate.cert },
};
gateways.push(await startGateway({ ...gatewayOptions, host: '127.0.0.1' }));
try {
  gateways.push(await startGateway({ ...gatewayOptions, host: '::1' }));
} catch {
  /* no IPv6 loopback */
}

// The Graph emulator with the demo mailbox: Outlook's side of the demo, kept in .data/ between starts.
mkdirSync(path.join(root, '.data'), { recursive: true });
const emulator: RunningGraphEmulator = await startGraphEmulator({
  port: graphPort,
  host: '127.0.0.1',
  file: path.join(root, '.data', 'graph-emulator.json'),
  tls: { key: certificate.key, cert: certificate.cert },
  publicUrl: graphUrl,
});
const createdMailbox = ensureDemoMailbox(emulator.mailbox('demo'));
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

CRM gateway (CalDAV, demo data ${createdDemo ? 'created now' : 'kept from an earlier start'}): ${gatewayUrl}/dav/
  User demo, password demo. Database: ${/^postgres/.test(gatewayDb) ? 'PostgreSQL' : gatewayDb}
  Any CalDAV client can use it, e.g. vdirsyncer or Thunderbird with ${gatewayUrl}/.well-known/caldav
Graph emulator (Outlook's side of the demo, mailbox "demo" ${createdMailbox ? 'created now' : 'kept from an earlier start'}): ${graphUrl}/v1.0
  State in .data/graph-emulator.json; delete it (and .data/gateway.sqlite) to start the demo afresh.

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
  await Promise.all(servers.map((s) => s.close()));
  await Promise.all(gateways.map((g) => g.close()));
  await emulator.close();
  await store.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
