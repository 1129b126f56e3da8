import { LitElement, html, nothing } from 'lit';
import '../fluent/first.js';
import { customElement, property } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { translatorContext } from '../contexts.js';
import type { MessageKey, Translator } from '../i18n/translator.js';
import { controls } from '../styles/controls.js';
import { disabled } from '../fluent/disabled.js';
import { tieFluentControls } from '../fluent/tie.js';
import '@fluentui/web-components/checkbox.js';
import '@fluentui/web-components/text-input.js';
import '@fluentui/web-components/dropdown.js';
import '@fluentui/web-components/listbox.js';
import '@fluentui/web-components/option.js';
import { tokens } from '../styles/tokens.js';
import type { OutlookFolder } from '../../adapters/graph/folders.js';
import type { Profile } from '../../core/profile/profile.js';
import type { ProfileFinding } from '@crm-sync/common/profile-validate';
import type { SettingsTabId } from '../crm-settings-tabs/crm-settings-tabs.js';
import { getPath } from '../../app/profile-path.js';
import { TAB_FIELDS, type FieldSpec } from './fields.js';
import { CONFLICT_COLORS, colorValue } from './colors.js';
import { styles } from './crm-settings-form.styles.js';

/** What every field's markup is made of (renderField gives it to the drop-down lists). */
interface FieldParts {
  readonly id: string;
  readonly path: string;
  readonly label: string;
  /** "(set by your administrator)", or nothing. */
  readonly lock: unknown;
  readonly off: boolean;
  /** The ids of the help and error texts. */
  readonly describedBy: string;
  /** The help and error texts. */
  readonly after: unknown;
}

export interface FieldChangeDetail {
  readonly path: string;
  readonly value: string | number | boolean;
}

/** Folders for the General tab's pickers; `error` when they could not be listed. */
export interface FolderChoices {
  readonly calendars?: readonly OutlookFolder[];
  readonly taskLists?: readonly OutlookFolder[];
  readonly error?: string;
  /** Outside Outlook: no mailbox to list folders from. */
  readonly outside?: boolean;
}

/**
 * The fields of one settings tab, with their help texts and validation messages. It edits nothing
 * itself: every change goes out as an event, and the app keeps the draft.
 *
 * @fires crm-field-change - a field changed; `detail.path` (dotted profile path, or `password`) and `detail.value`.
 * @fires crm-test-connection - "Test connection" on the General tab.
 */
@customElement('crm-settings-form')
export class CrmSettingsForm extends LitElement {
  static override styles = [tokens, controls, styles];

  @consume({ context: translatorContext, subscribe: true })
  @property({ attribute: false })
  translator?: Translator;

  @property() tab: SettingsTabId = 'calendar';
  @property({ attribute: false }) profile?: Profile;
  @property({ attribute: false }) locked: readonly string[] = [];
  @property({ attribute: false }) findings: readonly ProfileFinding[] = [];
  @property({ attribute: false }) folders: FolderChoices = {};
  /** A password is stored on this device (the field then shows it as set, never its value). */
  @property({ type: Boolean }) passwordStored = false;
  /** Result of the last "Test connection", already in the user's language. */
  @property() connectionStatus = '';

  private t(key: string, values?: Record<string, string>): string {
    return this.translator?.t(key as MessageKey, values) ?? key;
  }

  private emit(path: string, value: FieldChangeDetail['value']): void {
    this.dispatchEvent(
      new CustomEvent<FieldChangeDetail>('crm-field-change', {
        detail: { path, value },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private findingText(f: ProfileFinding): string {
    const params = Object.fromEntries(Object.entries(f.params ?? {}).map(([k, v]) => [k, String(v)]));
    return this.t(`profile.${f.code}`, params);
  }

  private renderField(spec: FieldSpec, p: Profile) {
    if (spec.when && !spec.when(p)) return nothing;
    const id = `f-${spec.path.replace(/\./g, '-')}`;
    const value = spec.path === 'password' ? '' : getPath(p, spec.path);
    const isLocked = this.locked.includes(spec.path);
    // (An option this version does not offer yet is shown, disabled; its help text says so.)
    const off = isLocked || spec.unavailable === true;
    const errors = this.findings.filter((f) => f.field === spec.path);
    const describedBy = [spec.help ? `${id}-help` : '', errors.length ? `${id}-error` : ''].filter(Boolean).join(' ');
    const label = this.t(`field.${spec.path}`);
    const help = spec.help ? html`<p class="help" id="${id}-help">${this.t(`help.${spec.path}`)}</p>` : nothing;
    const error = errors.length
      ? html`<p class="error" id="${id}-error" role="alert">${errors.map((f) => this.findingText(f)).join(' ')}</p>`
      : nothing;
    const lock = isLocked ? html`<span class="lock">${this.t('settings.locked')}</span>` : nothing;
    if (spec.kind === 'all') {
      const all = spec.of!.every((path) => getPath(p, path) === true);
      const some = spec.of!.some((path) => getPath(p, path) === true);
      return html`<div class="field checkbox">
        <fluent-checkbox
          id=${id}
          .checked=${all}
          .indeterminate=${some && !all}
          ${disabled(spec.of!.some((path) => this.locked.includes(path)))}
          @change=${(e: Event) => {
            const on = (e.target as HTMLInputElement).checked;
            for (const path of spec.of!) this.emit(path, on);
          }}
        ></fluent-checkbox>
        <label for=${id}>${label}</label>
      </div>`;
    }
    if (spec.kind === 'checkbox')
      return html`<div class="field checkbox">
        <fluent-checkbox
          id=${id}
          .checked=${value === true}
          ${disabled(off)}
          aria-describedby=${describedBy || nothing}
          @change=${(e: Event) => this.emit(spec.path, (e.target as HTMLInputElement).checked)}
        ></fluent-checkbox>
        <label for=${id}>${label}</label>${lock} ${help} ${error}
      </div>`;
    const field: FieldParts = { id, path: spec.path, label, lock, off, describedBy, after: html`${help} ${error}` };
    if (spec.kind === 'select')
      return this.renderDropdown(
        field,
        spec.options!.map((o) => ({ value: o, text: this.t(`option.${spec.path}.${o}`) })),
        String(value ?? ''),
      );
    else if (spec.kind === 'folder') {
      const list = this.folders[spec.folders!];
      return this.renderDropdown(
        { ...field, off: off || !list },
        [
          { value: '', text: this.t('settings.defaultFolder') },
          ...(list ?? [])
            .filter((f) => !f.isDefault)
            .map((f) => ({
              value: f.id,
              text: `${f.name}${f.canWrite ? '' : ` (${this.t('settings.readOnly')})`}`,
              disabled: !f.canWrite,
            })),
        ],
        String(value ?? ''),
      );
    } else if (spec.kind === 'color') {
      // Fluent 2's web components have no colour picker: a list of Fluent's palette, each colour named
      // and shown; a colour set otherwise stays choosable as it is.
      // (Only a colour goes into a style: the profile's value is checked, not trusted.)
      const current = /^#[0-9a-f]{6}$/i.test(String(value)) ? String(value).toLowerCase() : '';
      const named = CONFLICT_COLORS.map((n) => ({ value: colorValue(n), text: this.t(`color.${n}`) }));
      const options =
        !current || named.some((o) => o.value === current)
          ? named
          : [...named, { value: current, text: this.t('color.custom', { value: current }) }];
      return this.renderDropdown(field, options, current, true);
    }
    // Fluent's text field: its label is slotted into it; the help and error texts are tied to the
    // input inside it in updated() (aria-describedby cannot reach into its shadow root).
    return html`<div class="field">
      <fluent-text-input
        id=${id}
        type=${spec.kind === 'url' || spec.kind === 'password' ? spec.kind : 'text'}
        .value=${spec.kind === 'password' ? '' : String(value ?? '')}
        placeholder=${spec.kind === 'password' && this.passwordStored ? this.t('settings.passwordStored') : ''}
        autocomplete=${spec.kind === 'password' ? 'current-password' : 'off'}
        spellcheck="false"
        class=${spec.kind === 'number' ? 'number' : ''}
        ${disabled(off)}
        aria-invalid=${errors.length ? 'true' : 'false'}
        aria-describedby=${describedBy || nothing}
        @change=${(e: Event) => {
          const raw = (e.target as HTMLInputElement).value;
          this.emit(spec.path, spec.kind === 'number' ? (raw === '' ? Number.NaN : Number(raw)) : raw);
        }}
        >${label}${lock}</fluent-text-input
      >
      ${help} ${error}
    </div>`;
  }

  /**
   * Fluent's drop-down list: labelled by the field's label and described by its help and error texts
   * (both tied to its button in updated()), the option of `value` selected.
   */
  private renderDropdown(
    { id, path, label, lock, off, describedBy, after }: FieldParts,
    options: readonly { value: string; text: string; disabled?: boolean }[],
    value: string,
    swatches = false,
  ) {
    return html`<div class="field">
      <label id="${id}-label" for=${id}>${label}</label>${lock}
      <fluent-dropdown
        id=${id}
        aria-labelledby="${id}-label"
        data-describedby=${describedBy}
        data-value=${value}
        ${disabled(off)}
        @change=${(e: Event) => this.emit(path, (e.target as HTMLSelectElement).value)}
      >
        <fluent-listbox>
          ${options.map(
            (o) =>
              html`<fluent-option value=${o.value} ?selected=${o.value === value} ?disabled=${o.disabled === true}
                >${swatches ? html`<span class="swatch" style="background: ${o.value}"></span>` : nothing}${o.text}</fluent-option
              >`,
          )}
        </fluent-listbox>
      </fluent-dropdown>
      ${swatches ? html`<span class="swatch shown" style="background: ${value}" aria-hidden="true"></span>` : nothing}
      ${after}
    </div>`;
  }

  protected override updated(): void {
    tieFluentControls(this.renderRoot);
  }

  override render() {
    const p = this.profile;
    if (!p || !this.translator) return nothing;
    return html`
      <p class="intro">${this.t(`intro.${this.tab}`)}</p>
      ${TAB_FIELDS[this.tab].map((spec) => this.renderField(spec, p))}
      ${
        this.tab === 'general'
          ? html`${this.folders.outside ? html`<p class="help">${this.t('settings.foldersOutside')}</p>` : nothing}
              ${
                this.folders.error
                  ? html`<p class="error" role="alert">
                      ${this.t('settings.foldersFailed', { detail: this.folders.error })}
                    </p>`
                  : nothing
              }
              <div class="actions">
                <fluent-button
                  @click=${() =>
                    this.dispatchEvent(new CustomEvent('crm-test-connection', { bubbles: true, composed: true }))}
                >
                  ${this.t('settings.testConnection')}
                </fluent-button>
                <span role="status">${this.connectionStatus}</span>
              </div>`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crm-settings-form': CrmSettingsForm;
  }
}
