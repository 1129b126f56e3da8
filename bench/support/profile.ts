// Reading a V8 CPU profile (`node --cpu-prof`): the functions with the most self time, for the README.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
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
function shortPath(file: string, root: string): string {
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) return file.slice(modules + '/node_modules/'.length);
  return file.startsWith(root) ? path.relative(root, file) : file;
}

const maps = new Map<string, SourceMap | undefined>();
/**
 * A frame's place in the source: through the bundle's source map where there is one (the gateway runs
 * as one esbuild bundle, gateway/dist/cli.mjs, built with its .map), else the file itself. 1-based line.
 */
function place(frame: ProfileNode['callFrame'], root: string): string {
  const file = frame.url.startsWith('file:') ? fileURLToPath(frame.url) : frame.url;
  if (!maps.has(file)) {
    const map = `${file}.map`;
    maps.set(file, existsSync(map) ? new SourceMap(JSON.parse(readFileSync(map, 'utf8'))) : undefined);
  }
  const entry = maps.get(file)?.findEntry(frame.lineNumber, frame.columnNumber);
  if (entry && 'originalSource' in entry && entry.originalSource) {
    const source = entry.originalSource.startsWith('file:')
      ? fileURLToPath(entry.originalSource)
      : path.resolve(path.dirname(file), entry.originalSource);
    return `${shortPath(source, root)}:${entry.originalLine + 1}`;
  }
  return `${shortPath(file, root)}:${frame.lineNumber + 1}`;
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
    const { functionName, url } = node.callFrame;
    const key = url
      ? `${functionName || '(anonymous)'} (${place(node.callFrame, root)})`
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
