import { LitElement, html, nothing, type PropertyValues } from 'lit';
import '../fluent/first.js';
import { disabled } from '../fluent/disabled.js';
import { tieFluentControls } from '../fluent/tie.js';
import { fold, foldStyles } from '../fluent/fold.js';
import { customElement, property } from 'lit/decorators.js';
import { consume, provide } from '@lit/context';
import { servicesContext, translatorContext } from '../contexts.js';
import { english, type MessageKey, type Translator } from '../i18n/translator.js';
import { loadTranslator } from '../i18n/load-translator.js';
import { chooseLanguage, languageOf, type LanguageChoice } from '../i18n/language.js';
import { codedText } from '../i18n/coded.js';
import { controls } from '../styles/controls.js';
import { tokens } from '../styles/tokens.js';
import { SETTINGS_TABS } from '../crm-settings-tabs/tab-ids.js';
import type { AppServices } from '../../app/app-services.js';
import type { FieldChangeDetail } from '../crm-settings-form/crm-settings-form.js';
import type { PendingDecisionDetail, PendingMergeDetail } from '../crm-pending-list/crm-pending-list.js';
import type { LogQueryDetail } from '../crm-log-viewer/crm-log-viewer.js';
import type { SyncRequestDetail } from '../crm-sync-panel/crm-sync-panel.js';
import '../crm-sync-panel/crm-sync-panel.js';
import type { RestoreDetail, UndoPreviewDetail } from '../crm-way-back/crm-way-back.js';
import { PaneController } from './pane-controller.js';
import { styles } from './crm-app.styles.js';

/**
 * Where the task pane runs: inside Outlook, in a plain browser (demo mode), or without office.js;
 * `starting` while office.js has not told yet (outside Office it takes seconds to give up on a host).
 */
export type HostMode = 'starting' | 'outlook' | 'browser' | 'office-missing';

/** Items the mass-delete stop lists (the rest are counted). */
const MASS_DELETE_SHOWN = 25;

/** Engine errors the user can override by confirming, with the run option that does it. */
const CONFIRMABLE: Record<string, 'allowEmptySide' | 'allowMassDelete'> = {
  StoreEmptyError: 'allowEmptySide',
  MassDeleteError: 'allowMassDelete',
};

/**
 * The ribbon task pane ("CRM Sync"): Sync now with progress and report, pending confirmations, the
 * settings tabs with Save and Cancel, and the error log.
 */
@customElement('crm-app')
export class CrmApp extends LitElement {
  static override styles = [tokens, controls, foldStyles, styles];

  @provide({ context: translatorContext })
  @property({ attribute: false })
  translator: Translator = english;

  @consume({ context: servicesContext, subscribe: true })
  @property({ attribute: false })
  services?: AppServices;

  @property() mode: HostMode = 'starting';
  /** The language chooser's value (the bootstrap reads it from this device's storage). */
  @property() language: LanguageChoice = 'outlook';
  /** Outlook's display language ("de-DE"), what "Outlook's language" means. */
  @property() outlookLanguage?: string;
  /** Why the pane's services could not start (shown instead of the settings). */
  @property() startError = '';

  private readonly pane = new PaneController(this);

  private t(key: string, values?: Record<string, string>): string {
    return this.translator.t(key as MessageKey, values);
  }

  protected override firstUpdated(): void {
    // The settings, Pending and the log: right after the first render (deferred.ts).
    import('./deferred.js').catch((error: unknown) => {
      this.startError = error instanceof Error ? error.message : String(error);
    });
  }

  protected override updated(): void {
    tieFluentControls(this.renderRoot);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('services') && this.services) void this.pane.attach(this.services);
  }

  private chooseLanguage(v: LanguageChoice): void {
    chooseLanguage(v);
    this.language = v;
    void loadTranslator(languageOf(v, this.outlookLanguage ?? navigator.language)).then(
      (t) => {
        // (a quicker later choice wins)
        if (this.language === v) this.translator = t;
      },
      () => undefined, // a catalog that did not load: the pane stays in the language it shows
    );
  }

  private exportLog(): void {
    const lines = this.pane.log.map((e) =>
      [new Date(e.at).toISOString(), e.level, e.side ?? '', e.subject ?? '', e.message].join('\t'),
    );
    const url = URL.createObjectURL(new Blob([`${lines.join('\n')}\n`], { type: 'text/plain;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `crm-sync-log-${new Date().toISOString().slice(0, 10)}.txt`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /**
   * Why the run stopped, in the user's language: an error of the catalogue by its code and parameters
   * (a side and an item type named in words), anything else as the English text it carries.
   */
  private failureText(): string {
    const f = this.pane.failure;
    if (!f) return '';
    const text = f.code ? codedText(this.translator, 'error', f.code, f.params) : undefined;
    return text ?? this.t('error.generic', { detail: f.message });
  }

  /**
   * The calendar or To Do list changed while items are synchronized with the old one (issue 13, point
   * 10): move them, or start a new pairing — each choice says what becomes of the old folder.
   */
  private renderFolderQuestion() {
    const p = this.pane;
    const changes = p.failure?.folderChanges;
    if (!changes?.length) return nothing;
    const nameOf = (kind: 'activity' | 'task', id: string) =>
      (kind === 'activity' ? p.folders.calendars : p.folders.taskLists)?.find((f) => f.id === id)?.name ?? id;
    const pairs = String(changes.reduce((n, c) => n + c.pairs, 0));
    return html`<section class="folder-change" role="alert" aria-labelledby="folder-change-h">
      <h3 id="folder-change-h">${this.t('folders.title')}</h3>
      ${changes.map(
        (c) =>
          html`<p>
            ${this.t(c.kind === 'activity' ? 'folders.changedCalendar' : 'folders.changedList', {
              from: nameOf(c.kind, c.from),
              to: nameOf(c.kind, c.to),
              count: String(c.pairs),
            })}
            ${c.also ? this.t('folders.interrupted', { also: nameOf(c.kind, c.also) }) : nothing}
          </p>`,
      )}
      <fluent-button appearance="primary" ${disabled(p.running)} @click=${() => p.sync({ folderChange: 'move' })}>
        ${this.t('folders.move', { count: pairs })}
      </fluent-button>
      <p class="note">${this.t('folders.moveHelp')}</p>
      <fluent-button ${disabled(p.running)} @click=${() => p.sync({ folderChange: 'new-pairing' })}>
        ${this.t('folders.newPairing')}
      </fluent-button>
      <p class="note">${this.t('folders.newPairingHelp')}</p>
      ${changes.some((c) => c.also) ? nothing : html`<p class="note">${this.t('folders.undo')}</p>`}
    </section>`;
  }

  /**
   * The mass-delete stop (rule 1): the items the run would delete, and the two ways on — bring them
   * back where they were deleted, from the other side, or delete them there too ("synchronize anyway").
   */
  private renderMassDelete() {
    const p = this.pane;
    const stop = p.failure?.wouldDelete;
    if (!stop?.items.length) return nothing;
    const side = this.t(`side.${stop.side}`);
    const from = this.t(`side.${stop.side === 'crm' ? 'outlook' : 'crm'}`);
    const shown = stop.items.slice(0, MASS_DELETE_SHOWN);
    return html`<section class="mass-delete" aria-labelledby="mass-delete-h">
      <h3 id="mass-delete-h">${this.t('massDelete.title', { count: String(stop.items.length), side })}</h3>
      <p>${this.t('massDelete.intro', { side, from })}</p>
      <ul class="would-delete">
        ${shown.map((x) => html`<li>${x.subject}</li>`)}
      </ul>
      ${
        stop.items.length > shown.length
          ? html`<p class="note">${this.t('massDelete.more', { count: String(stop.items.length - shown.length) })}</p>`
          : nothing
      }
      <fluent-button
        appearance="primary"
        ${disabled(p.running || p.wayBack.busy)}
        @click=${() =>
          p.wayBack.restoreDeleted(
            stop.items.map((x) => x.pairKey),
            stop.side === 'crm' ? 'outlook' : 'crm',
          )}
      >
        ${this.t('massDelete.restore', { side, from })}
      </fluent-button>
    </section>`;
  }

  private renderBanner() {
    if (this.mode === 'office-missing')
      return html`<fluent-message-bar class="banner" intent="error" layout="multiline" role="alert"
        >${this.t('app.officeMissing')}</fluent-message-bar
      >`;
    const s = this.services;
    return html`${
      this.mode === 'browser'
        ? html`<fluent-message-bar class="banner" intent="warning" layout="multiline">
            ${this.t(s?.mode === 'demo' ? 'app.demo' : 'app.outsideOffice')}
          </fluent-message-bar>`
        : nothing
    }
    ${
      s?.policyError
        ? html`<fluent-message-bar class="banner" intent="error" layout="multiline" role="alert"
            >${this.t('app.policyError', { detail: s.policyError })}</fluent-message-bar
          >`
        : nothing
    }
    ${
      this.pane.stateWhere === 'device' && this.pane.loaded?.profile.general.gatewayUrl
        ? html`<fluent-message-bar class="banner" intent="warning" layout="multiline"
            >${this.t('app.stateOnDevice')}</fluent-message-bar
          >`
        : nothing
    }
    ${this.pane.stateWhere === 'unreachable' ? this.renderOffline(this.pane.cachedAt) : nothing}`;
  }

  /** The gateway cannot be reached: the lists are the account's state as this device last read it. */
  private renderOffline(at: number | undefined) {
    const text =
      at === undefined
        ? this.t('app.stateOfflineNever')
        : this.t('app.stateOffline', {
            at: new Date(at).toLocaleString(this.translator.locale, { dateStyle: 'short', timeStyle: 'short' }),
          });
    return html`<fluent-message-bar class="banner" intent="warning" layout="multiline">${text}</fluent-message-bar>`;
  }

  private renderSettings() {
    const p = this.pane;
    if (this.startError)
      return html`<p class="bad" role="alert">${this.t('app.startFailed', { detail: this.startError })}</p>`;
    if (p.loadError) return html`<p class="bad" role="alert">${this.t('app.loadFailed', { detail: p.loadError })}</p>`;
    if (!p.draft) return html`<p>${this.t('app.loading')}</p>`;
    const saveText =
      p.saveState === 'saved'
        ? this.t('settings.saved')
        : p.saveState === 'invalid'
          ? this.t('settings.invalid')
          : p.saveState === 'failed'
            ? this.t('settings.saveFailed', { detail: p.saveError })
            : '';
    return html`
      <crm-settings-tabs>
        ${SETTINGS_TABS.map(
          (id) =>
            html`<crm-settings-form
              slot=${id}
              tab=${id}
              .profile=${p.draft}
              .locked=${p.loaded?.locked ?? []}
              .findings=${p.findings}
              .folders=${p.folders}
              ?passwordStored=${p.loaded?.hasPassword ?? false}
              connectionStatus=${p.connection}
              @crm-field-change=${(e: CustomEvent<FieldChangeDetail>) => p.change(e.detail.path, e.detail.value)}
              @crm-test-connection=${() =>
                p.testConnection(
                  (kinds) =>
                    this.t('settings.connectionOk', {
                      kinds: kinds
                        .map((k) =>
                          this.t(k === 'activity' ? 'option.sync.itemTypes.activities' : 'option.sync.itemTypes.tasks'),
                        )
                        .join(', '),
                    }),
                  (detail) => this.t('settings.connectionFailed', { detail }),
                  () => this.t('settings.connectionInvalid'),
                )}
            ></crm-settings-form>`,
        )}
      </crm-settings-tabs>
      <div class="save-bar ${p.dirty ? 'dirty' : ''}">
        <fluent-button appearance="primary" ${disabled(!p.dirty || p.saveState === 'saving')} @click=${() => p.save()}>
          ${this.t('settings.save')}
        </fluent-button>
        <fluent-button ${disabled(!p.dirty)} @click=${() => p.cancelEdit()}>${this.t('settings.cancel')}</fluent-button>
        <span role="status" class=${p.saveState === 'invalid' || p.saveState === 'failed' ? 'bad' : ''}
          >${saveText}</span
        >
      </div>
      <p class="note">${this.t(p.loaded?.storage === 'office' ? 'settings.storedOffice' : 'settings.storedBrowser')}</p>
    `;
  }

  override render() {
    const p = this.pane;
    const confirm = p.failure && CONFIRMABLE[p.failure.name];
    return html`
      <header>
        <h1>${this.t('app.title')}</h1>
        <p>${this.t('app.subtitle')}</p>
        <div class="language">
          <label id="language-label" for="language">${this.t('app.language')}</label>
          <fluent-dropdown
            id="language"
            size="small"
            aria-labelledby="language-label"
            data-value=${this.language}
            @change=${(e: Event) => this.chooseLanguage((e.target as HTMLSelectElement).value as LanguageChoice)}
          >
            <fluent-listbox>
              ${(['outlook', 'en', 'de'] as const).map(
                (v) =>
                  html`<fluent-option value=${v} ?selected=${this.language === v}
                    >${this.t(`app.language.${v}`)}</fluent-option
                  >`,
              )}
            </fluent-listbox>
          </fluent-dropdown>
        </div>
      </header>
      ${this.renderBanner()}
      <crm-sync-panel
        ?running=${p.running}
        .ready=${p.ready}
        .progress=${p.progress}
        .report=${p.report}
        .runs=${p.runs}
        failure=${this.failureText()}
        @crm-sync-request=${(e: CustomEvent<SyncRequestDetail>) => p.sync({ dryRun: e.detail.dryRun })}
        @crm-sync-cancel=${() => p.cancelSync()}
      ></crm-sync-panel>
      ${
        confirm
          ? html`<fluent-button class="confirm" @click=${() => p.sync({ [confirm]: true })}>
              ${this.t('sync.confirmAnyway')}
            </fluent-button>`
          : nothing
      }
      ${this.renderFolderQuestion()} ${this.renderMassDelete()}
      ${fold(
        {
          heading: this.t('pending.title', { count: String(p.pending.length) }),
          expanded: p.pending.length > 0,
          name: 'pending',
        },
        html`<crm-pending-list
          .items=${p.pending}
          .colors=${p.colors}
          ?busy=${p.running}
          @crm-pending-decision=${(e: CustomEvent<PendingDecisionDetail>) => p.decide(e.detail.items, e.detail.decision)}
          @crm-pending-merge=${(e: CustomEvent<PendingMergeDetail>) => p.merge(e.detail.item, e.detail.choice)}
        ></crm-pending-list>`,
      )}
      ${
        p.exceptions.length
          ? fold(
              { heading: this.t('exceptions.title', { count: String(p.exceptions.length) }), name: 'exceptions' },
              html`<p class="note">${this.t('exceptions.intro')}</p>
                <ul class="exceptions">
                  ${p.exceptions.map(
                    (x) =>
                      html`<li>
                        <span class="what"
                          >${x.subject}${x.when ? html`<span class="when">${x.when}</span>` : nothing}</span
                        >
                        <fluent-button
                          aria-label="${this.t('exceptions.include')}: ${x.subject}"
                          ${disabled(p.running)}
                          @click=${() => p.includeAgain(x.key)}
                        >
                          ${this.t('exceptions.include')}
                        </fluent-button>
                      </li>`,
                  )}
                </ul>`,
            )
          : nothing
      }
      ${fold(
        {
          heading: this.t('wayBack.title'),
          name: 'way-back',
          onOpen: () => {
            // (Loaded when first opened: not in the JavaScript the pane needs for its first render.)
            void import('../crm-way-back/crm-way-back.js');
            void p.wayBack.loadVersions();
          },
        },
        html`<crm-way-back
          .runs=${p.runs}
          .versions=${p.wayBack.versions}
          .preview=${p.wayBack.preview}
          .note=${p.wayBack.note}
          ?busy=${p.wayBack.busy || p.running}
          @crm-undo-preview=${(e: CustomEvent<UndoPreviewDetail>) => p.wayBack.previewUndo(e.detail.run)}
          @crm-undo-confirm=${() => p.wayBack.undo()}
          @crm-undo-cancel=${() => p.wayBack.cancelUndo()}
          @crm-restore=${(e: CustomEvent<RestoreDetail>) => p.wayBack.restore(e.detail.entry, e.detail.side)}
        ></crm-way-back>`,
      )}
      <h2>${this.t('settings.title')}</h2>
      ${this.renderSettings()}
      ${fold(
        { heading: this.t('log.title'), name: 'log' },
        html`<crm-log-viewer
          .entries=${p.log}
          retentionDays=${p.loaded?.profile.misc.errorLogRetentionDays ?? 30}
          @crm-log-query=${(e: CustomEvent<LogQueryDetail>) => p.queryLog(e.detail.levels, e.detail.search)}
          @crm-log-export=${() => this.exportLog()}
        ></crm-log-viewer>`,
      )}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crm-app': CrmApp;
  }
}
