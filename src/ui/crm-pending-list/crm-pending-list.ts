import { LitElement, css, html, nothing } from 'lit';
import '../fluent/first.js';
import { disabled } from '../fluent/disabled.js';
import { customElement, property } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { translatorContext } from '../contexts.js';
import type { MessageKey, Translator } from '../i18n/translator.js';
import { controls } from '../styles/controls.js';
import { tokens } from '../styles/tokens.js';
import { lists } from '../styles/lists.js';
import type { PendingAction, PendingDecision, SideEntry } from '../../core/sync/actions.js';
import type { CompareVersion, MergeDetail } from '../crm-item-compare/crm-item-compare.js';
import type { Side } from '../../core/sync/types.js';

export type { PendingDecision } from '../../core/sync/actions.js';

export interface PendingDecisionDetail {
  readonly items: readonly PendingAction[];
  readonly decision: PendingDecision;
}

/** A conflict merged field by field: for each differing field, the side its value comes from. */
export interface PendingMergeDetail {
  readonly item: PendingAction;
  readonly choice: MergeDetail['choice'];
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
    lists,
    css`
      .compare {
        border-collapse: collapse;
        margin: 4px 0;
        font-size: 12px;
      }
      .compare th,
      .compare td {
        text-align: left;
        padding: 2px 8px 2px 0;
        vertical-align: top;
      }
      /* Field names never break inside a word ("Subj/ect" at 320 px); values break only what cannot fit. */
      .compare th {
        white-space: nowrap;
      }
      .compare td {
        overflow-wrap: anywhere;
      }
      .compare tr.differs td {
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
  @property({ attribute: false }) colors: Readonly<Record<Side, string>> = { outlook: '#c50f1f', crm: '#0f6cbd' };
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

  /** The decision buttons for `items`; `label` names them for a screen reader (the subject), unless they are for all. */
  private buttons(items: readonly PendingAction[], conflict: boolean, label?: string) {
    const b = (decision: PendingDecision, key: string) =>
      html`<fluent-button
        style=${
          decision === 'outlook' || decision === 'crm' ? `border-left: 6px solid ${this.safeColor(decision)}` : ''
        }
        ${disabled(this.busy)}
        aria-label=${label === undefined ? this.t(key) : `${this.t(key)}: ${label}`}
        @click=${() => this.decide(items, decision)}
      >
        ${this.t(key)}
      </fluent-button>`;
    // The buttons over every confirmation say so on their face ("Approve all").
    const all = label === undefined;
    return conflict
      ? html`${b('outlook', 'pending.keepOutlook')} ${b('crm', 'pending.keepCrm')} ${b('exclude', 'pending.exclude')}`
      : html`${b('approve', all ? 'pending.approveAll' : 'pending.approve')}
        ${b('exclude', all ? 'pending.rejectAll' : 'pending.reject')}`;
  }

  /**
   * The conflict screen: both versions side by side in the conflict colours, every field, the fields
   * that differ marked, with a field-by-field merge; a confirmation of a change or a deletion: the
   * copy before and after (issue 18).
   */
  private comparison(p: PendingAction) {
    const versions = this.versions(p);
    if (!versions) return nothing;
    return html`<crm-item-compare
      .left=${versions[0]}
      .right=${versions[1]}
      ?mergeable=${p.type === 'conflict'}
      ?busy=${this.busy}
      @crm-merge=${(e: CustomEvent<MergeDetail>) =>
        this.dispatchEvent(
          new CustomEvent<PendingMergeDetail>('crm-pending-merge', {
            detail: { item: p, choice: e.detail.choice },
            bubbles: true,
            composed: true,
          }),
        )}
    ></crm-item-compare>`;
  }

  private versions(p: PendingAction): [CompareVersion, CompareVersion] | undefined {
    const version = (side: Side, e: SideEntry | undefined): CompareVersion => ({
      label: this.t(`side.${side}`),
      color: this.safeColor(side),
      ...(e && { item: e.item, ...(e.modifiedAt !== undefined && { modifiedAt: e.modifiedAt }) }),
    });
    if (p.type === 'conflict') return [version('outlook', p.outlook), version('crm', p.crm)];
    const a = p.action;
    if (!a || a.type === 'status') return undefined;
    const side = this.t(`side.${a.target}`);
    const now = p[a.target];
    const before: CompareVersion = {
      label: this.t('compare.before', { side }),
      ...(now && { item: now.item }),
      missing: this.t(a.type === 'create' ? 'compare.none' : 'compare.unknown'),
    };
    const after: CompareVersion =
      a.type === 'delete'
        ? { label: this.t('compare.after', { side }) }
        : { label: this.t('compare.after', { side }), item: a.item };
    return [before, after];
  }

  private safeColor(side: Side): string {
    return /^#[0-9a-f]{6}$/i.test(this.colors[side]) ? this.colors[side] : 'transparent';
  }

  override render() {
    if (!this.translator) return nothing;
    if (!this.items.length) return html`<p>${this.t('pending.none')}</p>`;
    // (The comparison is loaded when something waits: not in the first render's JavaScript.)
    void import('../crm-item-compare/crm-item-compare.js');
    const confirms = this.items.filter((p) => p.type === 'confirm');
    return html`
      ${confirms.length > 1 ? html`<div class="buttons">${this.buttons(confirms, false)}</div>` : nothing}
      <ul>
        ${this.items.map(
          (p) =>
            html`<li>
              <div class="subject">${p.subject}</div>
              ${this.comparison(p)}
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
