import { describe, it } from 'node:test';
import { expect } from 'chai';
import { defaultProfile } from '../../core/profile/profile.js';
import type { Profile } from '../../core/profile/profile.js';
import type { UndoPair, UndoResult } from '../../core/sync/way-back.js';
import type { AppServices } from '../../app/app-services.js';
import type { LoadedProfile } from '../../app/profile-service.js';
import { WayBack, type WayBackHost } from './way-back.js';

const pair = (key: string, outcome: UndoPair['outcome'] = 'undo'): UndoPair => ({
  pairKey: key,
  subject: `Visit ${key}`,
  kind: 'activity',
  writes: [],
  outcome,
});

/** A pane with a saved profile whose exception list holds `existing`, and a sync service of `undo`. */
function pane(undo: () => Promise<UndoResult>, over: Partial<Profile> = {}) {
  const saved: string[][] = [];
  const calls: string[] = [];
  let profile: Profile = { ...defaultProfile(), exceptionList: ['old'], ...over };
  const host: WayBackHost = {
    get services() {
      return {
        sync: {
          undo: async () => {
            calls.push(`undo with list ${profile.exceptionList.join(',')}`);
            return undo();
          },
        },
      } as unknown as AppServices;
    },
    get loaded() {
      return { profile } as LoadedProfile;
    },
    running: false,
    saveExceptionList: async (list) => {
      saved.push([...list]);
      profile = { ...profile, exceptionList: [...list] };
    },
    refreshState: async () => undefined,
    sync: async () => undefined,
    requestUpdate: () => undefined,
  };
  const wayBack = new WayBack(host);
  return { wayBack, saved, calls, profile: () => profile };
}

describe('the way back in the pane (issue 18)', () => {
  it('puts the pairs on the exception list before the undo writes, and takes off those it left', async () => {
    const p = pane(async () => ({ undone: [pair('a')], left: [pair('b')] }));
    p.wayBack.preview = { run: 1, pairs: [pair('a'), pair('b'), pair('c', 'changed')] };
    await p.wayBack.undo();
    expect(p.calls).to.deep.equal(['undo with list old,a,b']);
    expect(p.profile().exceptionList).to.deep.equal(['old', 'a']);
    expect(p.wayBack.note).to.deep.equal({ kind: 'done', undone: 1, left: 1 });
    expect(p.wayBack.preview).to.equal(undefined);
  });

  it('an undo that could not start takes its pairs off the list again and says why', async () => {
    const p = pane(async () => {
      throw Object.assign(new Error('cannot reach the gateway'), { code: 'unreachable', params: {} });
    });
    p.wayBack.preview = { run: 1, pairs: [pair('a')] };
    await p.wayBack.undo();
    expect(p.profile().exceptionList).to.deep.equal(['old']);
    expect(p.wayBack.note).to.include({ kind: 'error', code: 'unreachable' });
  });

  it('refuses while the exception list is included (the next run would write the items again)', async () => {
    const p = pane(async () => ({ undone: [], left: [] }), {
      misc: { ...defaultProfile().misc, includeExceptionList: true },
    });
    p.wayBack.preview = { run: 1, pairs: [pair('a')] };
    await p.wayBack.undo();
    expect(p.calls).to.deep.equal([]);
    expect(p.saved).to.deep.equal([]);
    expect(p.wayBack.note).to.include({ kind: 'error', code: 'undo-exceptions-included' });
  });
});
