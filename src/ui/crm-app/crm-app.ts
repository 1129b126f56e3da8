import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { provide } from '@lit/context';
import { translatorContext } from '../contexts.js';
import { createTranslator, type Translator } from '../i18n/translator.js';
import { tokens } from '../styles/tokens.js';
import { SETTINGS_TABS } from '../crm-settings-tabs/crm-settings-tabs.js';
import '../crm-settings-tabs/crm-settings-tabs.js';
import { styles } from './crm-app.styles.js';

/**
 * Where the task pane runs: inside Outlook, in a plain browser (demo mode), or without office.js;
 * `starting` while office.js has not told yet (outside Office it takes seconds to give up on a host).
 */
export type HostMode = 'starting' | 'outlook' | 'browser' | 'office-missing';

/**
 * The ribbon task pane ("CRM Sync"): title, host banner and the settings tabs.
 */
@customElement('crm-app')
export class CrmApp extends LitElement {
  static override styles = [tokens, styles];

  @provide({ context: translatorContext })
  @property({ attribute: false })
  translator: Translator = createTranslator('en');

  @property() mode: HostMode = 'starting';

  override render() {
    const { t } = this.translator;
    return html`
      <header>
        <h1>${t('app.title')}</h1>
        <p>${t('app.subtitle')}</p>
      </header>
      ${
        this.mode === 'browser'
          ? html`<div class="banner warning" role="status">${t('app.outsideOffice')}</div>`
          : this.mode === 'office-missing'
            ? html`<div class="banner error" role="alert">${t('app.officeMissing')}</div>`
            : null
      }
      <crm-settings-tabs>
        ${SETTINGS_TABS.map((id) => html`<p slot=${id} class="not-yet">${t('tab.notYet')}</p>`)}
      </crm-settings-tabs>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crm-app': CrmApp;
  }
}
