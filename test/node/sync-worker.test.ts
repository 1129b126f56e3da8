// The sync worker (issue 19) with no client running: the reference gateway (SQLite, demo data), the
// Graph emulator with the demo mailbox, and the worker's HTTPS endpoint for Graph's notifications, all
// on 127.0.0.1. Changes on either side cross within 10 s through change notifications and the
// gateway's change hook; a lapsed or removed subscription is re-created and delta catches up; a burst
// of changes is one run; a pane's run holding the account's lease makes the worker wait.
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startGraphEmulator, type RunningGraphEmulator } from '@crm-sync/graph-emulator';
import { ensureDemoMailbox } from '@crm-sync/graph-emulator/demo';
import { ensureDemo } from '../../gateway/src/demo.js';
import { startGateway, type RunningGateway } from '../../gateway/src/server.js';
import { SqliteStore } from '../../gateway/src/store/sqlite.js';
import https from 'node:https';
import { DavHttp } from '../../src/adapters/caldav/dav-http.js';
import { StateApi, StateLease } from '../../src/adapters/gateway-state/gateway-state.js';
import { defaultProfile } from '../../src/core/profile/profile.js';
import { startSyncWorker, type RunningWorker } from '../../src/server/worker.js';
import { loadDevCertificate } from '../../scripts/certs.js';

const summaryOf = (body: string) => /\r\nSUMMARY[^:]*:([^\r]*)/.exec(body)?.[1] ?? '';
const account = { user: 'demo', mailbox: 'demo' };
let ca = '';

/** POSTs JSON over HTTPS trusting the development certificate; the status. */
function postJson(url: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', ca, headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('sync worker: the gateway synchronizes with no Outlook open (issue 19)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'crm-worker-'));
  let store: SqliteStore;
  let emulator: RunningGraphEmulator;
  let gw: RunningGateway;
  let worker: RunningWorker | undefined;
  const runs: string[] = [];

  before(async () => {
    const cert = await loadDevCertificate(process.cwd());
    ca = cert.cert;
    emulator = await startGraphEmulator({ notificationCa: cert.cert, notificationRetryMs: 50 });
    ensureDemoMailbox(emulator.mailbox('demo'));
    store = new SqliteStore(path.join(dir, 'gateway.sqlite'));
    await store.migrate();
    await ensureDemo(store);
    gw = await startGateway({
      store,
      port: 0,
      onChange: (user) => worker?.crmChanged(user),
      onProfileSaved: (user, mailbox) => worker?.profileSaved(user, mailbox),
    });
    // What the pane does when the user saves the settings: the profile goes to the gateway.
    const api = demoState();
    const base = defaultProfile();
    await api.mirrorProfile({
      ...base,
      general: { ...base.general, gatewayUrl: `${gw.url}/dav/`, userId: 'demo' },
      automatic: { ...base.automatic, onServer: true },
      sync: { ...base.sync, itemTypes: 'activities' },
    });
    worker = await startSyncWorker({
      accounts: async () => [account],
      gatewayUrl: `${gw.url}/dav/`,
      crmCredentials: async () => ({ username: 'demo', password: 'demo' }),
      graph: () => ({ baseUrl: `${emulator.url}/v1.0`, token: async () => 'dev:demo' }),
      holder: 'server · test',
      listen: { host: '127.0.0.1', port: 0, tls: cert },
      debounceMs: 300,
      log: (e) => {
        if (e.run) runs.push(String(e.run));
      },
    });
    await worker.scheduler.idle();
  });
  after(async () => {
    await worker?.close();
    await gw?.close();
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const mailbox = () => emulator.mailbox('demo');
  /** The demo account's state at the gateway, as a pane reaches it. */
  function demoState(): StateApi {
    return new StateApi(`${gw.url}/dav/`, 'demo', new DavHttp({ credentials: { username: 'demo', password: 'demo' } }));
  }
  const calendar = () => mailbox().state.calendars.find((c) => c.isDefaultCalendar)!.id;
  const crmItems = async () => {
    const list = await store.list('demo', 'activities');
    return store.get(
      'demo',
      'activities',
      list.map((i) => i.href),
    );
  };
  const crmSubjects = async () => (await crmItems()).map((i) => summaryOf(i.body));
  const outlookSubjects = () => Object.values(mailbox().state.events).map((e) => String(e.fields.subject));
  /** Polls until `check` holds; fails after 10 s (the bound for a change to cross). */
  async function within10s(check: () => Promise<boolean> | boolean, what: string): Promise<number> {
    const start = Date.now();
    while (!(await check())) {
      if (Date.now() - start > 10_000) throw new Error(`not within 10 s: ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return Date.now() - start;
  }
  const meeting = (subject: string) => ({
    subject,
    start: { dateTime: new Date(Date.now() + 86_400_000).toISOString().slice(0, 19), timeZone: 'UTC' },
    end: { dateTime: new Date(Date.now() + 90_000_000).toISOString().slice(0, 19), timeZone: 'UTC' },
  });

  it('its first run moves the demo items both ways, and it subscribed to the calendar', async () => {
    expect(runs[0]).to.equal('done');
    expect(await crmSubjects()).to.include('Lunch with Contoso purchasing');
    const subs = worker!.watch.subscriptionsOf(account);
    expect(subs.map((s) => s.resource)).to.deep.equal([`me/calendars/${calendar()}/events`]);
    expect(emulator.subscriptions.subscriptions().map((s) => s.id)).to.include(subs[0]!.id);
  });

  it('an event created, changed and deleted in Outlook reaches the CRM within 10 s, no client running', async () => {
    const e = mailbox().createEvent(calendar(), meeting('Worker: created in Outlook'));
    await within10s(async () => (await crmSubjects()).includes('Worker: created in Outlook'), 'created');
    mailbox().updateEvent(e.id, { subject: 'Worker: changed in Outlook' });
    await within10s(async () => (await crmSubjects()).includes('Worker: changed in Outlook'), 'changed');
    mailbox().deleteEvent(e.id);
    await within10s(async () => !(await crmSubjects()).includes('Worker: changed in Outlook'), 'deleted');
  });

  it('a CRM change reaches Outlook within 10 s (the gateway tells the worker)', async () => {
    const item = (await crmItems()).find((i) => summaryOf(i.body) === 'Lunch with Contoso purchasing')!;
    // A CRM user's edit through the gateway's CalDAV interface (as the mobile client writes).
    const res = await fetch(`${gw.url}/dav/calendars/demo/activities/${item.href}`, {
      method: 'PUT',
      headers: {
        Authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}`,
        'Content-Type': 'text/calendar',
        'If-Match': item.etag,
      },
      body: item.body.replace('SUMMARY:Lunch with Contoso purchasing', 'SUMMARY:Lunch with Contoso (CRM edit)'),
    });
    expect(res.status).to.equal(204);
    await within10s(() => outlookSubjects().includes('Lunch with Contoso (CRM edit)'), 'CRM → Outlook');
  });

  it('a subscription that lapses is re-created at the next renewal check, and delta brings what it missed', async () => {
    await worker!.scheduler.idle();
    const [sub] = worker!.watch.subscriptionsOf(account);
    emulator.subscriptions.expire(sub!.id);
    mailbox().createEvent(calendar(), meeting('Worker: made while unsubscribed'));
    await emulator.subscriptions.settled();
    await new Promise((r) => setTimeout(r, 600));
    expect(await crmSubjects(), 'no notification of an expired subscription').not.to.include(
      'Worker: made while unsubscribed',
    );
    // Renewal: the worker's check renews what is due; a subscription Graph no longer knows is made anew.
    for (const s of worker!.watch.subscriptionsOf(account)) s.expiresAt = Date.now();
    await worker!.watch.renewDue();
    const [renewed] = worker!.watch.subscriptionsOf(account);
    expect(renewed!.id).not.to.equal(sub!.id);
    await within10s(async () => (await crmSubjects()).includes('Worker: made while unsubscribed'), 'caught up');
    mailbox().createEvent(calendar(), meeting('Worker: after the new subscription'));
    await within10s(async () => (await crmSubjects()).includes('Worker: after the new subscription'), 'notified');
  });

  it('a subscription Graph removes (lifecycle notification) is re-created and the account synchronized', async () => {
    const [sub] = worker!.watch.subscriptionsOf(account);
    await emulator.subscriptions.lifecycle(sub!.id, 'subscriptionRemoved');
    await within10s(() => worker!.watch.subscriptionsOf(account)[0]?.id !== sub!.id, 're-created');
    mailbox().createEvent(calendar(), meeting('Worker: after removal'));
    await within10s(async () => (await crmSubjects()).includes('Worker: after removal'), 'after removal');
  });

  it('refuses notifications with a wrong clientState or of a subscription it does not hold', async () => {
    await worker!.scheduler.idle();
    const before = worker!.watch.refused;
    const [sub] = worker!.watch.subscriptionsOf(account);
    const forged = [
      { subscriptionId: sub!.id, clientState: 'guessed', changeType: 'created' },
      { subscriptionId: 'not-ours', clientState: sub!.clientState, changeType: 'created' },
    ];
    expect(await postJson(`${worker!.url}/graph/notify`, { value: forged })).to.equal(202);
    expect(worker!.watch.refused - before).to.equal(2);
    expect(worker!.scheduler.busy(account), 'no run for a forged notification').to.equal(false);
    expect(await postJson(`${worker!.url}/graph/notify`, { value: [], padding: 'x'.repeat(2 * 1024 * 1024) })).to.equal(
      413,
    );
  });

  it('ten changes in a second are one run', async () => {
    await worker!.scheduler.idle();
    const key = `demo\ndemo`;
    const before = worker!.scheduler.started.get(key) ?? 0;
    for (let i = 0; i < 10; i++) mailbox().createEvent(calendar(), meeting(`Worker: burst ${i}`));
    await within10s(
      async () => (await crmSubjects()).filter((s) => s.startsWith('Worker: burst')).length === 10,
      'burst',
    );
    const started = (worker!.scheduler.started.get(key) ?? 0) - before;
    expect(started, 'runs for the burst').to.equal(1);
  });

  it("a pane's run holding the account's turn makes the worker's run wait; they never overlap", async () => {
    await worker!.scheduler.idle();
    const api = demoState();
    const pane = new StateLease(api, 'Outlook on the web · test');
    await pane.take(() => 'writing');
    const failedBefore = runs.filter((r) => r !== 'done').length;
    try {
      mailbox().createEvent(calendar(), meeting('Worker: while the pane runs'));
      await within10s(() => runs.filter((r) => r !== 'done').length > failedBefore, 'the worker tried');
      expect(runs.at(-1)).to.match(/another|elsewhere|Outlook on the web/i);
      expect(await crmSubjects()).not.to.include('Worker: while the pane runs');
    } finally {
      await pane.give();
    }
    // Once the pane's run is over, the worker's next try goes through.
    await new Promise((r) => setTimeout(r, 5_000));
    await within10s(async () => (await crmSubjects()).includes('Worker: while the pane runs'), 'after the pane');
  });

  it('"Keep synchronizing when Outlook is closed" turned off lets the account go; on again, it catches up', async () => {
    await worker!.scheduler.idle();
    const api = demoState();
    const mirrored = async (onServer: boolean) => {
      const r = await api.request('GET', '/profile');
      const { profile } = JSON.parse(r.text) as { profile: ReturnType<typeof defaultProfile> };
      await api.mirrorProfile({ ...profile, automatic: { ...profile.automatic, onServer } });
    };
    await mirrored(false);
    await within10s(() => worker!.kept().length === 0 && worker!.watch.subscriptionsOf(account).length === 0, 'let go');
    mailbox().createEvent(calendar(), meeting('Worker: while turned off'));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await crmSubjects()).not.to.include('Worker: while turned off');
    await mirrored(true);
    await within10s(async () => (await crmSubjects()).includes('Worker: while turned off'), 'on again');
    expect(worker!.watch.subscriptionsOf(account)).to.have.length(1);
    // The pane mirrors its settings at every run of its own: the same settings again start no run.
    await worker!.scheduler.idle();
    const before = worker!.scheduler.started.get('demo\ndemo');
    await mirrored(true);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(worker!.scheduler.busy(account)).to.equal(false);
    expect(worker!.scheduler.started.get('demo\ndemo')).to.equal(before);
  });
});
