// The independent recurrence oracle (issue 13): a long-running /usr/bin/python3 that expands
// iCalendar objects with python3-recurring-ical-events (see expand-ical.py), asked one object at a
// time over its stdin. Started once per suite; ended by its own PID.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Occurrence {
  /** UTC instant (ISO, Z), or YYYY-MM-DD for an all-day occurrence. */
  readonly start: string;
  readonly end: string;
  readonly allDay: boolean;
  readonly summary: string;
  readonly location: string;
}

const SCRIPT = fileURLToPath(new URL('./expand-ical.py', import.meta.url));

export class IcalOracle {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<number, { resolve: (o: Occurrence[]) => void; reject: (e: Error) => void }>();
  private next = 0;
  private stderr = '';

  constructor() {
    this.child = spawn('/usr/bin/python3', [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child.on('exit', (code) => {
      for (const w of this.waiting.values())
        w.reject(new Error(`the iCalendar oracle ended (${code}): ${this.stderr.trim() || 'no message'}`));
      this.waiting.clear();
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const answer = JSON.parse(line) as { id: number; occurrences?: Occurrence[]; error?: string };
      const w = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      if (answer.error) w?.reject(new Error(`the iCalendar oracle could not expand it: ${answer.error}`));
      else w?.resolve(answer.occurrences!);
    });
  }

  /** The occurrences of `text` that overlap [from, to) (epoch ms). */
  expand(text: string, from: number, to: number): Promise<Occurrence[]> {
    const id = this.next++;
    const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ id, text, from: iso(from), to: iso(to) })}\n`);
    });
  }

  close(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.stdin.end();
    });
  }
}
