// `npm run test:mutants`: plants deliberate engine bugs one at a time and runs the core tests (unit,
// settings changes, the model-based property at npm test's run count) against each. Every planted bug
// must be caught; the table says which were. Each mutant runs in a copy of src/ and test/ in a temporary
// folder (node_modules linked), so the working tree is never changed. Exit code 1 if one survives.
//   node --import tsx scripts/mutants.ts [name …]   only the named mutants
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

interface Mutant {
  readonly name: string;
  readonly file: string;
  readonly from: string;
  readonly to: string;
}

const MUTANTS: readonly Mutant[] = [
  {
    name: 'conflict policy inverted',
    file: 'src/core/sync/policy.ts',
    from: "return h === 'outlook-wins' ? outlookWins : h === 'most-recent' ? mostRecentWins : crmWins;",
    to: "return h === 'outlook-wins' ? crmWins : h === 'most-recent' ? mostRecentWins : outlookWins;",
  },
  {
    name: 'empty-side guard off',
    file: 'src/core/sync/guards.ts',
    from: '  if (options.allowEmptySide) return;',
    to: '  return;',
  },
  {
    name: 'mass-delete guard off',
    file: 'src/core/sync/guards.ts',
    from: '  if (options.allowMassDelete) return;',
    to: '  return;',
  },
  {
    name: 'journal recovery off',
    file: 'src/core/sync/recover.ts',
    from: '  if (journal.length === 0) return [];',
    to: '  return [];',
  },
  {
    name: 'creation not idempotent',
    file: 'src/core/sync/write.ts',
    from: 'await store.create(item, a.pairKey);',
    to: 'await store.create(item, `${a.pairKey}#${Math.random()}`);',
  },
  {
    name: 'a one-sided change dropped (CRM → Outlook)',
    file: 'src/core/sync/plan.ts',
    from: "if (policy.writable[to]) propagate(r, from, here.entry, { code: 'changed', from });",
    to: "if (canWrite(profile, to) && from === 'outlook') propagate(r, from, here.entry, { code: 'changed', from });",
  },
  {
    name: 'history not written',
    file: 'src/core/sync/write.ts',
    from: '  return deps.history.put({',
    to: '  return Promise.resolve({',
  },
  {
    name: 'a pending confirmation auto-approved',
    file: 'src/core/sync/confirm.ts',
    from: "if (!ask || a.reason.code === 'cap-extended' || options.approvals?.has(id)) continue;",
    to: "if (!ask || a.reason.code === 'cap-extended' || options.approvals?.has(id) || true) continue;",
  },
  {
    name: 'pending items not read again (a run decides for the user)',
    file: 'src/core/sync/engine.ts',
    from: '    ...sidesOf(row),',
    to: '',
  },
  {
    name: 'direction ignored',
    file: 'src/core/sync/policy.ts',
    from: "    writable: { outlook: source !== 'outlook', crm: source !== 'crm' },",
    to: '    writable: { outlook: true, crm: true },',
  },
  {
    name: 'leaving the period treated as a deletion',
    file: 'src/core/sync/read.ts',
    from: '    const ids = [...new Set([...removed, ...again])];',
    to: '    for (const id of removed) deleted.add(id);\n    const ids = [...new Set(again)];',
  },
  {
    name: 'the cap written back to the source',
    file: 'src/core/sync/plan.ts',
    from: '        ? { item: open, cap: removed && { side: from, until: removed } }',
    to: '        ? { item: entry.item, cap: removed && { side: from, until: removed } }',
  },
  {
    name: 'the cap counted from the series start',
    file: 'src/core/sync/caps.ts',
    from: '  if (toInstant(start) >= now) return start;',
    to: '  return start;',
  },
  {
    name: 'a change the profile keeps out is not held',
    file: 'src/core/sync/plan.ts',
    from: '    if (fresh.length === 0 && !moved) return;',
    to: '    return;',
  },
  {
    name: 'no full read when the scope changes',
    file: 'src/core/sync/engine.ts',
    from: '    sameScope && !moves.length ? Object.fromEntries(',
    to: '    !moves.length ? Object.fromEntries(',
  },
  {
    name: 'the CRM application ignored',
    file: 'src/core/sync/policy.ts',
    from: '  !!app && !!policy.applications && !policy.applications.has(app);',
    to: '  false;',
  },
  {
    name: 'a new private item is left out without a skip (point 15)',
    file: 'src/core/sync/plan-new.ts',
    from: "      if (!policy.privateItems && isPrivate(e.item)) skip('skip-private');",
    to: '      if (!policy.privateItems && isPrivate(e.item)) void 0;',
  },
  {
    name: 'skipped items are not written to the log (point 15)',
    file: 'src/core/sync/engine.ts',
    from: '    for (const g of notSynchronized)',
    to: '    for (const g of notSynchronized.slice(notSynchronized.length))',
  },
  {
    name: 'a change of the Outlook folder is not asked (point 10)',
    file: 'src/core/sync/folders.ts',
    from: '    if (!from || !to) return [];',
    to: '    return [];',
  },
  {
    name: 'a later folder change forgets where an interrupted move took copies (point 10)',
    file: 'src/core/sync/folders.ts',
    from: '    const also = moving && moving !== to && moving !== from ? moving : undefined;',
    to: '    const also = undefined as string | undefined;',
  },
  {
    name: 'a pair keeps its cap after its series ended (the cap moved on every run)',
    file: 'src/core/sync/execute.ts',
    from: 'application: _application, cap: _cap, ...kept',
    to: 'application: _application, ...kept',
  },
  {
    name: 'a capped copy that wins at first sync keeps a due cap',
    file: 'src/core/sync/plan-new.ts',
    from: '    if (earlier?.side === winner && capDue(earlier, years, now) && policy.writable[winner]) {',
    to: '    if (false as boolean) {',
  },
  {
    name: 'a folder change leaves the next run incremental (point 10)',
    file: 'src/core/sync/engine.ts',
    from: '    await deps.state.commit({ tokens: { [SCOPE_TOKEN]: null } });',
    to: '',
  },
  {
    name: "another folder is read from the old folder's read token (point 10)",
    file: 'src/core/sync/engine.ts',
    from: '  const foreign = Object.fromEntries(',
    to: '  const foreign = {} || Object.fromEntries(',
  },
  {
    name: 'a pair both sides ended alike keeps its cap',
    file: 'src/core/sync/plan.ts',
    from: "        const capped = r.cap && uncap((r.cap.side === 'outlook' ? oe : me).item, r.cap.side, r.cap).removed;",
    to: '        const capped = r.cap?.until;',
  },
  {
    name: 'going back after an interrupted move leaves its stray copy',
    file: 'src/core/sync/folders.ts',
    from: '      await removeStrayCopy(c.kind, storeIn(c.kind, c.also), inFlight, deps);',
    to: '',
  },
  {
    name: 'journal recovery absorbs an edit of the copy it created',
    file: 'src/core/sync/write.ts',
    from: '      return { ...created, item: created.item && sameSharedContent(created.item, item) ? created.item : item };',
    to: '      return { ...created, item: created.item ?? item };',
  },
  {
    name: 'journal recovery writes into a folder the profile names since (point 10)',
    file: 'src/core/sync/engine.ts',
    from: '        { ...execDeps, store: journalFolder },',
    to: '        execDeps,',
  },
  {
    name: "a capped copy crossing back drops the source's occurrences after the cap",
    file: 'src/core/sync/write.ts',
    from: '  const fromCap = a.cap?.side === a.source.side ? a.cap : undefined;',
    to: '  const fromCap = undefined;',
  },
  {
    name: 'occurrences after the cap are written into the capped copy',
    file: 'src/core/sync/caps.ts',
    from: '  const within = (t: TimeValue) => toInstant(t) <= toInstant(until);',
    to: '  const within = (_t: TimeValue) => true;',
  },
  {
    name: "a cap moved on after a change of the capped copy misses the source's later occurrences",
    file: 'src/core/sync/plan.ts',
    from: '      const series = source ? keepBeyondCap(open, source, cap) : open;',
    to: '      const series = open;',
  },
  {
    name: 'an item moved to another id and out of the period is taken for deleted',
    file: 'src/core/sync/read.ts',
    from: '        const moved = store.findByKey ? await store.findByKey(keyOf.get(id)!) : undefined;',
    to: '        const moved = undefined as string | undefined;',
  },
  {
    name: 'first-sync matching compares how a time is written',
    file: 'src/core/sync/match.ts',
    from: "    .join('/');",
    to: "    .join('/') + JSON.stringify(t);",
  },
  {
    name: 'kept copy outside the period not named',
    file: 'src/core/sync/plan.ts',
    from: "          const kept = 'entry' in there ? { side: to, id: there.entry.id } : undefined;",
    to: '          const kept = undefined;',
  },
  {
    name: 'kept copy (changed, outside the period) not named',
    file: 'src/core/sync/plan.ts',
    from: '        const kept = { side: otherSide(deleter), id: mod.entry.id };',
    to: '        const kept = undefined;',
  },
  {
    name: 'failed update does not read its target again',
    file: 'src/core/sync/execute.ts',
    from: "    ...(a.type === 'update' || a.type === 'delete' ? [{ side: a.target, kind: a.kind, id: a.id }] : []),",
    to: '',
  },
  // Issue 15: a device's own state handed over to the account's.
  {
    name: 'handover replaces the account’s pairs with the device’s',
    file: 'src/core/sync/handover.ts',
    from: '    if (keys.has(r.key) || !sameFolder(r.kind) ||',
    to: '    if (!sameFolder(r.kind) ||',
  },
  {
    name: 'handover adds a pair whose copy the account pairs already',
    file: 'src/core/sync/handover.ts',
    from: ' || copies(r).some((c) => c && claimed.has(c))) continue;',
    to: ') continue;',
  },
  {
    name: 'handover keeps read tokens the added pairs were never read against',
    file: 'src/core/sync/handover.ts',
    from: "      for (const side of ['outlook', 'crm'] as const) tokens[tokenKey(side, kind)] = null;",
    to: '      void kind;',
  },
  {
    name: 'handover drops the device’s unfinished writes',
    file: 'src/core/sync/handover.ts',
    from: '  const journalAdd = device.journal.filter((j) => !journalIds.has(j.id));',
    to: '  const journalAdd = device.journal.filter((j) => !journalIds.has(j.id) && false);',
  },
  // A way back (issue 18).
  {
    name: "undo: the pair keeps the run's status row",
    file: 'src/core/sync/way-back.ts',
    from: '  await deps.state.commit({ upsert: [{ ...row, ...sides } as PairStatus] });',
    to: '  void sides;',
  },
  {
    name: 'undo: over a change made since the run',
    file: 'src/core/sync/way-back.ts',
    from: "  if (w.write === 'delete') return true;\n  if (!now || now === 'unreadable') return false;",
    to: "  if (w.write === 'delete' || now) return true;\n  if (!now || now === 'unreadable') return false;",
  },
  {
    name: "undo: a run's writes forget the row before the run",
    file: 'src/core/sync/execute.ts',
    from: '    row: before ?? null,',
    to: '    row: null,',
  },
  {
    name: 'undo: a creation is not taken back',
    file: 'src/core/sync/way-back.ts',
    from: "      if (w.write === 'create') await store.delete(w.id, at, now);",
    to: "      if (w.write === 'create') void at;",
  },
];

const root = path.resolve(import.meta.dirname, '..');
const only = process.argv.slice(2);
const chosen = only.length ? MUTANTS.filter((m) => only.some((o) => m.name.includes(o))) : MUTANTS;

interface Outcome {
  readonly caught: boolean;
  readonly seconds: number;
  readonly why: string;
  /** The model-based property (not only a unit test) failed. */
  readonly model?: boolean;
}

function runTests(dir: string): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const files = readdirSync(path.join(dir, 'test/core'))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => `test/core/${f}`);
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...files], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      // npm test's run count and seed: no CRM_PROPERTY_* from the caller's shell.
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CRM_PROPERTY_'))),
    });
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => out.push(d));
    child.on('close', (code) => {
      const text = Buffer.concat(out).toString();
      const failed = [...text.matchAll(/^ {4}not ok \d+ - (.+)$/gm)].map((m) => m[1]!);
      const ran = Number(/^# tests (\d+)$/m.exec(text)?.[1] ?? 0);
      const seconds = Math.round((Date.now() - started) / 1000);
      // Caught means a test failed, not that the run broke (a mutant that does not load proves nothing).
      if (ran === 0 || failed.length === 0)
        resolve({ caught: false, seconds, why: code === 0 ? '' : `the tests did not run: ${text.slice(-300)}` });
      else
        resolve({
          caught: true,
          seconds,
          why: failed.slice(0, 2).join('; '),
          model: failed.some((f) => f.startsWith('keeps both sides')),
        });
    });
  });
}

async function tryMutant(m: Mutant): Promise<Outcome> {
  const dir = mkdtempSync(path.join(tmpdir(), 'crm-mutant-'));
  try {
    for (const part of ['src', 'test']) cpSync(path.join(root, part), path.join(dir, part), { recursive: true });
    for (const file of ['package.json', 'tsconfig.json', 'tsconfig.base.json'])
      cpSync(path.join(root, file), path.join(dir, file));
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const target = path.join(dir, m.file);
    const text = readFileSync(target, 'utf8');
    // A mutant whose line is gone must be rewritten, not silently counted as caught.
    if (!text.includes(m.from)) throw new Error(`the line to mutate is not in ${m.file}: ${m.from}`);
    writeFileSync(target, text.replace(m.from, m.to));
    return await runTests(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The control: the same copy without a planted bug must pass, or "caught" would mean nothing.
const control = await tryMutant({ name: 'control', file: 'src/core/sync/plan.ts', from: '', to: '' });
if (control.caught) {
  console.error(`the core tests fail without a planted bug (${control.why}): fix them first`);
  process.exit(1);
}
console.log(`control (no planted bug): the core tests pass (${control.seconds} s)`);

const results: (Outcome & { name: string })[] = [];
let next = 0;
// Two at a time: the machines here have two cores.
await Promise.all(
  [0, 1].map(async () => {
    while (next < chosen.length) {
      const m = chosen[next++]!;
      try {
        results.push({ name: m.name, ...(await tryMutant(m)) });
      } catch (error) {
        results.push({ name: m.name, caught: false, seconds: 0, why: String(error) });
      }
      const r = results.at(-1)!;
      console.log(`${r.caught ? 'caught    ' : 'NOT CAUGHT'}  ${r.name} (${r.seconds} s)${r.why ? ` — ${r.why}` : ''}`);
    }
  }),
);

const width = Math.max(...results.map((r) => r.name.length));
console.log(`\n${'planted bug'.padEnd(width)}  result      by the model-based test`);
for (const m of chosen) {
  const r = results.find((x) => x.name === m.name)!;
  console.log(`${m.name.padEnd(width)}  ${(r.caught ? 'caught' : 'NOT CAUGHT').padEnd(10)}  ${r.model ? 'yes' : 'no'}`);
}
const survivors = results.filter((r) => !r.caught).length;
console.log(`\n${results.length - survivors} of ${results.length} planted bugs caught`);
process.exitCode = survivors ? 1 : 0;
