/**
 * The pane's way back (issue 18): undoing a run, with a preview of what it takes back, and restoring a
 * version the history kept. The undone pairs go on the exception list before anything is written (so a
 * run in between never writes them again); pairs the undo then leaves come off it again.
 */
import type { HistoryEntry } from '../../core/ports/state.js';
import type { Profile } from '../../core/profile/profile.js';
import type { UndoPair } from '../../core/sync/way-back.js';
import type { Side } from '../../core/sync/types.js';
import type { AppServices } from '../../app/app-services.js';
import type { LoadedProfile } from '../../app/profile-service.js';
import { exceptionLabel } from './pane-text.js';

/** What the way back needs of the pane. */
export interface WayBackHost {
  readonly services?: AppServices;
  readonly loaded?: LoadedProfile;
  readonly running: boolean;
  saveExceptionList(list: readonly string[], labels: Profile['exceptionLabels']): Promise<void>;
  refreshState(): Promise<void>;
  sync(request: object): Promise<void>;
  requestUpdate(): void;
}

/** An outcome the pane says in its language: a text of its catalogue, or an error (coded if it has a code). */
export type WayBackNote =
  | { readonly kind: 'done'; readonly undone: number; readonly left: number }
  | { readonly kind: 'restored'; readonly side: Side }
  | { readonly kind: 'error'; readonly message: string; readonly code?: string; readonly params?: object };

const errorNote = (error: unknown): WayBackNote => {
  const coded = error as { code?: unknown; params?: unknown };
  return {
    kind: 'error',
    message: error instanceof Error ? error.message : String(error),
    ...(typeof coded.code === 'string' && { code: coded.code }),
    ...(coded.params !== null && typeof coded.params === 'object' && { params: coded.params }),
  };
};

export class WayBack {
  /** The versions the history keeps, newest first (read when the section is opened). */
  versions: readonly HistoryEntry[] = [];
  /** The undo shown for confirmation: the run and what it would do to each pair. */
  preview?: { readonly run: number; readonly pairs: readonly UndoPair[] };
  busy = false;
  note?: WayBackNote;

  constructor(private readonly host: WayBackHost) {}

  private async work(task: () => Promise<void>): Promise<void> {
    if (this.busy || this.host.running || !this.host.services) return;
    this.busy = true;
    this.note = undefined;
    this.host.requestUpdate();
    try {
      await task();
    } catch (error) {
      this.note = errorNote(error);
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
  }

  async loadVersions(): Promise<void> {
    await this.work(async () => {
      this.versions = await this.host.services!.sync.versions();
    });
  }

  async previewUndo(run: number): Promise<void> {
    await this.work(async () => {
      this.preview = { run, pairs: await this.host.services!.sync.previewUndo(run) };
    });
  }

  cancelUndo(): void {
    this.preview = undefined;
    this.note = undefined;
    this.host.requestUpdate();
  }

  /** Undoes the previewed run: its pairs on the exception list first, then the writes taken back. */
  async undo(): Promise<void> {
    const preview = this.preview;
    if (!preview) return;
    await this.work(async () => {
      const profile = this.host.loaded!.profile;
      if (profile.misc.includeExceptionList) {
        this.note = {
          kind: 'error',
          code: 'undo-exceptions-included',
          params: {},
          message: 'a run cannot be undone while the exception list is included',
        };
        return;
      }
      const undo = preview.pairs.filter((p) => p.outcome === 'undo');
      const keys = undo.map((p) => p.pairKey);
      const list = [...new Set([...profile.exceptionList, ...keys])];
      const labels = { ...profile.exceptionLabels };
      for (const p of undo) labels[p.pairKey] = exceptionLabel(p.subject, p.writes.find((w) => w.before)?.before);
      // (Labels are a nicety: when they do not fit the 32 KB of roaming settings, the list goes without.)
      await this.host
        .saveExceptionList(list, labels)
        .catch(() => this.host.saveExceptionList(list, profile.exceptionLabels));
      // (An undo that could not start wrote nothing: its pairs come off the list again.)
      const result = await this.host.services!.sync.undo(preview.run).catch(async (error: unknown) => {
        await this.host.saveExceptionList(profile.exceptionList, profile.exceptionLabels).catch(() => undefined);
        throw error;
      });
      const left = new Set(result.left.map((p) => p.pairKey));
      if (left.size)
        await this.host.saveExceptionList(
          list.filter((k) => !left.has(k) || profile.exceptionList.includes(k)),
          labels,
        );
      this.preview = undefined;
      this.note = { kind: 'done', undone: result.undone.length, left: result.left.length };
      await this.host.refreshState();
    });
  }

  /**
   * The mass-delete stop's answer: the items deleted on `deletedOn` are created there again from the
   * other side's copies; then a run (it finds both sides in agreement).
   */
  async restoreDeleted(keys: readonly string[], deletedOn: Side): Promise<void> {
    let done = false;
    await this.work(async () => {
      await this.host.services!.sync.restoreFromOtherSide(keys, deletedOn);
      done = true;
    });
    if (done) await this.host.sync({});
  }

  /** Writes a kept version to `side`, then runs: the run carries it to the other side. */
  async restore(entry: HistoryEntry, side: Side): Promise<void> {
    let restored = false;
    await this.work(async () => {
      await this.host.services!.sync.restore(entry, side);
      restored = true;
      this.note = { kind: 'restored', side };
    });
    if (restored) {
      await this.host.sync({});
      await this.loadVersions();
      this.note = { kind: 'restored', side };
      this.host.requestUpdate();
    }
  }
}
