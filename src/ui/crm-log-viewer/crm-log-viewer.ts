import { LitElement, css, html, nothing } from 'lit';
import '../fluent/first.js';
import '@fluentui/web-components/checkbox.js';
import { searchField, searchStyles } from '../fluent/search.js';
import { customElement, property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { translatorContext } from '../contexts.js';
import type { MessageKey, Translator } from '../i18n/translator.js';
import { codedText } from '../i18n/coded.js';
import { controls } from '../styles/controls.js';
import { tokens } from '../styles/tokens.js';
import type { LogEntry, LogLevel } from '../../core/ports/state.js';

export interface LogQueryDetail {
  readonly levels: readonly LogLevel[];
  readonly search: string;
}

const LEVELS: readonly LogLevel[] = ['error', 'warning', 'info'];

/**
 * The error log (the seed's error log file, kept on the device): filter by level, search, export to a
 * file. Entries come from the app; every text is rendered as text, never as markup.
 *
 * @fires crm-log-query - the filter changed; `detail.levels`, `detail.search`.
 * @fires crm-log-export - "Export" with the current filter.
 */
@customElement('crm-log-viewer')
export class CrmLogViewer extends LitElement {
  static override styles = [
    tokens,
    controls,
    searchStyles,
    css`
      :host {
        display: block;
      }
      .filters {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: center;
        margin-bottom: 8px;
      }
      ol {
        list-style: none;
        padding: 0;
        margin: 0;
        max-height: 320px;
        overflow: auto;
      }
      li {
        border-bottom: 1px solid var(--crm-border);
        padding: 4px 0;
        font-size: 12px;
        overflow-wrap: anywhere;
      }
      .level-error {
        color: var(--crm-error-fg);
      }
      .level-warning {
        color: var(--crm-warning-fg);
      }
      time {
        color: var(--crm-fg-muted);
        margin-right: 6px;
      }
    `,
  ];

  @consume({ context: translatorContext, subscribe: true })
  @property({ attribute: false })
  translator?: Translator;

  @property({ attribute: false }) entries: readonly LogEntry[] = [];
  @property({ type: Number }) retentionDays = 30;
  @state() private levels: readonly LogLevel[] = LEVELS;
  @state() private search = '';

  private t(key: string, values?: Record<string, string>): string {
    return this.translator?.t(key as MessageKey, values) ?? key;
  }

  /** The entry in the pane's language; its English text when the catalog has none (entries of 0.2). */
  private line(e: LogEntry): string {
    return (e.code && this.translator && codedText(this.translator, 'logline', e.code, e.params, e.error)) || e.message;
  }

  private query(): void {
    this.dispatchEvent(
      new CustomEvent<LogQueryDetail>('crm-log-query', {
        detail: { levels: this.levels, search: this.search },
        bubbles: true,
        composed: true,
      }),
    );
  }

  override render() {
    if (!this.translator) return nothing;
    return html`
      <p>${this.t('log.intro', { days: String(this.retentionDays) })}</p>
      <div class="filters" role="group" aria-label=${this.t('log.filter')}>
        ${LEVELS.map(
          (level) =>
            html`<label>
              <fluent-checkbox
                .checked=${this.levels.includes(level)}
                @change=${(e: Event) => {
                  const on = (e.target as HTMLInputElement).checked;
                  this.levels = on ? [...this.levels, level] : this.levels.filter((l) => l !== level);
                  this.query();
                }}
              ></fluent-checkbox>
              ${this.t(`log.level.${level}`)}
            </label>`,
        )}
        ${searchField(this.t('log.search'), this.search, (value) => {
          this.search = value;
          this.query();
        })}
        <fluent-button
          @click=${() => this.dispatchEvent(new CustomEvent('crm-log-export', { bubbles: true, composed: true }))}
        >
          ${this.t('log.export')}
        </fluent-button>
      </div>
      ${
        this.entries.length
          ? html`<ol aria-label=${this.t('log.title')} tabindex="0">
              ${this.entries.map(
                (e) =>
                  html`<li class="level-${e.level}">
                    <time datetime=${new Date(e.at).toISOString()}
                      >${new Date(e.at).toLocaleString(this.translator?.locale)}</time
                    >
                    <strong>${this.t(`log.level.${e.level}`)}</strong>
                    ${e.subject ? html`<span>“${e.subject}”</span>` : nothing} ${this.line(e)}
                  </li>`,
              )}
            </ol>`
          : html`<p>${this.t('log.empty')}</p>`
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crm-log-viewer': CrmLogViewer;
  }
}
