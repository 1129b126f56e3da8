/** A run's record for Recent runs and the run history, from its report or from a run that stopped. */
import type { RunRecord } from '../adapters/idb/idb-state.js';
import type { SyncReport } from '../core/sync/engine.js';

export function emptyRecord(at: number, durationMs: number): RunRecord {
  const zero = { created: 0, updated: 0, deleted: 0 };
  return {
    at,
    durationMs,
    dryRun: false,
    written: { outlook: zero, crm: zero },
    conflicts: 0,
    pending: 0,
    errors: 0,
  };
}

export function recordOf(r: SyncReport): RunRecord {
  return {
    at: r.startedAt,
    durationMs: r.durationMs,
    dryRun: r.dryRun,
    written: r.written,
    conflicts: r.conflictsResolved,
    pending: r.pending.length,
    errors: r.errors.length + r.unreadable.length,
    ...(r.cancelled && { failure: 'cancelled' }),
  };
}
