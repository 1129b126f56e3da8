/**
 * The task pane's services for where it runs:
 * - in Outlook: the profile in roaming settings, Microsoft Graph with Microsoft's token;
 * - in a browser with `npm start`'s demo (`demo-config.json` next to the pane): the profile in this
 *   browser, the Graph emulator with the development token of the demo mailbox, the demo gateway;
 * - in a browser without the demo: the profile in this browser; syncing says it needs Outlook.
 * Device state (status, log, history, password) is in IndexedDB in every case.
 */
import { IdbMeta, openStateDb } from '../adapters/idb/idb-state.js';
import type { OutlookConnectOptions } from '../adapters/graph/connect.js';
import type { MsalLike, OfficeLike } from '../adapters/graph/auth.js';
import type { GraphHttp } from '../adapters/graph/graph-http.js';
import { ADDIN_ID, ENTRA } from './build-constants.js';
import {
  browserRoaming,
  loadAdminPolicy,
  officeRoaming,
  ProfileService,
  type AdminPolicy,
  type RoamingPort,
} from './profile-service.js';
import type { SyncService } from './sync-service.js';
import { conflictScreen } from './conflict-screen.js';

export type ServiceMode = 'outlook' | 'demo' | 'browser';

export interface DemoConfig {
  readonly gatewayUrl: string;
  readonly graphUrl: string;
  readonly mailbox: string;
  readonly userId: string;
  readonly password: string;
  /** The demo runs the gateway's sync worker (`npm start`): the first settings ask for it. */
  readonly serverSync?: boolean;
}

export interface AppServices {
  readonly mode: ServiceMode;
  readonly profiles: ProfileService;
  readonly sync: SyncService;
  /** Set when `admin-defaults.json` could not be read (the pane shows it; defaults then apply). */
  readonly policyError?: string;
  /** In Outlook: opens the conflict screen in a dialog (outside Outlook, Pending is the screen). */
  readonly conflictScreen?: ReturnType<typeof conflictScreen>;
}

export interface ServiceEnvironment {
  readonly fetch: typeof fetch;
  readonly storage: Storage;
  /** The add-in's origin, for its own files (demo config, admin defaults, sign-in page). */
  readonly origin: string;
}

/** MSAL is loaded only when Outlook needs a token (a chunk of its own). */
async function loadMsal(): Promise<MsalLike> {
  const m = await import('@azure/msal-browser');
  return {
    createNestablePublicClientApplication: (c) =>
      m.createNestablePublicClientApplication(c) as unknown as ReturnType<
        MsalLike['createNestablePublicClientApplication']
      >,
    InteractionRequiredAuthError: m.InteractionRequiredAuthError,
  };
}

async function readDemoConfig(env: ServiceEnvironment): Promise<DemoConfig | undefined> {
  try {
    const r = await env.fetch(`${env.origin}/demo-config.json`, { cache: 'no-store', credentials: 'same-origin' });
    if (!r.ok) return undefined;
    const c = (await r.json()) as Partial<DemoConfig>;
    return c.gatewayUrl && c.graphUrl && c.mailbox && c.userId && c.password ? (c as DemoConfig) : undefined;
  } catch {
    return undefined;
  }
}

export async function createServices(
  office: typeof Office | undefined,
  inOutlook: boolean,
  env: ServiceEnvironment,
): Promise<AppServices> {
  let policy: AdminPolicy | undefined;
  let policyError: string | undefined;
  try {
    policy = await loadAdminPolicy(env.fetch, `${env.origin}/admin-defaults.json`);
  } catch (error) {
    policyError = error instanceof Error ? error.message : String(error);
  }
  const demo = inOutlook ? undefined : await readDemoConfig(env);
  const mode: ServiceMode = inOutlook ? 'outlook' : demo ? 'demo' : 'browser';
  const mailbox = inOutlook ? (office!.context.mailbox.userProfile.emailAddress ?? 'me') : (demo?.mailbox ?? 'browser');
  const db = await openStateDb(mailbox);
  const meta = new IdbMeta(db);
  const roaming: RoamingPort = inOutlook ? officeRoaming(office!.context.roamingSettings) : browserRoaming(env.storage);
  const profiles = new ProfileService(roaming, meta, policy);
  const connect: OutlookConnectOptions = demo
    ? { graphUrl: demo.graphUrl, devMailbox: demo.mailbox, auth: { clientId: ENTRA.clientId } }
    : {
        auth: { clientId: ENTRA.clientId, authority: ENTRA.authority, dialogUrl: `${env.origin}/auth-dialog.html` },
      };
  let http: Promise<GraphHttp> | undefined;
  const outlook = () => {
    http ??= import('../adapters/graph/connect.js')
      .then(({ connectOutlook }) =>
        connectOutlook(
          connect,
          // office-js types AsyncResultStatus as a numeric enum; at run time it is the string "succeeded".
          inOutlook ? (office as unknown as OfficeLike) : undefined,
          loadMsal,
        ),
      )
      .catch((error: unknown) => {
        http = undefined; // try again next time (a closed sign-in window, say)
        throw error;
      });
    return http;
  };
  // The adapters (tsdav, ical.js, Graph) load after the first paint, in a chunk of their own.
  const { SyncService } = await import('./sync-service.js');
  const sync = new SyncService({
    profiles,
    db,
    mailbox,
    deviceName: await deviceName(meta, inOutlook ? String(office!.context.diagnostics?.platform ?? '') : undefined),
    outlook,
    addinId: ADDIN_ID,
    ...(inOutlook && { userTimeZone: () => office!.context.mailbox.userProfile.timeZone }),
    // Deployed by the administrator next to the add-in; loaded only when "Use user exits" is on.
    userExits: () =>
      import(/* webpackIgnore: true */ `${env.origin}/user-exits.js`) as Promise<Record<string, unknown>>,
  });
  if (demo) await prefillDemo(profiles, demo);
  return {
    mode,
    profiles,
    sync,
    ...(policyError && { policyError }),
    ...(inOutlook && { conflictScreen: conflictScreen(office as unknown as OfficeLike, env.origin, mailbox) }),
  };
}

/** The Outlook hosts by Office's platform name, as another device's user reads them. */
const HOSTS: Record<string, string> = {
  OfficeOnline: 'Outlook on the web',
  PC: 'Outlook for Windows',
  Mac: 'Outlook for Mac',
  iOS: 'Outlook for iOS',
  Android: 'Outlook for Android',
};

/** This device as others see it while it runs: the host and a stable id of its own (kept on the device). */
async function deviceName(meta: IdbMeta, platform: string | undefined): Promise<string> {
  let id = await meta.get<string>('device-id');
  if (!id) await meta.set('device-id', (id = crypto.randomUUID()));
  const host = platform === undefined ? 'Browser' : (HOSTS[String(platform)] ?? 'Outlook');
  return `${host} · ${id.slice(0, 8)}`;
}

/** The demo's first start: the gateway, user and password of the demo, so that "Sync now" just works. */
async function prefillDemo(profiles: ProfileService, demo: DemoConfig): Promise<void> {
  const loaded = await profiles.load();
  if (loaded.profile.general.gatewayUrl) return;
  const p = loaded.profile;
  await profiles.save(
    {
      ...p,
      general: { ...p.general, gatewayUrl: demo.gatewayUrl, userId: demo.userId },
      // `npm start` runs the gateway's sync worker: the demo asks for it (issue 19).
      ...(demo.serverSync && { automatic: { ...p.automatic, onServer: true } }),
    },
    demo.password,
  );
}
