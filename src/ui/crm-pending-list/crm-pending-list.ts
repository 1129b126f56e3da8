import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { translatorContext } from '../contexts.js';
import type { MessageKey, Translator } from '../i18n/translator.js';
import { controls } from '../styles/controls.js';
import { tokens } from '../styles/tokens.js';
import type { PendingAction } from '../../core/sync/actions.js';
import type { Side } from '../../core/sync/types.js';

/** approve: carry it out next run; reject: put the item on the exception list; a side: that side wins. */
export type PendingDecision = 'approve' | 'reject' | Side;

export interface PendingDecisionDetail {
  readonly items: readonly PendingAction[];
  readonly decision: PendingDecision;
}

/**
 * Confirmations the profile asks for (new, modified, deleted items) and conflicts waiting for the
 * user, each with its decision, and "all" buttons. Deciding starts a run that carries it out.
 *
 * @fires crm-pending-decision - `detail.items` decided as `detail.decision`.
 */
@customElement('crm-pending-list')
export class CrmPendingList extends LitElement {
  static override styles = [
    tokens,
    controls,
    css`
      :host {
        display: block;
      }
      ul {
        list-style: none;
        padding: 0;
        margin: 0;
      }
      li {
        border-bottom: 1px solid var(--crm-border);
        padding: 6px 0;
      }
      .subject {
        font-weight: 600;
      }
      .why {
        color: var(--crm-fg-muted);
        font-size: 12px;
      }
      .buttons {
        display: flex;
        gap: 6px;
        flex-wrap: wrap;
        margin-top: 4px;
      }
    `,
  ];

  @consume({ context: translatorContext, subscribe: true })
  @property({ attribute: false })
  translator?: Translator;

  @property({ attribute: false }) items: readonly PendingAction[] = [];
  /** The profile's colours for conflicting items per side (Miscellaneous tab). */
  @property({ attribute: false }) colors: Readonly<Record<Side, string>> = { outlook: '#c50f1f', mobile: '#0f6cbd' };
  @property({ type: Boolean }) busy = false;

  private t(key: string, values?: Record<string, string>): string {
    return this.translator?.t(key as MessageKey, values) ?? key;
  }

  private decide(items: readonly PendingAction[], decision: PendingDecision): void {
    this.dispatchEvent(
      new CustomEvent<PendingDecisionDetail>('crm-pending-decision', {
        detail: { items, decision },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private buttons(items: readonly PendingAction[], conflict: boolean, label: string) {
    const b = (decision: PendingDecision, key: string) =>
      html`<button
        style=${
          decision === 'outlook' || decision === 'mobile'
            ? `border-left: 6px solid ${/^#[0-9a-f]{6}$/i.test(this.colors[decision]) ? this.colors[decision] : 'transparent'}`
            : ''
        }
        ?disabled=${this.busy}
        aria-label="${this.t(key)}: ${label}"
        @click=${() => this.decide(items, decision)}
      >
        ${this.t(key)}
      </button>`;
    return conflict
      ? html`${b('outlook', 'pending.keepOutlook')} ${b('mobile', 'pending.keepMobile')}
        ${b('reject', 'pending.exclude')}`
      : html`${b('approve', 'pending.approve')} ${b('reject', 'pending.reject')}`;
  }

  override render() {
    if (!this.translator) return nothing;
    if (!this.items.length) return html`<p>${this.t('pending.none')}</p>`;
    const confirms = this.items.filter((p) => p.type === 'confirm');
    return html`
      ${
        confirms.length > 1
          ? html`<div class="buttons">${this.buttons(confirms, false, this.t('pending.all'))}</div>`
          : nothing
      }
      <ul>
        ${this.items.map(
          (p) =>
            html`<li>
              <div class="subject">${p.subject}</div>
              <div class="why">
                ${this.t(`reason.${p.reason.code}`, { side: this.t(`side.${p.reason.from ?? 'either'}`) })}
              </div>
              <div class="buttons">${this.buttons([p], p.type === 'conflict', p.subject)}</div>
            </li>`,
        )}
      </ul>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crm-pending-list': CrmPendingList;
  }
}
