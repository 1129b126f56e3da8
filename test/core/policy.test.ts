// The profile compiled into the policy a run obeys (issue 14, point 1): every setting of the profile
// reaches the policy, so a setting that nothing reads fails here — unless the schema marks it as not
// available in this version, which the settings form then shows disabled (crm-settings-form.test.ts).
import { describe, it } from 'node:test';
import { expect } from 'chai';
import { defaultProfile, type Profile } from '../../src/core/profile/profile.js';
import { settingFields, type SettingSpec } from '@crm-sync/common/profile-schema';
import { validateProfile } from '@crm-sync/common/profile-validate';
import { compilePolicy, type SyncPolicy } from '../../src/core/sync/policy.js';
import { NOW } from './support/plan-fixtures.js';

const getPath = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], o);
const setPath = <T>(o: T, path: string, value: unknown): T => {
  const [head, ...rest] = path.split('.');
  const obj = o as Record<string, unknown>;
  return { ...obj, [head!]: rest.length ? setPath(obj[head!], rest.join('.'), value) : value } as T;
};

/** A configured profile in which every setting matters (user exits on, both applications ticked). */
const base = (): Profile => {
  const p = defaultProfile();
  return {
    ...p,
    general: { ...p.general, gatewayUrl: 'https://crm-gw.example.com/dav/', userId: 'anna' },
    automatic: { ...p.automatic, mobileService: true },
    misc: { ...p.misc, useUserExits: true },
  };
};

/** Another valid value of a setting than `value`. */
function another(spec: SettingSpec, value: unknown): unknown {
  switch (spec.control) {
    case 'checkbox':
      return !value;
    case 'number':
      return value === spec.max ? spec.max! - 1 : spec.max;
    case 'select':
      return spec.options!.find((o) => o !== value);
    case 'color':
      return value === '#123456' ? '#654321' : '#123456';
    case 'url':
      return 'https://other-gateway.example.com/dav/';
    default:
      return `${String(value)}X`;
  }
}

/** The policy as plain data (sets as sorted lists, the conflict strategy by its name). */
const plain = (p: SyncPolicy) =>
  JSON.parse(
    JSON.stringify({ ...p, conflicts: p.conflicts.name }, (_k, v: unknown) => (v instanceof Set ? [...v].sort() : v)),
  ) as unknown;

describe('compilePolicy: every setting is read', () => {
  const before = plain(compilePolicy(base(), NOW));

  for (const spec of settingFields)
    it(`${spec.path}${spec.unavailable ? ' (not available in this version: read by nothing)' : ''}`, () => {
      const changed = setPath(base(), spec.path, another(spec, getPath(base(), spec.path)));
      expect(validateProfile(changed), 'the other value is valid').to.deep.equal([]);
      const after = plain(compilePolicy(changed, NOW));
      if (spec.unavailable) expect(after).to.deep.equal(before);
      else expect(after, `changing ${spec.path} changes nothing the synchronization reads`).not.to.deep.equal(before);
    });

  it('exceptionList', () => {
    const changed = { ...base(), exceptionList: ['uid:someone'] };
    expect(plain(compilePolicy(changed, NOW))).not.to.deep.equal(before);
  });

  it('one-way: the source wins every conflict and only the target is written', () => {
    const p = base();
    const policy = compilePolicy({ ...p, sync: { ...p.sync, direction: 'crm-to-outlook' } }, NOW);
    expect(policy.writable).to.deep.equal({ outlook: true, crm: false });
    expect(policy.source).to.equal('crm');
    expect(policy.conflicts.resolve({ pairKey: 'k' })).to.equal('crm');
    expect(policy.conflicts.name).to.equal('one-way sync');
  });

  it('applications: neither ticked carries every application (manual synchronization)', () => {
    const p = base();
    const none = compilePolicy({ ...p, automatic: { ...p.automatic, mobileSales: false, mobileService: false } }, NOW);
    expect(none.applications).to.equal(undefined);
    const sales = compilePolicy({ ...p, automatic: { ...p.automatic, mobileService: false } }, NOW);
    expect([...sales.applications!]).to.deep.equal(['SALES']);
  });
});
