import { describe, it } from 'node:test';
import { expect } from 'chai';
import { IdbMeta, openStateDb } from '../adapters/idb/idb-state.js';
import { defaultProfile, type Profile } from '../core/profile/profile.js';
import { loadAdminPolicy, officeRoaming, ProfileService, type RoamingPort } from './profile-service.js';

let n = 0;
const meta = async () => new IdbMeta(await openStateDb(`profile-test-${Date.now()}-${++n}`));

/** Office roaming settings as a fake: get/set/saveAsync, and what was saved. */
function fakeRoamingSettings() {
  const values: Record<string, unknown> = {};
  const saved: Record<string, unknown>[] = [];
  const settings = {
    get: (k: string) => values[k],
    set: (k: string, v: unknown) => void (values[k] = v),
    remove: (k: string) => void delete values[k],
    saveAsync: (cb: (r: { status: string }) => void) => {
      saved.push({ ...values });
      cb({ status: 'succeeded' });
    },
  };
  return { settings: settings as unknown as Office.RoamingSettings, saved, values };
}

const valid = (): Profile => {
  const p = defaultProfile();
  return { ...p, general: { ...p.general, gatewayUrl: 'https://crm.example.com/dav/', userId: 'anna' } };
};

describe('the profile in roaming settings and on the device', () => {
  it('saves to roaming settings with saveAsync and loads the same profile when the pane opens again', async () => {
    const office = fakeRoamingSettings();
    const device = await meta();
    const profile = { ...valid(), sync: { ...valid().sync, daysAhead: 90, direction: 'crm-to-outlook' as const } };
    expect(await new ProfileService(officeRoaming(office.settings), device).save(profile, 'S3cret!pw')).to.deep.equal(
      [],
    );
    expect(office.saved).to.have.length(1);
    const again = await new ProfileService(officeRoaming(office.settings), device).load();
    expect(again.profile).to.deep.equal(profile);
    expect(again.hasPassword).to.equal(true);
    expect(again.storage).to.equal('office');
    expect(await new ProfileService(officeRoaming(office.settings), device).password()).to.equal('S3cret!pw');
  });

  it('the password never reaches roaming settings, not even when put into the profile object', async () => {
    const office = fakeRoamingSettings();
    const device = await meta();
    const sneaky = { ...valid(), general: { ...valid().general, password: 'S3cret!pw' } } as unknown as Profile;
    await new ProfileService(officeRoaming(office.settings), device).save(sneaky, 'S3cret!pw');
    expect(JSON.stringify(office.saved)).not.to.include('S3cret');
    expect(JSON.stringify(await device.get('device'))).not.to.include('S3cret');
  });

  it('an invalid profile is not saved; the findings name the fields', async () => {
    const office = fakeRoamingSettings();
    const findings = await new ProfileService(officeRoaming(office.settings), await meta()).save(defaultProfile());
    expect(findings.map((f) => f.field)).to.deep.equal(['general.gatewayUrl', 'general.userId']);
    expect(office.saved).to.deep.equal([]);
  });

  it('administrator defaults preset the profile, and locked fields keep the administrator’s value', async () => {
    const stored: RoamingPort = {
      kind: 'browser',
      // A profile saved by an older version, without daysAhead.
      read: () => ({ version: 1, general: valid().general, sync: { direction: 'both', daysBack: 7 } }),
      write: async () => undefined,
    };
    const policy = {
      defaults: {
        sync: { direction: 'crm-to-outlook', daysAhead: 60 },
        general: { gatewayUrl: 'https://gw.example.com/dav/' },
      },
      locked: ['sync.direction'],
    };
    const loaded = await new ProfileService(stored, await meta(), policy).load();
    expect(loaded.profile.sync.direction, 'locked').to.equal('crm-to-outlook');
    expect(loaded.profile.sync.daysBack, 'the user’s own value').to.equal(7);
    expect(loaded.profile.sync.daysAhead, 'the default where the user has none').to.equal(60);
    expect(loaded.locked).to.deep.equal(['sync.direction']);
    const none: RoamingPort = { kind: 'browser', read: () => undefined, write: async () => undefined };
    const fresh = await new ProfileService(none, await meta(), policy).load();
    expect(fresh.profile.general.gatewayUrl).to.equal('https://gw.example.com/dav/');
  });

  it('administrator defaults can lock only the profile’s settings: a misspelt path is an error, not a silent no-op', async () => {
    const serve = (body: unknown) => (async () => new Response(JSON.stringify(body))) as unknown as typeof fetch;
    const ok = await loadAdminPolicy(serve({ locked: ['sync.direction', 'series.syncPrivate'] }), '/admin.json');
    expect(ok?.locked).to.deep.equal(['sync.direction', 'series.syncPrivate']);
    let error: unknown;
    try {
      await loadAdminPolicy(serve({ locked: ['sync.direction', 'sync.directon'] }), '/admin.json');
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.include('lock unknown settings: sync.directon');
  });

  it('administrator defaults written for version 0.2 (the CRM side called "mobile") keep their meaning', async () => {
    const serve = (body: unknown) => (async () => new Response(JSON.stringify(body))) as unknown as typeof fetch;
    const old = await loadAdminPolicy(
      serve({
        defaults: { sync: { direction: 'mobile-to-outlook' }, misc: { conflictColorMobile: '#00ff00' } },
        locked: ['sync.direction', 'misc.conflictColorMobile'],
      }),
      '/admin.json',
    );
    expect(old?.locked).to.deep.equal(['sync.direction', 'misc.conflictColorCrm']);
    expect(old?.defaults).to.deep.equal({
      sync: { direction: 'crm-to-outlook' },
      misc: { conflictColorCrm: '#00ff00' },
    });
  });

  it('damaged roaming settings give the defaults (and the next save repairs them)', async () => {
    const office = fakeRoamingSettings();
    office.values.crmSyncProfile = '{not json';
    const loaded = await new ProfileService(officeRoaming(office.settings), await meta()).load();
    expect(loaded.profile).to.deep.equal(defaultProfile());
  });
});
