/**
 * What the pane says of a run that stopped (its failure, translated from the error's code) and of an
 * item put on the exception list (its label): shared by the pane controller and the way back.
 */
import type { FolderChange, FolderChangedError, MassDeleteError, WouldDelete } from '../../core/errors.js';
import type { Item } from '../../core/model/item.js';
import type { Side } from '../../core/sync/types.js';
import { timeText } from '../time-text.js';

export interface PaneFailure {
  readonly name: string;
  readonly message: string;
  /** The error catalogue's code and parameters (core/errors.ts), which the pane translates. */
  readonly code?: string;
  readonly params?: Readonly<Record<string, string | number>>;
  readonly folderChanges?: readonly FolderChange[];
  /** The mass-delete stop: where the run would delete, and what (MassDeleteError). */
  readonly wouldDelete?: { readonly side: Side; readonly items: readonly WouldDelete[] };
}

/** Why a run (or a merge) stopped, as the pane shows it. */
export function failureOf(error: unknown): PaneFailure {
  // (By shape and name, not class: the error may come from another bundle, the ribbon command's.)
  const coded = error as { code?: unknown; params?: unknown };
  const named = (name: string) => error instanceof Error && error.name === name;
  return {
    name: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : String(error),
    ...(typeof coded.code === 'string' &&
      coded.params !== null &&
      typeof coded.params === 'object' && {
        code: coded.code,
        params: coded.params as Record<string, string | number>,
      }),
    ...(named('FolderChangedError') && { folderChanges: (error as FolderChangedError).changes }),
    ...(named('MassDeleteError') && {
      wouldDelete: { side: (error as MassDeleteError).side, items: (error as MassDeleteError).items ?? [] },
    }),
  };
}

/** What the exception list shows of an excluded item: its subject and the start (or due) time it had. */
export function exceptionLabel(subject: string, item: Item | undefined): { subject: string; when?: string } {
  const t = item?.kind === 'activity' ? item.start : (item?.due ?? item?.start);
  const when = timeText(t);
  return { subject: subject.slice(0, 120), ...(when && { when }) };
}
