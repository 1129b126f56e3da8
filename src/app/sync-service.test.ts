import { describe, it } from 'node:test';
import { expect } from 'chai';
import { openStateDb } from '../adapters/idb/idb-state.js';
import { defaultProfile, type Profile } from '../core/profile/profile.js';
import type { ProfileService } from './profile-service.js';
import { SyncService } from './sync-service.js';

let n = 0;
async function service(profile: Profile, password: string | undefined) {
  const profiles = {
    load: async () => ({ profile, locked: [], replaced: [], hasPassword: !!password, storage: 'browser' }),
    password: async () => password,
  } as unknown as ProfileService;
  const db = await openStateDb(`sync-service-test-${Date.now()}-${++n}`);
  const outlook = () => Promise.reject(new Error('Outlook must not be asked'));
  return new SyncService({ profiles, db, outlook, mailbox: 'anna@example.com', deviceName: 'Browser · test' });
}

async function failure(s: SyncService): Promise<string> {
  try {
    await s.run();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return 'no error';
}

describe('sync service', () => {
  it('refuses to run on incomplete settings, naming the fields, and records the stopped run', async () => {
    const s = await service(defaultProfile(), 'pw');
    expect(await failure(s)).to.equal(
      'the settings are not complete (general.gatewayUrl, general.userId): open the CRM Sync pane and save them',
    );
    const [run] = await s.history();
    expect(run!.failure).to.match(/not complete/);
    const [entry] = await s.log.list();
    expect(entry!.message).to.match(/the synchronization stopped: the settings are not complete/);
  });

  it('refuses to run without a saved password', async () => {
    const p = defaultProfile();
    const s = await service(
      { ...p, general: { ...p.general, gatewayUrl: 'https://gw.example.com/dav/', userId: 'a' } },
      undefined,
    );
    expect(await failure(s)).to.match(/no password is saved/);
  });
});
