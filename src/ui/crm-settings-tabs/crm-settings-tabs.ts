import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { translatorContext } from '../contexts.js';
import type { Translator } from '../i18n/translator.js';
import { tokens } from '../styles/tokens.js';
import { styles } from './crm-settings-tabs.styles.js';
import '@fluentui/web-components/tab.js';
import '@fluentui/web-components/tablist.js';
import { SETTINGS_TABS, type SettingsTabId } from './tab-ids.js';

export { SETTINGS_TABS, type SettingsTabId } from './tab-ids.js';

export interface TabChangeDetail {
  readonly tab: SettingsTabId;
}

const tabOf = (id: string | undefined): SettingsTabId | undefined => SETTINGS_TABS.find((tab) => id === `tab-${tab}`);

/**
 * The settings tab strip: Fluent's tab list (WAI-ARIA tabs: arrow keys, Home and End move between
 * tabs and select them; only the selected tab is in the tab order). The tabs carry short names so
 * that the six fit one row of the pane; each page starts with the seed's full name of its tab.
 * Each tab's content is slotted by name.
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
      <fluent-tablist
        size="small"
        aria-label=${t.t('tabs.label')}
        activeid="tab-${this.selected}"
        @change=${this.onChange}
      >
        ${SETTINGS_TABS.map(
          (id) =>
            html`<fluent-tab id="tab-${id}" aria-controls="panel-${id}" title=${t.t(`tab.${id}`)}
              >${t.t(`tabShort.${id}`)}</fluent-tab
            >`,
        )}
      </fluent-tablist>
      ${SETTINGS_TABS.map(
        (id) =>
          html`<div
            role="tabpanel"
            id="panel-${id}"
            aria-labelledby="tab-${id}"
            tabindex="0"
            ?hidden=${id !== this.selected}
          >
            <h3>${t.t(`tab.${id}`)}</h3>
            <slot name=${id}></slot>
          </div>`,
      )}
    `;
  }

  private onChange = (event: Event): void => {
    // (Fluent's tab list says which tab it shows now; `change` of a slotted control inside a page
    // does not cross the shadow root, so only the tab list's own event is read.)
    const tab = tabOf((event.target as HTMLElement & { activeid?: string }).activeid);
    if (!tab || tab === this.selected) return;
    this.selected = tab;
    this.dispatchEvent(
      new CustomEvent<TabChangeDetail>('crm-tab-change', { detail: { tab }, bubbles: true, composed: true }),
    );
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
