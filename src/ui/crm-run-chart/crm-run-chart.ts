import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { translatorContext } from '../contexts.js';
import { codedText } from '../i18n/coded.js';
import type { MessageKey, Translator } from '../i18n/translator.js';
import { tokens } from '../styles/tokens.js';
import type { RunRecord } from '../../adapters/idb/idb-state.js';

const total = (w: RunRecord['written']) =>
  w.outlook.created + w.outlook.updated + w.outlook.deleted + w.crm.created + w.crm.updated + w.crm.deleted;

/**
 * "Recent runs": a bar per run (the last 20, older to newer) of the items it changed, stopped runs in
 * red, with axes (the largest count and 0; the first and last run's time), a legend, and a tooltip per
 * run when the pointer or the keyboard is on its bar — when, how long, the outcome, the counts per side.
 */
@customElement('crm-run-chart')
export class CrmRunChart extends LitElement {
  static override styles = [
    tokens,
    css`
      :host {
        display: block;
      }
      .plot {
        display: flex;
        gap: 4px;
      }
      .y-axis {
        display: flex;
        flex-direction: column;
        justify-content: space-between;
        align-items: flex-end;
        font-size: 11px;
        color: var(--crm-fg-muted);
        min-width: 2em;
      }
      .y-name {
        writing-mode: vertical-rl;
        transform: rotate(180deg);
        font-size: 10px;
      }
      .x-axis {
        display: flex;
        justify-content: space-between;
        gap: 4px;
        font-size: 11px;
        color: var(--crm-fg-muted);
        margin-left: calc(2em + 4px);
      }
      .chart {
        flex: 1;
        min-width: 0;
        height: 64px;
        background: var(--crm-bg-subtle);
        border-left: 1px solid var(--crm-fg-muted);
        border-bottom: 1px solid var(--crm-fg-muted);
      }
      .chart .ok {
        fill: var(--crm-brand-fg);
      }
      .chart .failed {
        fill: var(--crm-error-fg);
      }
      .chart rect:focus {
        outline: none;
        stroke: var(--crm-fg);
        stroke-width: 1.5;
      }
      .tooltip {
        margin: 4px 0;
        padding: 6px 8px;
        border: 1px solid var(--crm-fg-muted);
        border-radius: 4px;
        background: var(--crm-bg);
        font-size: 12px;
      }
      .legend {
        font-size: 12px;
        color: var(--crm-fg-muted);
      }
      .legend .key {
        display: inline-block;
        width: 10px;
        height: 10px;
        margin: 0 4px 0 8px;
        vertical-align: middle;
      }
      .legend .key:first-child {
        margin-left: 0;
      }
      .legend .key.ok {
        background: var(--crm-brand-fg);
      }
      .legend .key.failed {
        background: var(--crm-error-fg);
      }
      .legend .sum {
        display: block;
      }
    `,
  ];

  @consume({ context: translatorContext, subscribe: true })
  @property({ attribute: false })
  translator?: Translator;

  @property({ attribute: false }) runs: readonly RunRecord[] = [];
  /** The run whose bar the pointer or the keyboard is on (its tooltip shows). */
  @state() private shown?: number;

  private t(key: string, values?: Record<string, string>): string {
    return this.translator?.t(key as MessageKey, values) ?? key;
  }

  /** Why a run stopped, in the user's language (the English text for records from before the codes). */
  private stopReason(r: RunRecord): string {
    if (r.failure === 'cancelled') return this.t('history.cancelled');
    const e = r.failureError;
    return (e && this.translator && codedText(this.translator, 'error', e.code, e.params)) || r.failure || '';
  }

  /** One run for the tooltip and the bar's title: when, how long, the outcome, and the counts per side. */
  private runLines(r: RunRecord): string[] {
    const when = new Date(r.at).toLocaleString(this.translator?.locale, { dateStyle: 'short', timeStyle: 'short' });
    const seconds = (r.durationMs / 1000).toLocaleString(this.translator?.locale, { maximumFractionDigits: 1 });
    const side = (x: 'outlook' | 'crm') =>
      this.t('history.tip.side', {
        side: this.t(`side.${x}`),
        created: String(r.written[x].created),
        updated: String(r.written[x].updated),
        deleted: String(r.written[x].deleted),
      });
    return [
      this.t('history.tip.when', { when, seconds }),
      r.failure ? this.t('history.failed', { reason: this.stopReason(r) }) : this.t('history.done'),
      side('outlook'),
      side('crm'),
      this.t('history.tip.more', {
        conflicts: String(r.conflicts),
        pending: String(r.pending),
        errors: String(r.errors),
      }),
    ];
  }

  override render() {
    const slots = 20;
    const runs = this.runs.slice(-slots);
    if (!runs.length || !this.translator) return nothing;
    const max = Math.max(1, ...runs.map((r) => total(r.written)));
    const w = 12;
    // Always room for 20 runs, newest on the right: one run is one bar, not the whole width.
    const offset = (slots - runs.length) * w;
    const h = 48;
    const summary = this.t('history.summary', {
      runs: String(runs.length),
      items: String(runs.reduce((s, r) => s + total(r.written), 0)),
    });
    const shown = this.shown !== undefined ? runs[this.shown] : undefined;
    const at = (r: RunRecord) =>
      new Date(r.at).toLocaleString(this.translator?.locale, { dateStyle: 'short', timeStyle: 'short' });
    return html`<section aria-labelledby="history-h">
      <h3 id="history-h">${this.t('history.title')}</h3>
      <div class="plot">
        <div class="y-axis" aria-hidden="true">
          <span>${max}</span><span class="y-name">${this.t('history.axis.items')}</span><span>0</span>
        </div>
        <svg
          class="chart"
          role="group"
          aria-label=${summary}
          viewBox="0 0 ${slots * w} ${h}"
          preserveAspectRatio="none"
        >
          ${runs.map((r, i) => {
            const n = total(r.written);
            const bar = r.failure ? h : Math.max(2, (n / max) * h);
            return svg`<rect class=${r.failure ? 'failed' : 'ok'} x=${offset + i * w + 1} y=${h - bar} width=${w - 2}
              height=${bar} tabindex="0" role="img" aria-label=${this.runLines(r).join('; ')}
              @mouseenter=${() => (this.shown = i)} @focus=${() => (this.shown = i)}
              @mouseleave=${() => (this.shown = undefined)} @blur=${() => (this.shown = undefined)}>
              <title>${this.runLines(r).join('\n')}</title>
            </rect>`;
          })}
        </svg>
      </div>
      <div class="x-axis" aria-hidden="true">
        <span>${at(runs[0]!)}</span><span>${this.t('history.axis.time')}</span><span>${at(runs.at(-1)!)}</span>
      </div>
      ${
        shown
          ? html`<div class="tooltip" role="tooltip">${this.runLines(shown).map((l) => html`<div>${l}</div>`)}</div>`
          : nothing
      }
      <p class="legend">
        <span class="key ok"></span>${this.t('history.legend.ok')}
        <span class="key failed"></span>${this.t('history.legend.failed')}
        <span class="sum">${summary}</span>
      </p>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crm-run-chart': CrmRunChart;
  }
}
