import { describe, it } from 'node:test';
import { expect } from 'chai';
import type { ReactiveControllerHost } from 'lit';
import { defaultProfile, type Profile } from '../../core/profile/profile.js';
import type { PendingAction } from '../../core/sync/actions.js';
import type { AppServices } from '../../app/app-services.js';
import type { RunRequest } from '../../app/sync-service.js';
import { PaneController } from './pane-controller.js';

const host: ReactiveControllerHost = {
  addController: () => undefined,
  removeController: () => undefined,
  requestUpdate: () => undefined,
  updateComplete: Promise.resolve(true),
};

function profileWith(automatic: Partial<Profile['automatic']>): Profile {
  const p = defaultProfile();
  return {
    ...p,
    automatic: { ...p.automatic, ...automatic },
    general: { ...p.general, gatewayUrl: 'https://gw.example.com/dav/', userId: 'anna' },
  };
}

/** Services that record what the pane asks of them. */
function fakeServices(profile: Profile, hasPassword = true) {
  const runs: RunRequest[] = [];
  const saved: Profile[] = [];
  let current = profile;
  const services = {
    mode: 'demo',
    profiles: {
      load: async () => ({ profile: current, locked: [], replaced: [], hasPassword, storage: 'browser' }),
      save: async (p: Profile) => {
        saved.push(p);
        current = p;
        return [];
      },
      password: async () => 'pw',
    },
    sync: {
      run: async (r: RunRequest) => {
        runs.push(r);
        return { dryRun: false, pending: [], errors: [], unreadable: [] };
      },
      history: async () => [],
      pending: async () => [],
      subjects: async () => new Map([['key-d', 'Visit d']]),
      stateWhere: async () => 'account',
      log: { list: async () => [] },
      folders: async () => ({ calendars: [], taskLists: [] }),
    },
  } as unknown as AppServices;
  return { services, runs, saved };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('the task pane’s automatic triggers and decisions', () => {
  it('syncs when the pane opens only when that is on, an application is ticked and the profile is complete', async () => {
    for (const [automatic, hasPassword, expected] of [
      [{ onPaneOpen: true, mobileSales: true }, true, 1],
      [{ onPaneOpen: true, mobileSales: false, mobileService: false }, true, 0],
      [{ onPaneOpen: false, mobileSales: true }, true, 0],
      [{ onPaneOpen: true, mobileSales: true }, false, 0],
    ] as const) {
      const { services, runs } = fakeServices(profileWith(automatic), hasPassword);
      const pane = new PaneController(host);
      await pane.attach(services);
      await settle();
      expect(runs.length, JSON.stringify([automatic, hasPassword])).to.equal(expected);
      pane.hostDisconnected();
    }
  });

  it('every N minutes while the pane is open, and no longer once it closes', async () => {
    const timers: { fn: () => void; ms: number }[] = [];
    const cleared: unknown[] = [];
    const original = { set: globalThis.setInterval, clear: globalThis.clearInterval };
    globalThis.setInterval = ((fn: () => void, ms: number) => {
      timers.push({ fn, ms });
      return timers.length as unknown as ReturnType<typeof setInterval>;
    }) as typeof setInterval;
    globalThis.clearInterval = ((id: unknown) => void cleared.push(id)) as typeof clearInterval;
    try {
      const { services, runs } = fakeServices(profileWith({ everyMinutes: 15, mobileService: true }));
      const pane = new PaneController(host);
      await pane.attach(services);
      expect(timers.map((t) => t.ms)).to.deep.equal([15 * 60_000]);
      timers[0]!.fn();
      await settle();
      expect(runs).to.have.length(1);
      pane.hostDisconnected();
      expect(cleared).to.include(1);
    } finally {
      globalThis.setInterval = original.set;
      globalThis.clearInterval = original.clear;
    }
  });

  it('approve runs with the approval, a side decides a conflict, reject puts the item on the exception list', async () => {
    const { services, runs, saved } = fakeServices(profileWith({}));
    const pane = new PaneController(host);
    await pane.attach(services);
    const item = (id: string, type: 'confirm' | 'conflict') =>
      ({ id, type, pairKey: `key-${id}`, subject: id, reason: { code: 'new' } }) as PendingAction;
    await pane.decide([item('a', 'confirm'), item('b', 'confirm')], 'approve');
    await pane.decide([item('c', 'conflict')], 'outlook');
    await pane.decide([item('d', 'confirm')], 'exclude');
    expect([...(runs[0]!.approvals ?? [])]).to.deep.equal(['a', 'b']);
    expect([...(runs[1]!.decisions ?? [])]).to.deep.equal([['key-c', 'outlook']]);
    expect(saved.at(-1)!.exceptionList).to.deep.equal(['key-d']);
    expect(runs).to.have.length(3);
    expect(pane.exceptions).to.deep.equal([{ key: 'key-d', subject: 'Visit d' }]);
    await pane.includeAgain('key-d');
    expect(saved.at(-1)!.exceptionList).to.deep.equal([]);
    expect(pane.exceptions).to.deep.equal([]);
  });

  it('Cancel aborts the signal of the run under way', async () => {
    const { services } = fakeServices(profileWith({}));
    let signal: AbortSignal | undefined;
    let finish: () => void = () => undefined;
    services.sync.run = ((r: RunRequest) => {
      signal = r.signal as AbortSignal;
      return new Promise((resolve) => {
        finish = () => resolve({ dryRun: false, pending: [], errors: [], unreadable: [] } as never);
      });
    }) as typeof services.sync.run;
    const pane = new PaneController(host);
    await pane.attach(services);
    const run = pane.sync({});
    await settle();
    expect(pane.running).to.equal(true);
    pane.cancelSync();
    expect(signal!.aborted).to.equal(true);
    finish();
    await run;
    expect(pane.running).to.equal(false);
  });

  it('in Outlook, a run that holds conflicts opens the conflict screen; its decision is carried out', async () => {
    const p = profileWith({});
    const conflict = {
      id: 'x',
      type: 'conflict',
      pairKey: 'key-x',
      subject: 'Review',
      reason: { code: 'conflict-held' },
    } as PendingAction;
    const { services, runs } = fakeServices({ ...p, conflicts: { ...p.conflicts, openConflictScreen: true } });
    const screens: { colors: unknown; decide: (keys: readonly string[], d: 'outlook' | 'crm') => void }[] = [];
    Object.assign(services, { conflictScreen: (colors: unknown, decide: never) => screens.push({ colors, decide }) });
    services.sync.pending = async () => [conflict];
    services.sync.run = (async (r: RunRequest) => {
      runs.push(r);
      return { dryRun: false, pending: [conflict], errors: [], unreadable: [] };
    }) as never;
    const pane = new PaneController(host);
    await pane.attach(services);
    await pane.sync({});
    expect(screens).to.have.length(1);
    expect(screens[0]!.colors).to.deep.equal({ outlook: '#c50f1f', crm: '#0f6cbd' });
    screens[0]!.decide(['key-x'], 'crm');
    await settle();
    expect([...(runs.at(-1)!.decisions ?? [])]).to.deep.equal([['key-x', 'crm']]);
  });

  it('rejecting an item keeps the edits not saved yet on the tabs', async () => {
    const { services, saved } = fakeServices(profileWith({}));
    const pane = new PaneController(host);
    await pane.attach(services);
    pane.change('sync.daysAhead', 42);
    await pane.decide(
      [{ id: 'r', type: 'confirm', pairKey: 'key-r', subject: 'r', reason: { code: 'new' } } as PendingAction],
      'exclude',
    );
    expect(saved.at(-1)!.exceptionList).to.deep.equal(['key-r']);
    expect(saved.at(-1)!.sync.daysAhead, 'the unsaved edit was not saved with it').to.equal(180);
    expect(pane.draft!.sync.daysAhead).to.equal(42);
    expect(pane.draft!.exceptionList).to.deep.equal(['key-r']);
    expect(pane.dirty).to.equal(true);
  });
});

describe('the task pane’s exception list (issue 18)', () => {
  it('shows the subject and the start or due time of what was excluded, not its key; taken off, the label goes too', async () => {
    const { services, saved } = fakeServices(profileWith({}));
    const pane = new PaneController(host);
    await pane.attach(services);
    const visit = {
      id: 'v',
      type: 'confirm',
      pairKey: 'uid:visit@crm',
      subject: 'Visit Müller',
      reason: { code: 'new' },
      action: {
        type: 'create',
        item: { kind: 'activity', start: { dateTime: '2026-12-07T09:30:00', timeZone: 'Europe/Berlin' } },
      },
    } as unknown as PendingAction;
    const offer = {
      id: 'o',
      type: 'conflict',
      pairKey: 'crm:0815',
      subject: 'Send offer',
      reason: { code: 'conflict' },
      crm: { item: { kind: 'task', due: { date: '2026-12-10' } } },
    } as unknown as PendingAction;
    await pane.decide([visit], 'exclude');
    await pane.decide([offer], 'exclude');
    await pane.refreshState();
    expect(pane.exceptions).to.deep.equal([
      { key: 'uid:visit@crm', subject: 'Visit Müller', when: '2026-12-07 09:30 (Europe/Berlin)' },
      { key: 'crm:0815', subject: 'Send offer', when: '2026-12-10' },
    ]);
    await pane.includeAgain('uid:visit@crm');
    expect(saved.at(-1)!.exceptionList).to.deep.equal(['crm:0815']);
    expect(Object.keys(saved.at(-1)!.exceptionLabels!)).to.deep.equal(['crm:0815']);
    pane.hostDisconnected();
  });
});

describe('the task pane’s Test connection', () => {
  it('checks the address as Save does and sends nothing to one Save refuses', async () => {
    const { services } = fakeServices(profileWith({ onPaneOpen: false }));
    const tested: string[] = [];
    (services.sync as { testGateway: unknown }).testGateway = async (url: string) => {
      tested.push(url);
      return ['activity'];
    };
    const pane = new PaneController(host);
    await pane.attach(services);
    const say = [(k: string[]) => `ok ${k.join()}`, (d: string) => `failed ${d}`, () => 'invalid'] as const;
    pane.change('general.gatewayUrl', 'http://crm-gw.example.com/dav/');
    await pane.testConnection(...say);
    expect([pane.connection, tested]).to.deep.equal(['invalid', []]);
    expect(pane.findings.map((f) => `${f.field}:${f.code}`)).to.deep.equal(['general.gatewayUrl:https']);
    pane.change('general.gatewayUrl', 'https://crm-gw.example.com/dav/');
    await pane.testConnection(...say);
    expect([pane.connection, tested, pane.findings]).to.deep.equal([
      'ok activity',
      ['https://crm-gw.example.com/dav/'],
      [],
    ]);
    pane.hostDisconnected();
  });
});
