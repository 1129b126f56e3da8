/**
 * When the server runs a user's synchronization (issue 19): on a trigger (a Graph change notification,
 * a CRM change, the interval), after a short quiet time so that a burst is one run ("ten changes in a
 * second are one run"), one run per account at a time, a trigger during a run giving one more run after
 * it, and a limit of runs at once over all accounts. A run that finds the account busy elsewhere (the
 * pane's run holds the lease) or fails is tried again with backoff.
 *
 * This is the in-process scheduler of the embedded (SQLite) set-up; several gateway processes on one
 * PostgreSQL database need a shared queue (issue 19: not built yet).
 */
import PQueue from 'p-queue';
import type { Account } from './sync-job.js';

export interface SchedulerOptions {
  /** The run itself (runServerSync with the worker's options). */
  readonly run: (account: Account) => Promise<unknown>;
  /** Quiet time after a trigger before the run starts (default 1,000 ms). */
  readonly debounceMs?: number;
  /** Runs at once over all accounts (default 8). */
  readonly concurrency?: number;
  /** First wait after a failed run; doubled up to `maxRetryMs` (default 5 s, 5 min). */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
  /** Told of every run's end (tests, the log of the worker). */
  readonly onRun?: (
    account: Account,
    outcome: { ok: true } | { ok: false; error: unknown },
    /** What asked for the run. */
    reasons: readonly string[],
  ) => void;
}

interface Slot {
  timer?: ReturnType<typeof setTimeout>;
  running: boolean;
  again: boolean;
  failures: number;
  reasons: Set<string>;
}

/** An account's key: the user and the mailbox, which Outlook and the gateway spell in any case. */
export const accountKey = (a: Account): string => `${a.user}\n${a.mailbox.toLowerCase()}`;

export class Scheduler {
  private readonly slots = new Map<string, Slot>();
  private readonly queue: PQueue;
  private stopped = false;
  /** Runs started, by account key (tests count them). */
  readonly started = new Map<string, number>();

  constructor(private readonly options: SchedulerOptions) {
    this.queue = new PQueue({ concurrency: options.concurrency ?? 8 });
  }

  private slot(account: Account): Slot {
    const key = accountKey(account);
    let slot = this.slots.get(key);
    if (!slot) this.slots.set(key, (slot = { running: false, again: false, failures: 0, reasons: new Set() }));
    return slot;
  }

  /** Asks for a run of `account` (`reason`: what changed, for the worker's log). */
  trigger(account: Account, reason: string, delayMs = this.options.debounceMs ?? 1_000): void {
    if (this.stopped) return;
    const slot = this.slot(account);
    slot.reasons.add(reason);
    if (slot.running) {
      slot.again = true;
      return;
    }
    if (slot.timer) return; // a run is already due: this trigger joins it
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      void this.queue.add(() => this.runOnce(account, slot));
    }, delayMs);
  }

  private async runOnce(account: Account, slot: Slot): Promise<void> {
    if (this.stopped) return;
    slot.running = true;
    const reasons = [...slot.reasons];
    slot.reasons.clear();
    const key = accountKey(account);
    this.started.set(key, (this.started.get(key) ?? 0) + 1);
    let failed = false;
    try {
      await this.options.run(account);
      slot.failures = 0;
      this.options.onRun?.(account, { ok: true }, reasons);
    } catch (error) {
      failed = true;
      slot.failures++;
      this.options.onRun?.(account, { ok: false, error }, reasons);
    } finally {
      slot.running = false;
    }
    if (slot.again) {
      slot.again = false;
      this.trigger(account, 'changed during the run');
    } else if (failed) {
      const base = this.options.retryMs ?? 5_000;
      const wait = Math.min(base * 2 ** (slot.failures - 1), this.options.maxRetryMs ?? 300_000);
      this.trigger(account, 'retry', wait);
    }
  }

  /** Whether a run of the account is due or under way. */
  busy(account: Account): boolean {
    const slot = this.slots.get(accountKey(account));
    return !!slot && (slot.running || !!slot.timer);
  }

  /** Resolves when nothing is due or running (tests). */
  async idle(): Promise<void> {
    for (;;) {
      await this.queue.onIdle();
      if (![...this.slots.values()].some((s) => s.running || s.timer)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops: nothing new starts; runs under way finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    await this.queue.onIdle();
  }
}
