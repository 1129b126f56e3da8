import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { CrmContext, CrmRef } from '../../core/model/crm-context.js';
import { translatorContext } from '../contexts.js';
import type { MessageKey, Translator } from '../i18n/translator.js';
import { tokens } from '../styles/tokens.js';
import { styles } from './crm-context-pane.styles.js';

export type CrmPaneState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'outside-office' }
  | { readonly kind: 'none' }
  | { readonly kind: 'error'; readonly detail: string }
  | { readonly kind: 'context'; readonly context: CrmContext };

/**
 * The SAP CRM pane of an appointment: the seed's Custom Forms (Business Partner, Contact Person,
 * Opportunity). All values come from the item and are rendered as text, never as HTML.
 */
@customElement('crm-context-pane')
export class CrmContextPane extends LitElement {
  static override styles = [tokens, styles];

  @consume({ context: translatorContext, subscribe: true })
  @property({ attribute: false })
  translator?: Translator;

  @property({ attribute: false }) state: CrmPaneState = { kind: 'loading' };

  override render() {
    const t = this.translator;
    if (!t) return html``;
    return html`<h1>${t.t('crmPane.title')}</h1>
      ${this.renderBody(t)}`;
  }

  private renderBody(t: Translator) {
    const state = this.state;
    switch (state.kind) {
      case 'loading':
        return html`<p class="message" role="status">${t.t('crmPane.loading')}</p>`;
      case 'outside-office':
        return html`<p class="message">${t.t('crmPane.outsideOffice')}</p>`;
      case 'none':
        return html`<p class="message">${t.t('crmPane.none')}</p>`;
      case 'error':
        return html`<p class="error" role="alert">${t.t('crmPane.unreadable', { detail: state.detail })}</p>`;
      case 'context': {
        const c = state.context;
        const row = (key: MessageKey, ref: CrmRef | undefined) =>
          ref
            ? html`<dt>${t.t(key)}</dt>
                <dd>${ref.label} <span class="id">(${ref.id})</span></dd>`
            : null;
        return html`<dl>
          ${row('crmPane.businessPartner', c.businessPartner)} ${row('crmPane.contactPerson', c.contactPerson)}
          ${row('crmPane.opportunity', c.opportunity)}
          ${
            c.application
              ? html`<dt>${t.t('crmPane.application')}</dt>
                  <dd>${c.application === 'SALES' ? 'Mobile Sales' : 'Mobile Service'}</dd>`
              : null
          }
          ${
            c.activityId
              ? html`<dt>${t.t('crmPane.activityId')}</dt>
                  <dd>${c.activityId}</dd>`
              : null
          }
        </dl>`;
      }
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crm-context-pane': CrmContextPane;
  }
}
