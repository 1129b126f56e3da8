import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { translatorContext } from '../contexts.js';
import type { Translator } from '../i18n/translator.js';
import { tokens } from '../styles/tokens.js';
import { styles } from './crm-settings-tabs.styles.js';

/** The six tab pages of the seed's "SAP CRM Calendar Synchronization Settings" dialog, in its order. */
export const SETTINGS_TABS = ['calendar', 'general', 'sync', 'conflicts', 'misc', 'series'] as const;
export type SettingsTabId = (typeof SETTINGS_TABS)[number];

export interface TabChangeDetail {
  readonly tab: SettingsTabId;
}

/**
 * The settings tab strip (WAI-ARIA tabs pattern: arrow keys, Home and End move between tabs; only the
 * selected tab is in the tab order). Each tab's content is slotted by name.
 *
 * @fires crm-tab-change - the user selected another tab; `detail.tab` names it.
 * @slot calendar - content of "SAP CRM Calendar Properties"; likewise `general`, `sync`, `conflicts`, `misc`, `series`.
 */
@customElement('crm-settings-tabs')
export class CrmSettingsTabs extends LitElement {
  static override styles = [tokens, styles];

  @consume({ context: translatorContext, subscribe: true })
  @property({ attribute: false })
  translator?: Translator;

  @property({ reflect: true }) selected: SettingsTabId = 'calendar';

  override render() {
    const t = this.translator;
    if (!t) return html``;
    return html`
      <div role="tablist" aria-label=${t.t('tabs.label')} @keydown=${this.onKeyDown}>
        ${SETTINGS_TABS.map(
          (id) =>
            html`<button
              role="tab"
              id="tab-${id}"
              aria-controls="panel-${id}"
              aria-selected=${id === this.selected ? 'true' : 'false'}
              tabindex=${id === this.selected ? 0 : -1}
              @click=${() => this.select(id)}
            >
              ${t.t(`tab.${id}`)}
            </button>`,
        )}
      </div>
      ${SETTINGS_TABS.map(
        (id) =>
          html`<div
            role="tabpanel"
            id="panel-${id}"
            aria-labelledby="tab-${id}"
            tabindex="0"
            ?hidden=${id !== this.selected}
          >
            <slot name=${id}></slot>
          </div>`,
      )}
    `;
  }

  private select(tab: SettingsTabId, focus = false): void {
    if (tab !== this.selected) {
      this.selected = tab;
      this.dispatchEvent(
        new CustomEvent<TabChangeDetail>('crm-tab-change', { detail: { tab }, bubbles: true, composed: true }),
      );
    }
    if (focus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${tab}`)?.focus());
  }

  private onKeyDown = (event: KeyboardEvent): void => {
    const index = SETTINGS_TABS.indexOf(this.selected);
    const last = SETTINGS_TABS.length - 1;
    const target =
      event.key === 'ArrowRight'
        ? index === last
          ? 0
          : index + 1
        : event.key === 'ArrowLeft'
          ? index === 0
            ? last
            : index - 1
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? last
              : undefined;
    if (target === undefined) return;
    event.preventDefault();
    this.select(SETTINGS_TABS[target]!, true);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'crm-settings-tabs': CrmSettingsTabs;
  }
  interface HTMLElementEventMap {
    'crm-tab-change': CustomEvent<TabChangeDetail>;
  }
}
