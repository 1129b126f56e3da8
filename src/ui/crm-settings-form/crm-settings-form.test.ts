import { afterEach, describe, it } from 'node:test';
import { expect } from 'chai';
import { Updates } from '@microsoft/fast-element';
import { createTranslator } from '../i18n/translator-all.js';
import type { MessageKey } from '../i18n/translator.js';
import { defaultProfile, type Profile } from '../../core/profile/profile.js';
import { validateProfile } from '@crm-sync/common/profile-validate';
import { settingFields } from '@crm-sync/common/profile-schema';
import { SETTINGS_TABS, type SettingsTabId } from '../crm-settings-tabs/crm-settings-tabs.js';
import { ALL_FIELD_PATHS, TAB_FIELDS } from './fields.js';
import type { CrmSettingsForm, FieldChangeDetail } from './crm-settings-form.js';
import { mountElement } from '../testing/mount.js';
import './crm-settings-form.js';

/** The form on the page, rendered, with Fluent's controls settled (their buttons and lists in place). */
async function mount(
  tab: SettingsTabId,
  props: Partial<CrmSettingsForm> = {},
  language = 'en',
): Promise<CrmSettingsForm> {
  const form = await mountElement(
    'crm-settings-form',
    (f) => Object.assign(f, { tab, profile: defaultProfile(), ...props }),
    language,
  );
  await Updates.next();
  await new Promise((r) => requestAnimationFrame(r));
  return form;
}

const leafPaths = (o: unknown, prefix = ''): string[] =>
  Object.entries(o as Record<string, unknown>).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v) ? leafPaths(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );

describe('crm-settings-form', () => {
  afterEach(() => document.body.replaceChildren());

  it('has a field for every option of the profile, labelled in English and German', () => {
    const options = leafPaths(defaultProfile()).filter((p) => p !== 'version' && p !== 'exceptionList');
    expect([...ALL_FIELD_PATHS].filter((p) => p !== 'password').sort()).to.deep.equal(options.sort());
    for (const language of ['en', 'de']) {
      const { t } = createTranslator(language);
      for (const tab of SETTINGS_TABS)
        for (const f of TAB_FIELDS[tab]) {
          expect(t(`field.${f.path}` as MessageKey), `${language} label of ${f.path}`).not.to.equal(`field.${f.path}`);
          if (f.help) expect(t(`help.${f.path}` as MessageKey)).not.to.equal(`help.${f.path}`);
          for (const o of f.options ?? [])
            expect(t(`option.${f.path}.${o}` as MessageKey)).not.to.equal(`option.${f.path}.${o}`);
        }
    }
  });

  it('shows an option this version does not offer disabled, its help text saying so', async () => {
    const unavailable = settingFields.filter((f) => f.unavailable);
    expect(unavailable.map((f) => f.path)).to.deep.equal(['automatic.onSaveOrSend']);
    for (const f of unavailable) {
      expect(f.help, `${f.path} explains itself`).to.equal(true);
      const form = await mount(f.tab);
      const input = form.shadowRoot!.querySelector<HTMLInputElement>(`#f-${f.path.replace(/\./g, '-')}`)!;
      expect(input.disabled, `${f.path} disabled`).to.equal(true);
      const help = form.shadowRoot!.getElementById(input.getAttribute('aria-describedby')!.split(' ')[0]!)!;
      expect(help.textContent).to.match(/^Not available yet/);
      document.body.replaceChildren();
    }
  });

  it('shows the validation message of a field next to it, in the user’s language', async () => {
    const profile: Profile = { ...defaultProfile(), sync: { ...defaultProfile().sync, daysBack: 99999 } };
    const form = await mount('sync', { profile, findings: validateProfile(profile) }, 'de-DE');
    // What a screen reader gets: the input inside Fluent's text field is invalid and described by the
    // help text and the message (ARIA element reflection, across the field's shadow root).
    const field = form.shadowRoot!.querySelector('#f-sync-daysBack') as HTMLElement & { control: HTMLInputElement };
    expect(field.control.ariaInvalid).to.equal('true');
    const described = field.control.ariaDescribedByElements ?? [];
    expect(described.map((el) => el.textContent)).to.deep.equal(['Geben Sie eine ganze Zahl von 0 bis 3650 ein.']);
    const fine = form.shadowRoot!.querySelector('#f-sync-daysAhead') as HTMLElement & { control: HTMLInputElement };
    expect(fine.control.ariaInvalid).to.equal('false');
  });

  it('sends every change as an event with a typed value, and changes nothing itself', async () => {
    const form = await mount('sync');
    const seen: FieldChangeDetail[] = [];
    form.addEventListener('crm-field-change', (e) => seen.push((e as CustomEvent<FieldChangeDetail>).detail));
    const root = form.shadowRoot!;
    const days = root.querySelector<HTMLInputElement>('#f-sync-daysAhead')!;
    days.value = '90';
    days.dispatchEvent(new Event('change'));
    const direction = root.querySelector('#f-sync-direction') as HTMLElement & { value: string };
    direction.value = 'crm-to-outlook';
    direction.dispatchEvent(new Event('change'));
    root.querySelector<HTMLInputElement>('#f-sync-useForms')!.click();
    expect(seen).to.deep.equal([
      { path: 'sync.daysAhead', value: 90 },
      { path: 'sync.direction', value: 'crm-to-outlook' },
      { path: 'sync.useForms', value: false },
    ]);
    expect(form.profile!.sync.daysAhead).to.equal(defaultProfile().sync.daysAhead);
  });

  it('"all" confirmations sets the three together and shows when only some are on', async () => {
    const p = defaultProfile();
    const form = await mount('conflicts', { profile: { ...p, conflicts: { ...p.conflicts, confirmNew: true } } });
    const all = form.shadowRoot!.querySelector<HTMLInputElement>('#f-conflicts-confirmAll')!;
    expect([all.checked, all.indeterminate]).to.deep.equal([false, true]);
    const seen: FieldChangeDetail[] = [];
    form.addEventListener('crm-field-change', (e) => seen.push((e as CustomEvent<FieldChangeDetail>).detail));
    all.click();
    expect(seen).to.deep.equal([
      { path: 'conflicts.confirmNew', value: true },
      { path: 'conflicts.confirmModified', value: true },
      { path: 'conflicts.confirmDeleted', value: true },
    ]);
  });

  it('a drop-down list shows the value of the profile it is given (also after Cancel), labelled and described', async () => {
    const form = await mount('conflicts');
    const list = form.shadowRoot!.querySelector('#f-conflicts-handling') as HTMLElement & {
      value: string;
      control: HTMLElement;
    };
    const first = list.value;
    const other = [...list.querySelectorAll<HTMLOptionElement>('fluent-option')].find((o) => o.value !== first)!.value;
    const p = form.profile!;
    form.profile = { ...p, conflicts: { ...p.conflicts, handling: other as typeof p.conflicts.handling } };
    await form.updateComplete;
    expect(list.value).to.equal(other);
    form.profile = p;
    await form.updateComplete;
    expect(list.value).to.equal(first);
    // Its button (Fluent puts it beside the options) carries the label and the help text.
    expect((list.control.ariaLabelledByElements ?? []).map((el) => el.textContent)).to.deep.equal([
      'When an item changed on both sides',
    ]);
    expect(list.control.getAttribute('aria-expanded'), 'a combobox says it is collapsed').to.equal('false');
    document.body.replaceChildren();
    const general = await mount('general', { folders: { calendars: [], taskLists: [] } });
    const tasks = general.shadowRoot!.querySelector('#f-general-tasksListId') as HTMLElement & { control: HTMLElement };
    expect((tasks.control.ariaDescribedByElements ?? []).map((el) => el.textContent)).to.deep.equal([
      'After a change of calendar or list, the next synchronization asks first: move the items synchronized so far to the new folder, or start a new pairing with it (the old folder is then left as it is).',
    ]);
  });

  it('conflict colours: a list of named Fluent colours with swatches; a colour set otherwise is kept, nothing else goes into a style', async () => {
    type List = HTMLElement & { value: string };
    const p = defaultProfile();
    const names = (list: Element) => [...list.querySelectorAll('fluent-option')].map((o) => o.textContent!.trim());
    const form = await mount('misc');
    const outlook = form.shadowRoot!.querySelector('#f-misc-conflictColorOutlook') as List;
    expect([outlook.value, names(outlook).length, names(outlook)[0]]).to.deep.equal(['#c50f1f', 16, 'Cranberry']);
    expect((form.shadowRoot!.querySelector('#f-misc-conflictColorCrm') as List).value).to.equal('#0f6cbd');
    document.body.replaceChildren();
    const odd = await mount(
      'misc',
      { profile: { ...p, misc: { ...p.misc, conflictColorOutlook: '#123456', conflictColorCrm: 'red;x:url(y)' } } },
      'de-DE',
    );
    const own = odd.shadowRoot!.querySelector('#f-misc-conflictColorOutlook') as List;
    expect([own.value, names(own).at(-1), names(own)[1]]).to.deep.equal(['#123456', 'Eigene (#123456)', 'Rot']);
    const bad = odd.shadowRoot!.querySelector('#f-misc-conflictColorCrm') as List;
    expect(names(bad)).to.have.length(16);
    expect(odd.shadowRoot!.innerHTML).not.to.include('url(y)');
  });

  it('a field the administrator locked cannot be changed and says why', async () => {
    const form = await mount('sync', { locked: ['sync.direction'] });
    const select = form.shadowRoot!.querySelector<HTMLSelectElement>('#f-sync-direction')!;
    expect(select.disabled).to.equal(true);
    expect(select.parentElement!.textContent).to.include('set by your administrator');
  });

  it('the folder pickers list the Outlook folders, read-only calendars not choosable', async () => {
    const form = await mount('general', {
      folders: {
        calendars: [
          { id: 'c0', name: 'Calendar', isDefault: true, canWrite: true },
          { id: 'c1', name: 'CRM visits', isDefault: false, canWrite: true },
          { id: 'c2', name: 'Holidays (shared)', isDefault: false, canWrite: false },
        ],
        taskLists: [{ id: 't0', name: 'Tasks', isDefault: true, canWrite: true }],
      },
    });
    const options = [
      ...form.shadowRoot!.querySelectorAll<HTMLOptionElement>('#f-general-activitiesCalendarId fluent-option'),
    ];
    expect(options.map((o) => [o.value, o.textContent!.trim(), o.disabled === true])).to.deep.equal([
      ['', 'Default', false],
      ['c1', 'CRM visits', false],
      ['c2', 'Holidays (shared) (read-only)', true],
    ]);
  });

  it('never shows a stored password, only that one is stored', async () => {
    const form = await mount('general', { passwordStored: true });
    const input = form.shadowRoot!.querySelector<HTMLInputElement>('#f-password')!;
    expect(input.type).to.equal('password');
    expect(input.value).to.equal('');
    expect(input.placeholder).to.match(/Saved on this device/);
  });
});
