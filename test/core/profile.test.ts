import { describe, it } from 'node:test';
import { expect } from 'chai';
import { defaultProfile, type Profile } from '../../src/core/profile/profile.js';
import { validateProfile } from '@crm-sync/common/profile-validate';
import {
  parseProfile,
  ProfileTooLargeError,
  ProfileVersionError,
  serializeRoamingProfile,
} from '../../src/core/profile/serialize.js';

const configured = (): Profile => ({
  ...defaultProfile(),
  general: { gatewayUrl: 'https://crm-gw.example.com/dav', userId: 'anna', activitiesCalendarId: '', tasksListId: '' },
});

describe('profile defaults (the seed)', () => {
  it('syncs manually, both ways, activities and tasks, and leaves private items alone', () => {
    const p = defaultProfile();
    expect([p.automatic.onPaneOpen, p.automatic.everyMinutes, p.automatic.onSaveOrSend]).to.deep.equal([
      false,
      0,
      false,
    ]);
    expect(p.sync.direction).to.equal('both');
    expect(p.sync.itemTypes).to.equal('both');
    expect(p.series.syncPrivate).to.equal(false);
    expect(p.misc.useUserExits).to.equal(false);
    expect(p.misc.userExitMethod).to.equal('crmCalendarUserExit');
  });
});

describe('validateProfile', () => {
  it('accepts a configured default profile', () => {
    expect(validateProfile(configured())).to.deep.equal([]);
  });

  it('names each wrong field', () => {
    const p = configured();
    const bad: Profile = {
      ...p,
      general: { ...p.general, gatewayUrl: 'crm-gw', userId: ' ' },
      sync: { ...p.sync, daysBack: -1, daysAhead: 1.5 },
      automatic: { ...p.automatic, everyMinutes: 2 },
      misc: { ...p.misc, conflictColorCrm: 'blue', useUserExits: true, userExitMethod: 'drop table' },
      series: { ...p.series, infiniteSeriesYears: 0 },
    };
    expect(validateProfile(bad).map((f) => `${f.field}:${f.code}`)).to.have.members([
      'general.gatewayUrl:url',
      'general.userId:required',
      'sync.daysBack:range',
      'sync.daysAhead:range',
      'automatic.everyMinutes:range',
      'misc.conflictColorCrm:color',
      'misc.userExitMethod:identifier',
      'series.infiniteSeriesYears:range',
    ]);
  });

  it('takes a plain http:// gateway address only on this computer (the password goes in every request)', () => {
    const codes = (gatewayUrl: string) =>
      validateProfile({ ...configured(), general: { ...configured().general, gatewayUrl } }).map((f) => f.code);
    for (const local of [
      'http://localhost:4000/dav/',
      'http://127.0.0.1:8443/',
      'http://[::1]:4000',
      'HTTPS://crm-gw.example.com',
    ])
      expect(codes(local), local).to.deep.equal([]);
    for (const remote of [
      'http://crm-gw.example.com/dav/',
      'http://localhost.example.com/',
      'http://127.0.0.1.nip.io/',
      'http://10.0.0.5:4000/',
    ])
      expect(codes(remote), remote).to.deep.equal(['https']);
  });
});

describe('profile serialisation', () => {
  it('round-trips through the roaming JSON', () => {
    const p = configured();
    expect(parseProfile(JSON.parse(serializeRoamingProfile(p)))).to.deep.equal({ profile: p, replaced: [] });
  });

  it('keeps the exception list’s labels; a label of another shape is left out', () => {
    const p: Profile = {
      ...configured(),
      exceptionList: ['uid:a', 'crm:1'],
      exceptionLabels: { 'uid:a': { subject: 'Visit A', when: '2026-12-07' }, 'crm:1': { subject: 'Offer' } },
    };
    expect(parseProfile(JSON.parse(serializeRoamingProfile(p))).profile).to.deep.equal(p);
    const odd = parseProfile({
      ...p,
      exceptionLabels: { 'uid:a': { subject: 7 }, 'crm:1': { subject: 'Offer', when: 3 } },
    });
    expect(odd.profile.exceptionLabels).to.deep.equal({ 'crm:1': { subject: 'Offer' } });
    expect(parseProfile({ ...p, exceptionLabels: [] }).profile.exceptionLabels).to.equal(undefined);
  });

  it('never writes a password or token to the roaming part', () => {
    const withSecret = { ...configured(), general: { ...configured().general, password: 'hunter2' }, appToken: 't0k' };
    const text = serializeRoamingProfile(withSecret as Profile);
    expect(text).not.to.include('hunter2');
    expect(text).not.to.include('t0k');
  });

  it('replaces fields of the wrong type with their default and reports them', () => {
    const stored = JSON.parse(serializeRoamingProfile(configured()));
    stored.sync.daysBack = 'thirty';
    stored.series = 'yes';
    stored.unknown = { x: 1 };
    const { profile, replaced } = parseProfile(stored);
    expect(profile.sync.daysBack).to.equal(defaultProfile().sync.daysBack);
    expect(profile.series).to.deep.equal(defaultProfile().series);
    expect(replaced).to.have.members(['sync.daysBack', 'series']);
    expect(profile).not.to.have.property('unknown');
  });

  it('migrates the unversioned draft and refuses a newer version', () => {
    const { profile } = parseProfile({ period: { back: 7, ahead: 60 }, sync: { direction: 'outlook-to-mobile' } });
    expect(profile.sync).to.include({ daysBack: 7, daysAhead: 60, direction: 'outlook-to-crm' });
    expect(() => parseProfile({ version: 99 })).to.throw(ProfileVersionError, /version 99/);
  });

  it('migrates version 1, which called the CRM side "mobile", and keeps every other setting', () => {
    for (const [direction, now] of [
      ['outlook-to-mobile', 'outlook-to-crm'],
      ['mobile-to-outlook', 'crm-to-outlook'],
      ['both', 'both'],
    ] as const) {
      const { profile, replaced } = parseProfile({
        version: 1,
        sync: { direction, daysBack: 3 },
        conflicts: { handling: 'mobile-wins' },
        misc: { conflictColorMobile: '#123456', conflictColorOutlook: '#654321' },
        automatic: { mobileSales: false },
      });
      expect(replaced, direction).to.deep.equal([]);
      expect(profile.version).to.equal(2);
      expect(profile.sync).to.include({ direction: now, daysBack: 3 });
      expect(profile.conflicts.handling).to.equal('crm-wins');
      expect(profile.misc).to.include({ conflictColorCrm: '#123456', conflictColorOutlook: '#654321' });
      expect(profile.misc).not.to.have.property('conflictColorMobile');
      // "Mobile Sales" is the seed's product name, not the side: it keeps its name.
      expect(profile.automatic.mobileSales).to.equal(false);
    }
    const kept = parseProfile({ version: 1, conflicts: { handling: 'most-recent' } }).profile;
    expect(kept.conflicts.handling).to.equal('most-recent');
  });

  it('refuses a roaming part over 32 KB', () => {
    const big = {
      ...configured(),
      exceptionList: Array.from({ length: 2000 }, (_, i) => `pair-${i}-${'x'.repeat(20)}`),
    };
    expect(() => serializeRoamingProfile(big)).to.throw(ProfileTooLargeError);
  });
});
