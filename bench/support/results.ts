// Writing a benchmark's result file (bench/results/<name>.json) with when it ran and the machine's load.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';

/** The 1-minute load average, two decimals. */
export const load = (): number => Math.round(loadavg()[0]! * 100) / 100;

/**
 * Writes `bench/results/<name>.json`: `value`, the time of the run and the 1-minute load average now
 * (`loadAfter`; a benchmark records `loadBefore` itself when it starts measuring), and says so.
 */
export function writeResults(name: string, value: Record<string, unknown>): void {
  const dir = path.resolve(import.meta.dirname, '../results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, `${name}.json`),
    JSON.stringify({ ...value, loadAfter: load(), at: new Date().toISOString() }, null, 2) + '\n',
  );
  console.log(`\nwritten to bench/results/${name}.json`);
}
