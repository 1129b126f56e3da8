// The offline demo's servers, as `npm start` runs them and the end-to-end tests drive them: the built
// add-in over HTTPS (with /demo-config.json for the task pane's demo mode), the reference CRM gateway
// with the demo user and data, and the Graph emulator with the demo mailbox — all on loopback, all
// with the same development certificate.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ensureDemo } from '@crm-sync/gateway/demo';
import { startGateway, type RunningGateway } from '@crm-sync/gateway';
import { SyncAccounts } from '@crm-sync/gateway/state/accounts';
import { openStore } from '@crm-sync/gateway/store/open';
import type { GatewayStore } from '@crm-sync/gateway/store/types';
import { ensureDemoMailbox } from '@crm-sync/graph-emulator/demo';
import { startGraphEmulator, type RunningGraphEmulator } from '@crm-sync/graph-emulator';
import { contentSecurityPolicy } from './build-config.js';
import { startStaticServer, type StaticServer } from './serve.js';
import { startSyncWorker, type RunningWorker } from '../src/server/worker.js';
import { trustingFetch } from '../src/server/trusting-fetch.js';

export interface DemoServerOptions {
  /** Where the built add-in is (dist/). */
  readonly dist: string;
  /** Folder for the emulator's state file; the gateway database is `gatewayDb`. */
  readonly dataDir: string;
  /** SQLite file or postgres:// URL of the demo gateway. */
  readonly gatewayDb: string;
  readonly certificate: { readonly key: string; readonly cert: string };
  /** 0 = any free port (tests). */
  readonly ports: { readonly addin: number; readonly gateway: number; readonly graph: number };
  /** Host name in the URLs the browser uses (the certificate names localhost and 127.0.0.1). */
  readonly hostname?: string;
  /** Also listen on ::1 where the machine has IPv6 loopback (browsers may try it first for localhost). */
  readonly ipv6?: boolean;
  /** The gateway's time for leases (tests move it on; default Date.now). */
  readonly gatewayClock?: () => number;
  /** The time the demo data is laid out around (its meetings are days from it; default: now). */
  readonly now?: Date;
  /**
   * Runs the sync worker for the demo user (issue 19; `npm start`): once the pane has saved settings,
   * an edit in the emulator or the gateway crosses with no click.
   */
  readonly worker?: boolean;
}

export interface DemoServers {
  readonly addinUrl: string;
  readonly gatewayUrl: string;
  readonly graphUrl: string;
  readonly emulator: RunningGraphEmulator;
  readonly store: GatewayStore;
  /** The sync worker, when `worker` was asked for. */
  readonly worker?: RunningWorker;
  /** Whether the gateway's demo data and the demo mailbox were created by this start. */
  readonly created: { readonly gateway: boolean; readonly mailbox: boolean };
  close(): Promise<void>;
}

export async function startDemoServers(o: DemoServerOptions): Promise<DemoServers> {
  const hostname = o.hostname ?? 'localhost';
  const tls = { key: o.certificate.key, cert: o.certificate.cert };
  const statics: StaticServer[] = [];
  const gateways: RunningGateway[] = [];
  mkdirSync(o.dataDir, { recursive: true });

  const emulator = await startGraphEmulator({
    port: o.ports.graph,
    host: '127.0.0.1',
    file: path.join(o.dataDir, 'graph-emulator.json'),
    tls,
    // (The demo's sync worker receives change notifications over HTTPS with the same certificate.)
    notificationCa: o.certificate.cert,
  });
  const graphUrl = `https://${hostname}:${new URL(emulator.url).port}`;
  // nextLink and deltaLink carry the address the browser uses.
  emulator.setPublicUrl(graphUrl);
  const mailbox = ensureDemoMailbox(emulator.mailbox('demo'), (o.now ?? new Date()).getTime());

  const store = await openStore(o.gatewayDb);
  const createdGateway = await ensureDemo(store, o.now ?? new Date());
  // The add-in's address is needed for the gateway's CORS, the gateway's for the demo config: the
  // add-in server starts first with a config object filled in once the gateway listens.
  const demoConfig: Record<string, string | boolean> = {
    mailbox: 'demo',
    userId: 'demo',
    password: 'demo',
    // The pane's first settings ask for the worker's synchronization when the demo runs it.
    ...(o.worker && { serverSync: true }),
  };
  // The pages may call the demo's gateway and Graph emulator (known once they listen) and nothing else.
  const csp = () =>
    contentSecurityPolicy({
      officeJsUrl: 'office-js/office.js',
      authority: 'https://login.microsoftonline.com/common',
      connect: [demoConfig.gatewayUrl, demoConfig.graphUrl]
        .filter((u): u is string => typeof u === 'string')
        .map((u) => new URL(u).origin),
    });
  const staticOptions = {
    root: o.dist,
    ...tls,
    port: o.ports.addin,
    json: { '/demo-config.json': demoConfig },
    csp,
  };
  statics.push(await startStaticServer({ ...staticOptions, host: '127.0.0.1' }));
  const addinUrl = `https://${hostname}:${statics[0]!.port}`;
  const gatewayOptions = {
    store,
    port: o.ports.gateway,
    corsOrigins: [addinUrl],
    tls,
    ...(o.gatewayClock && { clock: o.gatewayClock }),
    onChange: (user: string) => worker?.crmChanged(user),
    onProfileSaved: (user: string, mailbox: string) => worker?.profileSaved(user, mailbox),
  };
  let worker: RunningWorker | undefined;
  gateways.push(await startGateway({ ...gatewayOptions, host: '127.0.0.1' }));
  const gatewayPort = new URL(gateways[0]!.url).port;
  if (o.ipv6) {
    try {
      statics.push(await startStaticServer({ ...staticOptions, port: statics[0]!.port, host: '::1' }));
      gateways.push(await startGateway({ ...gatewayOptions, port: Number(gatewayPort), host: '::1' }));
    } catch {
      /* no IPv6 loopback: 127.0.0.1 is enough */
    }
  }
  const gatewayUrl = `https://${hostname}:${gatewayPort}`;
  // The demo user's password is public by design; a real deployment serves no such file.
  Object.assign(demoConfig, { gatewayUrl: `${gatewayUrl}/dav/`, graphUrl: `${graphUrl}/v1.0` });
  if (o.worker)
    worker = await startSyncWorker({
      // (Only the demo user logs on with a password the worker knows: its accounts, when they ask for it.)
      accounts: async () => (await new SyncAccounts(store.state).profiles()).filter((a) => a.user === 'demo'),
      gatewayUrl: `https://127.0.0.1:${gatewayPort}/dav/`,
      crmCredentials: async () => ({ username: 'demo', password: 'demo' }),
      graph: () => ({ baseUrl: `${emulator.url}/v1.0`, token: async () => 'dev:demo' }),
      holder: 'CRM gateway (demo sync worker)',
      listen: { host: '127.0.0.1', port: 0, tls },
      fetch: trustingFetch(o.certificate.cert),
    });

  return {
    addinUrl,
    gatewayUrl,
    graphUrl,
    emulator,
    store,
    ...(worker && { worker }),
    created: { gateway: createdGateway, mailbox },
    async close() {
      await worker?.close();
      await Promise.all(statics.map((s) => s.close()));
      await Promise.all(gateways.map((g) => g.close()));
      await emulator.close();
      await store.close();
    },
  };
}
