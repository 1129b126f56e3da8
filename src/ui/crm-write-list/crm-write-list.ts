import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { translatorContext } from '../contexts.js';
import type { MessageKey, Translator } from '../i18n/translator.js';
import { lists } from '../styles/lists.js';
import { tokens } from '../styles/tokens.js';
import type { WriteLine } from '../../core/sync/engine.js';
import type { Action } from '../../core/sync/actions.js';
import { lineOf } from '../../core/sync/report.js';

/** Subjects listed under one row; the rest are counted. */
const SHOWN = 50;

interface Group {
  readonly first: WriteLine;
  readonly subjects: string[];
}

/**
 * What a run wrote, or a preview would write, in the user's words (issue 18): one row per kind of write
 * — "New in Outlook: 3 × appointment — new in the CRM" — with the subject of every item under it (the
 * first 50, then how many more). The same list for the report and the preview.
 */
@customElement('crm-write-list')
export class CrmWriteList extends LitElement {
  static override styles = [
    tokens,
    lists,
    css`
      li.group > .what {
        font-weight: 600;
      }
      ul.items {
        margin: 2px 0 0 16px;
      }
      ul.items li {
        border: none;
        padding: 1px 0;
        font-weight: 400;
        overflow-wrap: anywhere;
      }
      .more {
        color: var(--crm-fg-muted);
        font-size: 12px;
      }
    `,
  ];

  @consume({ context: translatorContext, subscribe: true })
  @property({ attribute: false })
  translator?: Translator;

  @property({ attribute: false }) lines: readonly WriteLine[] = [];
  /** A plan's actions instead of `lines` (Preview): listed as the lines they would write. */
  @property({ attribute: false }) actions?: readonly Action[];

  protected override willUpdate(): void {
    if (this.actions) this.lines = this.actions.flatMap(lineOf);
  }

  private t(key: string, values?: Record<string, string>): string {
    return this.translator?.t(key as MessageKey, values) ?? key;
  }

  private groups(): Group[] {
    const out = new Map<string, Group>();
    for (const l of this.lines) {
      const k = `${l.type}|${l.side}|${l.kind}|${l.reason.code}|${l.reason.from ?? ''}`;
      const g = out.get(k) ?? { first: l, subjects: [] };
      g.subjects.push(l.subject);
      out.set(k, g);
    }
    return [...out.values()];
  }

  private row(g: Group): string {
    const { type, side, kind, reason } = g.first;
    return this.t('report.group', {
      what: this.t(`preview.${type}`, { side: this.t(`side.${side}`) }),
      count: String(g.subjects.length),
      kind: this.t(`report.kind.${kind}`),
      reason: this.t(`reason.${reason.code}`, { side: reason.from ? this.t(`side.${reason.from}`) : '' }),
    });
  }

  override render() {
    if (!this.translator || !this.lines.length) return nothing;
    return html`<ul class="actions">
      ${this.groups().map(
        (g) =>
          html`<li class="group">
            <span class="what">${this.row(g)}</span>
            <ul class="items">
              ${g.subjects.slice(0, SHOWN).map((s) => html`<li class="subject">${s}</li>`)}
            </ul>
            ${
              g.subjects.length > SHOWN
                ? html`<span class="more">${this.t('report.more', { count: String(g.subjects.length - SHOWN) })}</span>`
                : nothing
            }
          </li>`,
      )}
    </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crm-write-list': CrmWriteList;
  }
}
