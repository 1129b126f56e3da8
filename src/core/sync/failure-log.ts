/**
 * Log lines for many items: the subject field that names the first of them, and the failures of one
 * run grouped into one line per failure (issue 13, point 13).
 */
import type { ErrorLog, LogEntry } from '../ports/state.js';
import { logLine, type LogParams } from '../log-messages.js';

/** The subject field of a log line for `count` items, of which `shown` are named (the viewer quotes it). */
export const subjectLine = (shown: readonly string[], count: number): string =>
  shown.join('”, “') + (count > shown.length ? ` … (+${count - shown.length})` : '');

/**
 * Failure lines of one run, grouped: the same failure of many items (a gateway that went away, 105
 * creations) is one line with the count and the first subjects, not 105 lines (issue 13, point 13).
 */
export class FailureLog {
  private readonly groups = new Map<string, LogEntry[]>();

  add(entry: LogEntry): void {
    const key = `${entry.level}|${entry.action}|${entry.side}|${entry.message}`;
    const group = this.groups.get(key);
    if (group) group.push(entry);
    else this.groups.set(key, [entry]);
  }

  async flush(log: ErrorLog): Promise<void> {
    for (const [first, ...more] of this.groups.values()) {
      if (!first) continue;
      if (!more.length) {
        await log.append(first);
        continue;
      }
      const subjects = [first, ...more].map((e) => e.subject ?? '');
      const { pairKey: _k, subject: _s, ...rest } = first;
      await log.append({
        ...rest,
        // The same line for all of them, with their count (its `items` parameter).
        ...(first.code === 'write-failed' || first.code === 'refused'
          ? logLine(first.code, { ...(first.params as LogParams<typeof first.code>), items: subjects.length })
          : { message: `${subjects.length} items: ${first.message}` }),
        subject: subjectLine(subjects.slice(0, 3), subjects.length),
        count: subjects.length,
        pairKeys: [first, ...more].flatMap((e) => (e.pairKey ? [e.pairKey] : [])),
      });
    }
    this.groups.clear();
  }
}
