import { LitElement, css, html, nothing } from 'lit';
import '../fluent/first.js';
import { disabled } from '../fluent/disabled.js';
import { searchField, searchStyles } from '../fluent/search.js';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { translatorContext } from '../contexts.js';
import type { MessageKey, Translator } from '../i18n/translator.js';
import { codedText } from '../i18n/coded.js';
import { controls } from '../styles/controls.js';
import { tokens } from '../styles/tokens.js';
import { lists } from '../styles/lists.js';
import type { RunRecord } from '../../adapters/idb/idb-state.js';
import type { HistoryEntry, RunWrite } from '../../core/ports/state.js';
import type { UndoPair } from '../../core/sync/way-back.js';
import type { Side } from '../../core/sync/types.js';
import type { WayBackNote } from '../crm-app/way-back.js';

export interface UndoPreviewDetail {
  readonly run: number;
}
export interface RestoreDetail {
  readonly entry: HistoryEntry;
  readonly side: Side;
}

/** Versions shown at once; the filter finds older ones among those read. */
const SHOWN = 30;
/** Runs offered for undo: the newest that wrote something. */
const RUNS_SHOWN = 10;

/**
 * A way back (issue 18): the recent runs that wrote something, each with "Undo…" (a preview of every
 * item it would take back, then a confirmation), and the versions the history keeps, each restorable
 * to Outlook or to the CRM.
 *
 * @fires crm-undo-preview - `detail.run`: show what undoing that run would do.
 * @fires crm-undo-confirm - undo the run previewed.
 * @fires crm-undo-cancel - close the preview.
 * @fires crm-restore - `detail.entry` written to `detail.side`.
 */
@customElement('crm-way-back')
export class CrmWayBack extends LitElement {
  static override styles = [
    tokens,
    controls,
    searchStyles,
    lists,
    css`
      h3 {
        font-size: 14px;
        margin: 12px 0 4px;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 8px;
        align-items: center;
      }
      .what {
        flex: 1 1 12em;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .detail,
      .note {
        color: var(--crm-fg-muted);
        font-size: 12px;
      }
      .detail {
        display: block;
      }
      .preview {
        border: 1px solid var(--crm-border);
        border-radius: var(--crm-radius);
        padding: 8px;
        margin: 6px 0;
      }
      .stays .subject {
        font-weight: 400;
        color: var(--crm-fg-muted);
      }
      .buttons {
        display: flex;
        gap: 6px;
        flex-wrap: wrap;
        margin-top: 6px;
      }
      fluent-text-input.search {
        width: 100%;
        margin-bottom: 4px;
      }
      .bad {
        color: var(--crm-error-fg);
      }
    `,
  ];

  @consume({ context: translatorContext, subscribe: true })
  @property({ attribute: false })
  translator?: Translator;

  /** The recent runs (oldest first, as the chart has them). */
  @property({ attribute: false }) runs: readonly RunRecord[] = [];
  @property({ attribute: false }) versions: readonly HistoryEntry[] = [];
  @property({ attribute: false }) preview?: { readonly run: number; readonly pairs: readonly UndoPair[] };
  @property({ attribute: false }) note?: WayBackNote;
  @property({ type: Boolean }) busy = false;

  @state() private filter = '';

  private t(key: string, values?: Record<string, string>): string {
    return this.translator?.t(key as MessageKey, values) ?? key;
  }

  private at(ms: number, seconds = false): string {
    return new Date(ms).toLocaleString(this.translator?.locale, {
      dateStyle: 'short',
      timeStyle: seconds ? 'medium' : 'short',
    });
  }

  private fire(name: string, detail?: object): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  /** What undoing one write does, in words: "Created in CRM — will be deleted". */
  private writeText(w: RunWrite): string {
    return this.t(`wayBack.write.${w.write}`, { side: this.t(`side.${w.side}`) });
  }

  private renderNote() {
    const n = this.note;
    if (!n) return nothing;
    if (n.kind === 'error') {
      const text = n.code
        ? codedText(this.translator!, 'error', n.code, n.params as Record<string, string | number>)
        : undefined;
      return html`<p class="bad" role="alert">${this.t('wayBack.failed', { detail: text ?? n.message })}</p>`;
    }
    const text =
      n.kind === 'done'
        ? this.t('wayBack.done', { undone: String(n.undone), left: String(n.left) })
        : this.t('wayBack.restored', { side: this.t(`side.${n.side}`) });
    return html`<p role="status">${text}</p>`;
  }

  private renderPreview(preview: NonNullable<CrmWayBack['preview']>) {
    const undo = preview.pairs.filter((p) => p.outcome === 'undo');
    const stays = preview.pairs.filter((p) => p.outcome !== 'undo');
    return html`<div class="preview" role="region" aria-labelledby="undo-preview-h">
      <h3 id="undo-preview-h">${this.t('wayBack.previewTitle', { at: this.at(preview.run, true) })}</h3>
      ${undo.length ? nothing : html`<p>${this.t(preview.pairs.length ? 'wayBack.nothing' : 'wayBack.notKept')}</p>`}
      <ul>
        ${undo.map(
          (p) =>
            html`<li class="undo">
              <span class="what"
                ><span class="subject">${p.subject}</span>
                ${p.writes.map((w) => html` <span class="detail">${this.writeText(w)}</span>`)}</span
              >
            </li>`,
        )}
        ${stays.map(
          (p) =>
            html`<li class="stays">
              <span class="what"
                ><span class="subject">${p.subject}</span>
                <span class="detail">${this.t('wayBack.changedSince')}</span></span
              >
            </li>`,
        )}
      </ul>
      <p class="note">${this.t('wayBack.undoAfter')}</p>
      <div class="buttons">
        <fluent-button
          appearance="primary"
          ${disabled(this.busy || !undo.length)}
          @click=${() => this.fire('crm-undo-confirm')}
        >
          ${this.t('wayBack.confirm', { count: String(undo.length) })}
        </fluent-button>
        <fluent-button ${disabled(this.busy)} @click=${() => this.fire('crm-undo-cancel')}
          >${this.t('wayBack.cancel')}</fluent-button
        >
      </div>
    </div>`;
  }

  private renderRuns() {
    const wrote = (r: RunRecord) =>
      (['outlook', 'crm'] as const).reduce(
        (n, s) => n + r.written[s].created + r.written[s].updated + r.written[s].deleted,
        0,
      );
    const runs = [...this.runs]
      .filter((r) => !r.dryRun && wrote(r) > 0)
      .reverse()
      .slice(0, RUNS_SHOWN);
    return html`<h3>${this.t('wayBack.undoTitle')}</h3>
      <p class="note">${this.t('wayBack.undoIntro')}</p>
      ${this.preview ? this.renderPreview(this.preview) : nothing}
      ${
        runs.length
          ? html`<ul>
              ${runs.map(
                (r) =>
                  html`<li>
                    <span class="what"
                      >${this.at(r.at, true)}
                      <span class="detail">${this.t('wayBack.runWrote', { count: String(wrote(r)) })}</span></span
                    >
                    <fluent-button
                      aria-label="${this.t('wayBack.undo')}: ${this.at(r.at, true)}"
                      ${disabled(this.busy)}
                      @click=${() => this.fire('crm-undo-preview', { run: r.at } satisfies UndoPreviewDetail)}
                    >
                      ${this.t('wayBack.undo')}
                    </fluent-button>
                  </li>`,
              )}
            </ul>`
          : html`<p>${this.t('wayBack.noRuns')}</p>`
      }`;
  }

  private renderVersions() {
    const q = this.filter.trim().toLowerCase();
    const found = this.versions.filter((v) => !q || v.item.subject.toLowerCase().includes(q));
    return html`<h3>${this.t('wayBack.versionsTitle')}</h3>
      <p class="note">${this.t('wayBack.versionsIntro')}</p>
      ${
        this.versions.length
          ? searchField(this.t('wayBack.filter'), this.filter, (value) => (this.filter = value))
          : html`<p>${this.t('wayBack.noVersions')}</p>`
      }
      <ul>
        ${found.slice(0, SHOWN).map(
          (v) =>
            html`<li>
              <span class="what"
                ><span class="subject">${v.item.subject}</span>
                <span class="detail"
                  >${this.t('wayBack.versionOf', { side: this.t(`side.${v.side}`), at: this.at(v.at) })}</span
                ></span
              >
              ${(['outlook', 'crm'] as const).map(
                (side) =>
                  html`<fluent-button
                    aria-label="${this.t('wayBack.restoreTo', { side: this.t(`side.${side}`) })}: ${v.item.subject}"
                    ${disabled(this.busy)}
                    @click=${() => this.fire('crm-restore', { entry: v, side } satisfies RestoreDetail)}
                  >
                    ${this.t('wayBack.restoreTo', { side: this.t(`side.${side}`) })}
                  </fluent-button>`,
              )}
            </li>`,
        )}
      </ul>
      ${
        found.length > SHOWN
          ? html`<p class="note">${this.t('wayBack.more', { count: String(found.length - SHOWN) })}</p>`
          : nothing
      }`;
  }

  override render() {
    return html`${this.renderNote()}${this.renderRuns()}${this.renderVersions()}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crm-way-back': CrmWayBack;
  }
}
