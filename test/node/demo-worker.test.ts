// `npm start`'s demo with its sync worker (issue 19), over HTTPS as the demo runs it: once an Outlook
// has saved the settings (the pane mirrors them to the gateway), an edit in the Graph emulator reaches
// the CRM with no click, within 10 s.
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { DavHttp } from '../../src/adapters/caldav/dav-http.js';
import { StateApi } from '../../src/adapters/gateway-state/gateway-state.js';
import { defaultProfile } from '../../src/core/profile/profile.js';
import { trustingFetch } from '../../src/server/trusting-fetch.js';
import { loadDevCertificate } from '../../scripts/certs.js';
import { startDemoServers, type DemoServers } from '../../scripts/demo-servers.js';

describe('the demo runs the sync worker for the demo user (npm start)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'crm-demo-worker-'));
  let demo: DemoServers;

  before(async () => {
    const certificate = await loadDevCertificate(process.cwd());
    demo = await startDemoServers({
      dist: path.join(dir, 'dist'),
      dataDir: dir,
      gatewayDb: path.join(dir, 'gateway.sqlite'),
      certificate,
      ports: { addin: 0, gateway: 0, graph: 0 },
      hostname: '127.0.0.1',
      worker: true,
    });
    // What the pane does when the user saves the settings (or runs): the profile goes to the gateway.
    const http = new DavHttp({
      credentials: { username: 'demo', password: 'demo' },
      fetch: trustingFetch(certificate.cert),
    });
    const base = defaultProfile();
    await new StateApi(`${demo.gatewayUrl}/dav/`, 'demo', http).mirrorProfile({
      ...base,
      general: { ...base.general, gatewayUrl: `${demo.gatewayUrl}/dav/`, userId: 'demo' },
      automatic: { ...base.automatic, onServer: true },
    });
  });
  after(async () => {
    await demo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an edit in the emulator reaches the CRM with no click', async () => {
    const mailbox = demo.emulator.mailbox('demo');
    const summaries = async () => {
      const list = await demo.store.list('demo', 'activities');
      return (
        await demo.store.get(
          'demo',
          'activities',
          list.map((i) => i.href),
        )
      ).map((i) => i.body);
    };
    const lunch = Object.values(mailbox.state.events).find(
      (e) => e.fields.subject === 'Lunch with Contoso purchasing',
    )!;
    const start = Date.now();
    // The worker's first run (after the settings were saved) brings the demo meeting to the CRM.
    while (!(await summaries()).some((b) => b.includes('SUMMARY:Lunch with Contoso purchasing'))) {
      if (Date.now() - start > 10_000) throw new Error('the first run did not happen within 10 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    await demo.worker!.scheduler.idle();
    mailbox.updateEvent(lunch.id, { subject: 'Lunch with Contoso (moved by the worker)' });
    const edited = Date.now();
    while (!(await summaries()).some((b) => b.includes('SUMMARY:Lunch with Contoso (moved by the worker)'))) {
      if (Date.now() - edited > 10_000) throw new Error('the edit did not cross within 10 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(demo.worker!.watch.subscriptionsOf({ user: 'demo', mailbox: 'demo' })).to.have.length(2);
  });
});
