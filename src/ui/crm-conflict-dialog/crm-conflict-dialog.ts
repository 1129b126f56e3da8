import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { translatorContext } from '../contexts.js';
import type { Translator } from '../i18n/translator.js';
import { tokens } from '../styles/tokens.js';
import type { PendingAction } from '../../core/sync/actions.js';
import type { Side } from '../../core/sync/types.js';
import '../crm-pending-list/crm-pending-list.js';

/**
 * The "SAP CRM Calendar Conflict" screen, opened by the task pane in an Office dialog when a run holds
 * conflicts and "open conflict resolution screen" is on: the held conflicts, both versions side by side
 * in the conflict colours. Decisions go out as the pending list's `crm-pending-decision` events.
 */
@customElement('crm-conflict-dialog')
export class CrmConflictDialog extends LitElement {
  static override styles = [
    tokens,
    css`
      :host {
        display: block;
        padding: 12px 16px;
      }
      h1 {
        font-size: 18px;
        margin: 0 0 8px;
      }
    `,
  ];

  @consume({ context: translatorContext, subscribe: true })
  @property({ attribute: false })
  translator?: Translator;

  /** Undefined while loading. */
  @property({ attribute: false }) items?: readonly PendingAction[];
  @property({ attribute: false }) colors: Readonly<Record<Side, string>> = { outlook: '#c50f1f', crm: '#0f6cbd' };
  @property() message = '';

  override render() {
    const t = this.translator;
    if (!t) return nothing;
    return html`<h1>${t.t('dialog.title')}</h1>
      ${this.message ? html`<p role="status">${this.message}</p>` : nothing}
      ${
        this.items === undefined
          ? html`<p>${t.t('app.loading')}</p>`
          : html`<p>${t.t('dialog.intro')}</p>
              <crm-pending-list .items=${this.items} .colors=${this.colors}></crm-pending-list>`
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crm-conflict-dialog': CrmConflictDialog;
  }
}
