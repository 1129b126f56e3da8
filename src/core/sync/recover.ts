/**
 * Resolving the journal after a crash or a reload in the middle of a sync: every intent that was
 * journaled but not committed is finished or dropped, without duplicates (creation is idempotent on
 * the pair key) and without losses (DESIGN.md §4, step 3).
 */
import { sameSharedContent } from '../model/content-hash.js';
import type { FailureRecord, JournalEntry, StatusStore } from '../ports/state.js';
import { isReadable } from '../ports/store.js';
import type { Action } from './actions.js';
import { executeActions, nextStatus, type ExecuteDeps } from './execute.js';
import type { PairStatus } from './status.js';

export async function resolveJournal(
  journal: readonly JournalEntry[],
  rows: readonly PairStatus[],
  failures: ReadonlyMap<string, FailureRecord>,
  deps: ExecuteDeps & { state: StatusStore },
  /** The current profile still lets this write happen (else the next plan decides afresh). */
  allowed: (a: Action) => boolean = () => true,
): Promise<readonly Action[]> {
  if (journal.length === 0) return [];
  const redo: Action[] = [];
  // An entry that is finished is closed in the same commit as its result: a crash in the middle of
  // recovery leaves it for the next one (a status lost after a landed write would turn our own write
  // into a change of the user's).
  const earlier = new Map<Action, string>();
  const push = (a: Action, id: string) => {
    // A copy: two entries can hold the same action object (a recovery that crashed journaled it again).
    const mine = { ...a };
    redo.push(mine);
    earlier.set(mine, id);
  };
  const byKey = new Map(rows.map((r) => [r.key, r]));
  for (const { id, action: a } of journal) {
    // A pair in backoff after a failure waits for its time, journal entry and all.
    const failure = failures.get(a.pairKey);
    if (failure && failure.nextAttemptAt > deps.clock()) continue;
    // The profile changed since (one-way now, private items off, …): the write is not finished; the
    // pair's failure record, if any, reads its copies again and the plan decides (rule 8).
    if (a.type === 'status' || !allowed(a)) {
      await deps.state.commit({ journalDone: [id] });
      continue;
    }
    if (a.type === 'create') {
      // Creating again returns the item the interrupted call may have created (same key).
      push(a, id);
      continue;
    }
    const found = (await deps.store(a.target, a.kind).getMany([a.id])).get(a.id);
    // An item that became unreadable changed since: the next plan decides (after the user repairs it).
    if (found && !isReadable(found)) {
      await deps.state.commit({ journalDone: [id] });
      continue;
    }
    const current = found;
    if (a.type === 'delete') {
      // Gone: the delete happened, commit it. Unchanged: do it again. Changed since: the next plan decides.
      if (!current || current.version === a.ifVersion)
        push(
          current
            ? a
            : {
                type: 'status',
                pairKey: a.pairKey,
                kind: a.kind,
                subject: a.subject,
                reason: a.reason,
                status: null,
              },
          id,
        );
      else await deps.state.commit({ journalDone: [id] });
      continue;
    }
    if (current?.version === a.ifVersion) push(a, id);
    else if (current && sameSharedContent(current.item, a.item)) {
      // The update landed before the crash: record its result, without writing it again.
      const status = nextStatus(a, byKey.get(a.pairKey), { id: a.id, version: current.version, item: a.item });
      push({ type: 'status', pairKey: a.pairKey, kind: a.kind, subject: a.subject, reason: a.reason, status }, id);
    } else await deps.state.commit({ journalDone: [id] });
  }
  const result = await executeActions(redo, byKey, failures, {
    ...deps,
    recovering: true,
    earlierJournal: (a) => earlier.get(a),
  });
  // What recovery wrote is the run's work too: the report counts it (issue 13, point 13).
  return result.done;
}
