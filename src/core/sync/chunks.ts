/**
 * How the executor groups its writes (issue 17): chunks of actions written together, and the order
 * that keeps a chunk's $batch requests full.
 */
import type { Action } from './actions.js';

/**
 * Writes sent at once: consecutive actions of different pairs are journaled in one commit, written
 * together (a store may send them in one request: Graph's $batch takes 20) and their statuses committed
 * in one commit (issue 17: a first sync of 10,000 items made 20,000 commits and 33,000 Graph requests
 * one after the other). The journal still holds every write before it starts and the status follows
 * it (DESIGN.md §4): an interruption leaves at most this many entries for the recovery to finish.
 */
export const WRITES_AT_ONCE = 20;

/**
 * The actions with the pairs that write a series after the others, each pair's actions in their order:
 * a series takes a store several round trips (Graph: the POST, its occurrences, reading it back), and
 * a chunk waits for its slowest write — series among single items left each chunk's later $batch
 * requests nearly empty (issue 17). Pairs are independent of one another (one pair per key).
 */
export function seriesLast(actions: readonly Action[]): readonly Action[] {
  const heavy = new Set(
    actions.filter((a) => (a.type === 'create' || a.type === 'update') && a.item.recurrence).map((a) => a.pairKey),
  );
  if (!heavy.size) return actions;
  return [...actions.filter((a) => !heavy.has(a.pairKey)), ...actions.filter((a) => heavy.has(a.pairKey))];
}

/** The chunk from `from`: the next actions up to the first whose pair it already holds (a pair's actions run in order). */
export function nextChunk(actions: readonly Action[], from: number): Action[] {
  const pairs = new Set<string>();
  const chunk: Action[] = [];
  for (let i = from; i < actions.length && chunk.length < WRITES_AT_ONCE && !pairs.has(actions[i]!.pairKey); i++) {
    pairs.add(actions[i]!.pairKey);
    chunk.push(actions[i]!);
  }
  return chunk;
}
