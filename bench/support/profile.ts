// Reading a V8 CPU profile (`node --cpu-prof`): the functions with the most self time, for the README.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly hitCount?: number;
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  /** `name (file:line)`, the file relative to the repository or the package it is in. */
  readonly fn: string;
  readonly selfMs: number;
  /** Of the samples in which the process was working ((idle) left out). */
  readonly percent: number;
}

/** Where a frame's file is, short: `gateway/src/dav/xml.ts`, `@xmldom/xmldom/lib/dom.js`, `node:internal/…`. */
function shortUrl(url: string, root: string): string {
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) return file.slice(modules + '/node_modules/'.length);
  return file.startsWith(root) ? path.relative(root, file) : file;
}

/**
 * The `top` functions by self time in the one `.cpuprofile` in `dir`. Self time is the time between a
 * sample and the next one, given to the function the sample was in; functions are told apart by name,
 * file and line. "(idle)" is left out of the percentages (the process waited for requests then).
 */
export function topSelfTime(dir: string, root: string, top = 15): { busyMs: number; functions: SelfTime[] } {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length !== 1) throw new Error(`${dir}: expected one .cpuprofile, found ${files.length}`);
  const profile = JSON.parse(readFileSync(path.join(dir, files[0]!), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = url
      ? `${functionName || '(anonymous)'} (${shortUrl(url, root)}:${lineNumber + 1})`
      : functionName || '(anonymous)';
    self.set(key, (self.get(key) ?? 0) + us);
    busy += us;
  }
  const functions = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, us]) => ({
      fn,
      selfMs: Math.round(us / 1000),
      percent: Math.round((us / busy) * 1000) / 10,
    }));
  return { busyMs: Math.round(busy / 1000), functions };
}
