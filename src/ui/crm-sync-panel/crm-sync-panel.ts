import { LitElement, html, nothing } from 'lit';
import '../fluent/first.js';
import { disabled } from '../fluent/disabled.js';
import { fold, foldStyles } from '../fluent/fold.js';
import { customElement, property } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { translatorContext } from '../contexts.js';
import type { MessageKey, Translator } from '../i18n/translator.js';
import { codedText } from '../i18n/coded.js';
import { controls } from '../styles/controls.js';
import { tokens } from '../styles/tokens.js';
import type { RunRecord } from '../../adapters/idb/idb-state.js';
import type { ErrorGroup, SyncReport } from '../../core/sync/engine.js';
import type { SyncProgress } from '../../app/sync-service.js';
import { styles } from './crm-sync-panel.styles.js';

export interface SyncRequestDetail {
  readonly dryRun: boolean;
}

/**
 * "Sync now" and "Preview" with a progress bar (phase, items done of all), the last run's report, the
 * planned actions of a preview, and a chart of the items changed by recent runs.
 *
 * @fires crm-sync-request - Sync now (`detail.dryRun` false) or Preview (true).
 * @fires crm-sync-cancel - Cancel of the run under way.
 */
/** The failed writes one row per error (reports saved before the groups existed: one row each). */
const errorRows = (r: SyncReport): readonly ErrorGroup[] =>
  r.errorGroups ?? r.errors.map((e) => ({ error: e.error, count: 1, subjects: [e.subject], pairKeys: [e.pairKey] }));

/** “A”, “B”, “C” … (+102) */
const subjects = (g: { readonly count: number; readonly subjects: readonly string[] }): string =>
  g.subjects.map((x) => `“${x}”`).join(', ') +
  (g.count > g.subjects.length ? ` … (+${g.count - g.subjects.length})` : '');

@customElement('crm-sync-panel')
export class CrmSyncPanel extends LitElement {
  static override styles = [tokens, controls, foldStyles, styles];

  @consume({ context: translatorContext, subscribe: true })
  @property({ attribute: false })
  translator?: Translator;

  @property({ type: Boolean }) running = false;
  /** Sync needs a saved profile: false shows why the buttons are off. */
  @property({ type: Boolean }) ready = true;
  @property({ attribute: false }) progress?: SyncProgress;
  @property({ attribute: false }) report?: SyncReport;
  @property({ attribute: false }) runs: readonly RunRecord[] = [];
  /** The message of a run that stopped, already in the user's language. */
  @property() failure = '';

  private t(key: string, values?: Record<string, string>): string {
    return this.translator?.t(key as MessageKey, values) ?? key;
  }

  private request(dryRun: boolean): void {
    this.dispatchEvent(
      new CustomEvent<SyncRequestDetail>('crm-sync-request', { detail: { dryRun }, bubbles: true, composed: true }),
    );
  }

  private renderProgress() {
    const p = this.progress;
    if (!this.running || !p) return nothing;
    const phase = this.t(`phase.${p.phase}`);
    return html`<div class="progress">
      <fluent-progress-bar
        max=${p.total || 1}
        value=${p.phase === 'write' ? p.done : p.phase === 'done' ? 1 : nothing}
        aria-label=${this.t('sync.progress')}
      ></fluent-progress-bar>
      <span role="status"
        >${p.total ? this.t('sync.progressCount', { phase, done: String(p.done), total: String(p.total) }) : phase}</span
      >
    </div>`;
  }

  private renderReport() {
    const r = this.report;
    if (!r) return nothing;
    // (The list of writes is loaded with the first report: not in the first render's JavaScript.)
    void import('../crm-write-list/crm-write-list.js');
    void import('../fluent/fold-define.js');
    if (r.dryRun) {
      // In the user's words: what would be new, changed or deleted where; pairs the run would only
      // record (the same on both sides already) are one line, not "link" rows (issue 18).
      const writes = r.plan.actions.filter((a) => a.type !== 'status');
      const recorded = r.plan.actions.length - writes.length;
      return html`<section aria-labelledby="preview-h">
        <h3 id="preview-h">${this.t('report.previewTitle', { count: String(writes.length) })}</h3>
        ${
          writes.length
            ? html`<crm-write-list .actions=${writes}></crm-write-list>`
            : html`<p>${this.t('report.nothingToDo')}</p>`
        }
        ${recorded ? html`<p>${this.t('preview.recorded', { count: String(recorded) })}</p>` : nothing}
        ${r.pending.length ? html`<p>${this.t('report.pending', { count: String(r.pending.length) })}</p>` : nothing}
      </section>`;
    }
    const row = (side: 'outlook' | 'crm') =>
      html`<tr>
        <th scope="row">${this.t(`side.${side}`)}</th>
        <td>${r.written[side].created}</td>
        <td>${r.written[side].updated}</td>
        <td>${r.written[side].deleted}</td>
      </tr>`;
    return html`<section aria-labelledby="report-h" data-started-at=${r.startedAt}>
      <h3 id="report-h">
        ${this.t('report.title', { time: new Date(r.startedAt).toLocaleString(this.translator?.locale) })}
      </h3>
      ${r.cancelled ? html`<p class="warning">${this.t('report.cancelled', { count: String(r.cancelled.notStarted) })}</p>` : nothing}
      <table>
        <thead>
          <tr>
            <td></td>
            <th scope="col">${this.t('report.created')}</th>
            <th scope="col">${this.t('report.updated')}</th>
            <th scope="col">${this.t('report.deleted')}</th>
          </tr>
        </thead>
        <tbody>
          ${row('outlook')} ${row('crm')}
        </tbody>
      </table>
      <p>
        ${this.t('report.summary', {
          conflicts: String(r.conflictsResolved),
          pending: String(r.pending.length),
          errors: String(r.errors.length + r.unreadable.length),
        })}
      </p>
      ${
        r.done?.length
          ? fold(
              { heading: this.t('report.doneTitle', { count: String(r.done.length) }), name: 'done' },
              html`<crm-write-list .lines=${r.done}></crm-write-list>`,
            )
          : nothing
      }
      ${
        r.errors.length
          ? html`<ul class="errors">
              ${errorRows(r).map(
                (g) =>
                  html`<li>
                    <span class="subject">${subjects(g)}</span>:
                    ${g.error}${
                      g.retryAt !== undefined
                        ? html` <span class="when">${this.t('report.nextTry', { time: this.time(g.retryAt) })}</span>`
                        : nothing
                    }
                  </li>`,
              )}
            </ul>`
          : nothing
      }
      ${
        r.waiting?.length
          ? html`<h4>${this.t('report.waitingTitle', { count: String(r.deferred) })}</h4>
              <ul class="waiting">
                ${r.waiting.map(
                  (w) =>
                    html`<li>
                      ${this.t(`report.wait.${w.cause}`, {
                        count: String(w.count),
                        side: w.side ? this.t(`side.${w.side}`) : this.t('side.either'),
                        detail:
                          (w.error &&
                            this.translator &&
                            codedText(this.translator, 'error', w.error.code, w.error.params)) ||
                          (w.detail ?? ''),
                      })}${
                        w.retryAt !== undefined
                          ? html` <span class="when">${this.t('report.nextTry', { time: this.time(w.retryAt) })}</span>`
                          : nothing
                      }
                      <span class="subject">${subjects(w)}</span>
                    </li>`,
                )}
              </ul>`
          : nothing
      }
      ${
        // Reports saved before the groups existed have neither list.
        r.notSynchronized?.length
          ? html`<h4>
                ${this.t('report.notSyncedTitle', {
                  count: String(r.notSynchronized.reduce((n, g) => n + g.count, 0)),
                })}
              </h4>
              <ul class="not-synced">
                ${r.notSynchronized.map(
                  (g) =>
                    html`<li>
                      ${this.t('report.notSyncedRow', {
                        count: String(g.count),
                        reason: this.t(`reason.${g.reason.code}`),
                      })}
                      <span class="subject">${subjects(g)}</span>
                    </li>`,
                )}
              </ul>`
          : nothing
      }
      ${
        r.unaccounted?.length
          ? html`<p class="warning unaccounted">
              ${this.t('report.unaccounted', { count: String(r.unaccounted.length) })}
            </p>`
          : nothing
      }
    </section>`;
  }

  private time(at: number): string {
    return new Date(at).toLocaleTimeString(this.translator?.locale, { hour: '2-digit', minute: '2-digit' });
  }

  override render() {
    if (!this.translator) return nothing;
    return html`
      <div class="buttons">
        <fluent-button
          appearance="primary"
          ${disabled(this.running || !this.ready)}
          @click=${() => this.request(false)}
        >
          ${this.t('sync.now')}
        </fluent-button>
        <fluent-button ${disabled(this.running || !this.ready)} @click=${() => this.request(true)}>
          ${this.t('sync.preview')}
        </fluent-button>
        ${
          this.running
            ? html`<fluent-button
                @click=${() => this.dispatchEvent(new CustomEvent('crm-sync-cancel', { bubbles: true, composed: true }))}
              >
                ${this.t('sync.cancel')}
              </fluent-button>`
            : nothing
        }
      </div>
      ${this.ready ? nothing : html`<p class="hint">${this.t('sync.notReady')}</p>`} ${this.renderProgress()}
      ${this.failure ? html`<p class="failure" role="alert">${this.failure}</p>` : nothing} ${this.renderReport()}
      <crm-run-chart .runs=${this.runs}></crm-run-chart>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crm-sync-panel': CrmSyncPanel;
  }
}
