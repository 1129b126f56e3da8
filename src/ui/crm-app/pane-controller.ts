/**
 * The task pane's state and the async work behind it (a Lit reactive controller): the profile being
 * edited, saving, the folder pickers, runs with progress and cancel, the automatic triggers, pending
 * confirmations, the error log. Elements only render this state and send events.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RunRecord } from '../../adapters/idb/idb-state.js';
import type { Profile } from '../../core/profile/profile.js';
import type { ProfileFinding } from '@crm-sync/common/profile-validate';
import type { PendingAction, PendingDecision } from '../../core/sync/actions.js';
import type { SyncPolicy } from '../../core/sync/policy.js';
import type { SyncReport } from '../../core/sync/engine.js';
import type { Side } from '../../core/sync/types.js';
import type { LogEntry, LogLevel } from '../../core/ports/state.js';
import type { FolderChoices } from '../crm-settings-form/crm-settings-form.js';
import type { AppServices } from '../../app/app-services.js';
import { setPath } from '../../app/profile-path.js';
import type { LoadedProfile } from '../../app/profile-service.js';
import type { RunRequest, SyncProgress } from '../../app/sync-service.js';
import { WayBack, type WayBackHost } from './way-back.js';
import { exceptionLabel, failureOf, type PaneFailure } from './pane-text.js';
import type { FieldName } from '../../core/model/merge.js';
import type * as Logic from './pane-logic.js';

type PaneLogic = typeof Logic;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class PaneController implements ReactiveController {
  services?: AppServices;
  loaded?: LoadedProfile;
  draft?: Profile;
  /** A new password typed on the General tab, not yet saved. */
  password?: string;
  findings: readonly ProfileFinding[] = [];
  touched = new Set<string>();
  saveState: 'idle' | 'saving' | 'saved' | 'invalid' | 'failed' = 'idle';
  saveError = '';
  folders: FolderChoices = {};
  connection = '';
  running = false;
  progress?: SyncProgress;
  report?: SyncReport;
  runs: readonly RunRecord[] = [];
  failure?: PaneFailure;
  pending: readonly PendingAction[] = [];
  /** The exception list (Pending → Reject / Exclude), with subjects where the status table has them. */
  /**
   * The exception list as the pane shows it: the subject (as last synchronized, else as it was when
   * excluded) and the start or due time when excluded; else the key.
   */
  exceptions: readonly { key: string; subject: string; when?: string }[] = [];
  log: readonly LogEntry[] = [];
  /** Where the sync state is kept (issue 15): the pane says when it is on this device only. */
  stateWhere?: 'account' | 'device' | 'unreachable';
  /** While the gateway cannot be reached: when the account's state the lists show was read. */
  cachedAt?: number;
  private logQuery: { levels: readonly LogLevel[]; search: string } = {
    levels: ['error', 'warning', 'info'],
    search: '',
  };
  private abort?: AbortController;
  private timer?: ReturnType<typeof setInterval>;
  /** Undo a run, restore a version (issue 18). */
  readonly wayBack: WayBack = new WayBack(this.wayBackHost());

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  private wayBackHost(): WayBackHost {
    // (Getters: the way back reads the pane's state as it is when it acts.)
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const pane = this;
    return {
      get services() {
        return pane.services;
      },
      get loaded() {
        return pane.loaded;
      },
      get running() {
        return pane.running;
      },
      saveExceptionList: (list, labels) => pane.saveExceptionList(list, labels),
      refreshState: () => pane.refreshState(),
      sync: (request) => pane.sync(request),
      requestUpdate: () => pane.update(),
    };
  }

  hostDisconnected(): void {
    clearInterval(this.timer);
    this.abort?.abort();
  }

  private update(): void {
    this.host.requestUpdate();
  }

  get dirty(): boolean {
    return (
      this.password !== undefined ||
      (!!this.draft && !!this.loaded && JSON.stringify(this.draft) !== JSON.stringify(this.loaded.profile))
    );
  }

  /** A saved profile with a password: the sync buttons work. */
  get ready(): boolean {
    return (
      !!this.logic &&
      !!this.loaded &&
      this.loaded.hasPassword &&
      this.logic.validateProfile(this.loaded.profile).length === 0
    );
  }

  /** The pane's rules (pane-logic.ts), loaded with the services. */
  private logic?: PaneLogic;

  /** Why the settings could not be read (a profile saved by a newer version, say). */
  loadError = '';

  async attach(services: AppServices): Promise<void> {
    if (this.services === services) return;
    try {
      this.logic ??= await import('./pane-logic.js');
      this.services = services;
      await this.reload();
    } catch (error) {
      this.loadError = message(error);
      this.update();
      return;
    }
    void this.refreshFolders();
    void this.refreshState();
    this.schedule();
    if (this.ready && this.policy()?.triggers.onPaneOpen) void this.sync({});
  }

  /** The saved profile as the synchronization reads it (compiled now). */
  private policy(): SyncPolicy | undefined {
    return this.loaded && this.logic?.compilePolicy(this.loaded.profile, Date.now());
  }

  /** The colours Pending and the conflict screen mark each side with. */
  get colors(): SyncPolicy['colors'] {
    return this.policy()?.colors ?? { outlook: '#c50f1f', crm: '#0f6cbd' };
  }

  private async reload(): Promise<void> {
    this.loaded = await this.services!.profiles.load();
    this.draft = this.loaded.profile;
    this.password = undefined;
    this.touched.clear();
    this.findings = [];
    this.update();
  }

  /** "Every N minutes while the pane is open". */
  private schedule(): void {
    clearInterval(this.timer);
    const every = this.policy()?.triggers.everyMinutes;
    if (!every) return;
    this.timer = setInterval(() => {
      if (!this.running && this.ready) void this.sync({});
    }, every * 60_000);
  }

  async refreshFolders(): Promise<void> {
    if (this.services!.mode === 'browser') {
      // Outside Outlook (and not in the demo) there is no mailbox to list.
      this.folders = { outside: true };
      this.update();
      return;
    }
    try {
      const f = await this.services!.sync.folders();
      this.folders = { calendars: f.calendars, taskLists: f.taskLists };
    } catch (error) {
      this.folders = { error: message(error) };
    }
    this.update();
  }

  async refreshState(): Promise<void> {
    const sync = this.services!.sync;
    let subjects: ReadonlyMap<string, string>;
    [this.runs, this.pending, this.log, subjects] = await Promise.all([
      sync.history(),
      sync.pending(),
      sync.log.list({ levels: this.logQuery.levels, search: this.logQuery.search }),
      sync.subjects(),
    ]);
    // (After the lists: whether they could be read says whether the gateway can be reached.)
    this.stateWhere = await sync.stateWhere();
    this.cachedAt = this.stateWhere === 'unreachable' ? await sync.cachedAt() : undefined;
    const labels = this.loaded?.profile.exceptionLabels ?? {};
    this.exceptions = (this.loaded?.profile.exceptionList ?? []).map((key) => ({
      key,
      subject: subjects.get(key) ?? labels[key]?.subject ?? key,
      ...(labels[key]?.when && { when: labels[key].when }),
    }));
    this.update();
  }

  change(path: string, value: string | number | boolean): void {
    if (!this.draft) return;
    if (path === 'password') this.password = String(value);
    else this.draft = setPath(this.draft, path, value);
    this.touched.add(path);
    this.findings = this.logic!.validateProfile(this.draft).filter((f) => this.touched.has(f.field));
    this.saveState = 'idle';
    this.update();
  }

  cancelEdit(): void {
    if (!this.loaded) return;
    this.draft = this.loaded.profile;
    this.password = undefined;
    this.touched.clear();
    this.findings = [];
    this.saveState = 'idle';
    this.update();
  }

  async save(): Promise<void> {
    if (!this.draft) return;
    this.saveState = 'saving';
    this.update();
    try {
      const findings = await this.services!.profiles.save(this.draft, this.password || undefined);
      if (findings.length) {
        this.findings = findings;
        this.saveState = 'invalid';
      } else {
        await this.reload();
        this.saveState = 'saved';
        this.schedule();
        // (Best effort: every run copies the settings again and logs it when it cannot.)
        void this.services!.sync.mirrorProfile().catch(() => undefined);
      }
    } catch (error) {
      this.saveState = 'failed';
      this.saveError = message(error);
    }
    this.update();
  }

  async testConnection(
    ok: (kinds: string[]) => string,
    failed: (detail: string) => string,
    invalid: () => string,
  ): Promise<void> {
    const d = this.draft;
    if (!d) return;
    // The address and user are checked as Save checks them: nothing is sent to an address Save refuses.
    const findings = this.logic!.validateProfile(d);
    const wrong = findings.filter((f) => f.field === 'general.gatewayUrl' || f.field === 'general.userId');
    if (wrong.length) {
      for (const f of wrong) this.touched.add(f.field);
      this.findings = findings.filter((f) => this.touched.has(f.field));
      this.connection = invalid();
      return this.update();
    }
    try {
      const password = this.password || (await this.services!.profiles.password()) || '';
      this.connection = ok(await this.services!.sync.testGateway(d.general.gatewayUrl, d.general.userId, password));
    } catch (error) {
      this.connection = failed(message(error));
    }
    this.update();
  }

  async sync(request: Omit<RunRequest, 'signal' | 'onProgress'>): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.failure = undefined;
    this.progress = { phase: 'recover', done: 0, total: 0 };
    this.abort = new AbortController();
    this.update();
    try {
      this.report = await this.services!.sync.run({
        ...request,
        signal: this.abort.signal,
        onProgress: (p) => {
          this.progress = p;
          this.update();
        },
      });
      this.openConflictScreen(this.report);
    } catch (error) {
      this.failure = failureOf(error);
    } finally {
      this.running = false;
      this.abort = undefined;
      await this.refreshState();
    }
  }

  /** "Open conflict resolution screen": in Outlook a dialog shows the conflicts the run held. */
  private openConflictScreen(report: SyncReport): void {
    const policy = this.policy();
    const open = this.services?.conflictScreen;
    if (!open || !policy || policy.conflicts !== this.logic?.holdForUser || report.dryRun) return;
    if (!report.pending.some((x) => x.type === 'conflict')) return;
    open(policy.colors, (keys, decision, choice) => {
      const items = this.pending.filter((x) => keys.includes(x.pairKey));
      if (decision === 'merge') {
        if (items[0]) void this.merge(items[0], choice ?? {});
      } else if (items.length) void this.decide(items, decision);
    });
  }

  cancelSync(): void {
    this.abort?.abort();
  }

  async decide(items: readonly PendingAction[], decision: PendingDecision): Promise<void> {
    if (decision === 'approve') return this.sync({ approvals: new Set(items.map((p) => p.id)) });
    if (decision === 'exclude') {
      // Excluded (the user's "Reject"): the item goes on the exception list (Miscellaneous) and is left alone from now on.
      const p = this.loaded!.profile;
      const labels = { ...p.exceptionLabels };
      for (const i of items) {
        const a = i.action;
        labels[i.pairKey] = exceptionLabel(
          i.subject,
          (a && 'item' in a ? a.item : undefined) ?? i.outlook?.item ?? i.crm?.item,
        );
      }
      await this.saveExceptionList([...new Set([...p.exceptionList, ...items.map((i) => i.pairKey)])], labels);
      return this.sync({});
    }
    return this.sync({ decisions: new Map(items.map((p) => [p.pairKey, decision])) });
  }

  /**
   * The conflict screen's field-by-field merge: the merged version goes over the Outlook copy, then a run
   * decides the conflict for Outlook, which carries it to the CRM.
   */
  async merge(conflict: PendingAction, choice: Partial<Record<FieldName, Side>>): Promise<void> {
    if (this.running || !conflict.outlook || !conflict.crm) return;
    try {
      await this.services!.sync.merge(
        conflict,
        this.logic!.mergeItems(conflict.outlook.item, conflict.crm.item, choice),
      );
    } catch (error) {
      this.failure = failureOf(error);
      return this.update();
    }
    return this.sync({ decisions: new Map([[conflict.pairKey, 'outlook']]) });
  }

  /** Takes an item off the exception list: the next run synchronizes it again. */
  async includeAgain(key: string): Promise<void> {
    const { [key]: _gone, ...labels } = this.loaded!.profile.exceptionLabels ?? {};
    await this.saveExceptionList(
      this.loaded!.profile.exceptionList.filter((k) => k !== key),
      labels,
    );
    await this.refreshState();
  }

  /**
   * Saves a new exception list with the saved profile; edits not saved yet on the tabs stay as they are.
   * Throws when it was not saved (too large for roaming settings, or the saved settings are invalid).
   */
  async saveExceptionList(list: readonly string[], labels: Profile['exceptionLabels']): Promise<void> {
    const draft = this.dirty ? this.draft : undefined;
    const password = this.password;
    // Only the labels of entries on the list are kept (the roaming profile has 32 KB).
    const kept = Object.fromEntries(Object.entries(labels ?? {}).filter(([k]) => list.includes(k)));
    const findings = await this.services!.profiles.save({
      ...this.loaded!.profile,
      exceptionList: list,
      exceptionLabels: kept,
    });
    if (findings.length)
      throw new this.logic!.SyncError('settings-incomplete', { fields: findings.map((f) => f.field).join(', ') });
    await this.reload();
    if (draft) {
      this.draft = { ...draft, exceptionList: list, exceptionLabels: kept };
      this.password = password;
      this.update();
    }
  }

  async queryLog(levels: readonly LogLevel[], search: string): Promise<void> {
    this.logQuery = { levels, search };
    this.log = await this.services!.sync.log.list({ levels, search });
    this.update();
  }
}
