import { afterEach, describe, it } from 'node:test';
import { expect } from 'chai';
import { FolderChangedError, SyncError } from '../../core/errors.js';
import { defaultProfile } from '../../core/profile/profile.js';
import type { AppServices } from '../../app/app-services.js';
import type { RunRequest } from '../../app/sync-service.js';
import { createTranslator } from '../i18n/translator-all.js';
import { chosenLanguage, languageOf, LANGUAGE_KEY } from '../i18n/language.js';
import type { CrmApp } from './crm-app.js';
import './crm-app.js';

const settle = () => new Promise((r) => setTimeout(r, 20));

/** Services whose first run stops because the calendar changed; the runs after it record their request. */
function services() {
  const runs: RunRequest[] = [];
  const p = defaultProfile();
  const profile = { ...p, general: { ...p.general, gatewayUrl: 'https://gw.example.com/dav/', userId: 'anna' } };
  const folder = (id: string, name: string) => ({ id, name, isDefault: id === 'A', canWrite: true });
  const s = {
    mode: 'demo',
    profiles: {
      load: async () => ({ profile, locked: [], replaced: [], hasPassword: true, storage: 'browser' }),
      password: async () => 'pw',
    },
    sync: {
      run: async (r: RunRequest) => {
        runs.push(r);
        if (runs.length === 1) throw new FolderChangedError([{ kind: 'activity', from: 'A', to: 'B', pairs: 12 }]);
        return { dryRun: false, pending: [], errors: [], unreadable: [], written: {} };
      },
      history: async () => [],
      pending: async () => [],
      subjects: async () => new Map(),
      stateWhere: async () => 'account',
      log: { list: async () => [] },
      folders: async () => ({
        calendars: [folder('A', 'Calendar'), folder('B', '<b>Customer visits</b>')],
        taskLists: [],
      }),
    },
  } as unknown as AppServices;
  return { s, runs };
}

/** The pane in the browser with `s`, in `language`, after the user pressed Sync now once. */
async function mountAndSync(s: AppServices, language = 'en') {
  const el = document.createElement('crm-app') as CrmApp;
  el.mode = 'browser';
  el.services = s;
  el.translator = createTranslator(language);
  document.body.append(el);
  await settle();
  const panel = el.shadowRoot!.querySelector('crm-sync-panel')!;
  panel.dispatchEvent(new CustomEvent('crm-sync-request', { detail: { dryRun: false } }));
  await settle();
  await el.updateComplete;
  return { el, panel };
}

describe('crm-app: a change of the Outlook folder (issue 13, point 10)', () => {
  afterEach(() => document.body.replaceChildren());

  it('asks to move the synchronized items or start a new pairing, names both folders, and runs the answer', async () => {
    const { s, runs } = services();
    const { el } = await mountAndSync(s);
    const section = el.shadowRoot!.querySelector('.folder-change');
    expect(section, 'the question').to.not.equal(null);
    const text = section!.textContent!.replace(/\s+/g, ' ');
    expect(text).to.include(
      'The Outlook calendar is now “<b>Customer visits</b>”, but 12 items are synchronized with “Calendar”',
    );
    expect(section!.querySelector('b'), 'a folder name is text, not markup').to.equal(null);
    expect(text).to.include('Meetings with attendees stay in the old calendar');
    expect(text).to.include('The items in the old folder stay there and are no longer synchronized');
    const [move, fresh] = [...section!.querySelectorAll<HTMLButtonElement>('fluent-button')];
    expect(move!.textContent).to.match(/Move the 12 synchronized items/);
    move!.click();
    await settle();
    expect(runs.map((r) => r.folderChange)).to.deep.equal([undefined, 'move']);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.folder-change'), 'answered: the question goes').to.equal(null);
    expect(fresh!.textContent).to.match(/Start a new pairing/);
  });
});

describe('crm-app: where the sync state is kept (issue 15)', () => {
  afterEach(() => document.body.replaceChildren());

  it('says when a CalDAV server keeps no state, and what another Outlook then does; says nothing with the account', async () => {
    const banner = (el: CrmApp) =>
      [...el.shadowRoot!.querySelectorAll('.banner')].map((b) => b.textContent!.replace(/\s+/g, ' ')).join(' ');
    const { s } = services();
    const shared = await mountAndSync(s);
    expect(banner(shared.el)).not.to.include('keeps no synchronization state');
    document.body.replaceChildren();
    (s.sync as { stateWhere: unknown }).stateWhere = async () => 'device';
    const { el } = await mountAndSync(s);
    expect(banner(el)).to.include('This CalDAV server keeps no synchronization state');
    expect(banner(el)).to.include('Another Outlook of yours starts with a first synchronization');
  });

  it('says when the gateway cannot be reached, and as of when the lists are', async () => {
    const banner = (el: CrmApp) =>
      [...el.shadowRoot!.querySelectorAll('.banner')].map((b) => b.textContent!.replace(/\s+/g, ' ')).join(' ');
    const { s } = services();
    const at = new Date(2026, 11, 3, 17, 5).getTime();
    Object.assign(s.sync, { stateWhere: async () => 'unreachable', cachedAt: async () => at });
    const { el } = await mountAndSync(s);
    expect(banner(el)).to.include('The CRM gateway cannot be reached. The lists show your synchronization state');
    expect(banner(el)).to.include(new Date(at).toLocaleString('en', { dateStyle: 'short', timeStyle: 'short' }));
    document.body.replaceChildren();
    Object.assign(s.sync, { cachedAt: async () => undefined });
    const never = await mountAndSync(s, 'de-DE');
    expect(banner(never.el)).to.include('Das CRM-Gateway ist nicht erreichbar, und dieses Gerät hat');
  });
});

describe('crm-app: why a run stopped, in the user’s language (issue 14, point 2)', () => {
  afterEach(() => document.body.replaceChildren());

  it('shows an error of the catalogue in German, with the side named in words', async () => {
    const { s } = services();
    (s.sync as { run: unknown }).run = async () => {
      throw new SyncError('mass-delete', { side: 'crm', deletions: 12, total: 20 });
    };
    const { panel } = await mountAndSync(s, 'de-DE');
    expect(panel.getAttribute('failure')).to.equal(
      'Zur Sicherheit angehalten: Dieser Lauf würde 12 von 20 Elementen auf der Seite CRM löschen. Bestätigen Sie, um fortzufahren.',
    );
  });
});

describe('crm-app: the pane’s language (issue 18)', () => {
  afterEach(() => {
    document.body.replaceChildren();
    localStorage.removeItem(LANGUAGE_KEY);
  });

  it('follows Outlook until the user chooses another; the choice is kept on this device', async () => {
    const el = document.createElement('crm-app') as CrmApp;
    el.mode = 'browser';
    el.outlookLanguage = 'de-DE';
    el.translator = createTranslator(languageOf(chosenLanguage(), 'de-DE'));
    el.services = services().s;
    document.body.append(el);
    await settle();
    const title = () => el.shadowRoot!.querySelector('h1')!.textContent!.trim();
    // Fluent's drop-down list (defined right after the first render: deferred.ts), once in place.
    const select = el.shadowRoot!.querySelector('header fluent-dropdown') as HTMLElement & {
      value: string;
      listbox?: HTMLElement;
    };
    for (let i = 0; i < 250 && !select.listbox; i++) await settle();
    expect([title(), select.value]).to.deep.equal(['CRM-Kalendersynchronisation', 'outlook']);
    // (A catalog other than English loads when first chosen: the title changes when it is there.)
    const shows = async (text: string) => {
      for (let i = 0; i < 250 && title() !== text; i++) await settle();
    };
    select.value = 'en';
    select.dispatchEvent(new Event('change'));
    await shows('CRM Calendar Sync');
    expect([title(), localStorage.getItem(LANGUAGE_KEY), chosenLanguage()]).to.deep.equal([
      'CRM Calendar Sync',
      'en',
      'en',
    ]);
    // Back to Outlook's: the choice is forgotten and the pane speaks German again.
    select.value = 'outlook';
    select.dispatchEvent(new Event('change'));
    await shows('CRM-Kalendersynchronisation');
    expect([title(), localStorage.getItem(LANGUAGE_KEY)]).to.deep.equal(['CRM-Kalendersynchronisation', null]);
  });
});
