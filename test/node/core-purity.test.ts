// src/core must stay pure (DESIGN.md §5, STYLE.md): its own tsconfig has no DOM lib and no ambient
// types, and the lint configuration refuses imports of adapters, UI and impure packages (the common
// workspace's wall clock is allowed: Intl only). These tests compile that real tsconfig, and lint with
// the real configuration, one extra in-memory file planted in src/core, and prove that impure code fails.
import { describe, it } from 'node:test';
import { expect } from 'chai';
import path from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '../..');
const coreConfig = path.join(root, 'src/core/tsconfig.json');

/** Parsed files on disk, shared by every compilation here: parsing the libs is most of the cost. */
const parsedOnDisk = new Map<string, ts.SourceFile | undefined>();

/**
 * Compiles src/core with `files` added (paths relative to the repository) and returns the errors: of
 * the whole program, or (`plantedOnly`) of the planted core files and the program's options and globals.
 */
function compileCoreWith(files: Record<string, string>, plantedOnly = true): string[] {
  const virtual = new Map(Object.entries(files).map(([rel, text]) => [path.join(root, rel), text]));
  const parsed = ts.getParsedCommandLineOfConfigFile(
    coreConfig,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('cannot read src/core/tsconfig.json');
  const host = ts.createCompilerHost(parsed.options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists(f);
  host.readFile = (f) => virtual.get(f) ?? readFile(f);
  host.getSourceFile = (f, lang, ...rest) => {
    if (virtual.has(f)) return ts.createSourceFile(f, virtual.get(f)!, lang);
    if (!parsedOnDisk.has(f)) parsedOnDisk.set(f, getSourceFile(f, lang, ...rest));
    return parsedOnDisk.get(f);
  };
  const planted = [...virtual.keys()].filter((f) => f.startsWith(path.join(root, 'src/core')));
  const program = ts.createProgram({ rootNames: [...parsed.fileNames, ...planted], options: parsed.options, host });
  const diagnostics = plantedOnly
    ? [
        ...program.getOptionsDiagnostics(),
        ...program.getGlobalDiagnostics(),
        ...planted.flatMap((f) => [
          ...program.getSyntacticDiagnostics(program.getSourceFile(f)),
          ...program.getSemanticDiagnostics(program.getSourceFile(f)),
        ]),
      ]
    : ts.getPreEmitDiagnostics(program);
  return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('the pure core cannot reach Office, the DOM or other layers', () => {
  it('compiles as it is, with a planted pure file', () => {
    expect(
      compileCoreWith({ 'src/core/probe.ts': 'export const double = (n: number): number => n * 2;\n' }, false),
    ).to.deep.equal([]);
  });

  it('fails when core code references Office', () => {
    const errors = compileCoreWith({ 'src/core/probe.ts': 'export const host = Office.context.displayLanguage;\n' });
    expect(errors.join('\n')).to.match(/Cannot find name 'Office'/);
  });

  it('fails when core code references window or fetch', () => {
    const errors = compileCoreWith({
      'src/core/probe-window.ts': 'export const w = window.location.href;\n',
      'src/core/probe-fetch.ts': "export const r = fetch('/x');\n",
    }).join('\n');
    expect(errors).to.match(/Cannot find name 'window'/);
    expect(errors).to.match(/Cannot find name 'fetch'/);
  });

  it('fails lint when core code imports adapters, UI, other workspaces or impure packages', async () => {
    const eslint = new ESLint({ cwd: root });
    const problems = async (code: string) =>
      (await eslint.lintText(code, { filePath: path.join(root, 'src/core/sync/probe.ts') }))
        .flatMap((r) => r.messages)
        .filter((m) => m.ruleId === 'no-restricted-imports')
        .map((m) => m.message);
    for (const from of [
      '../../adapters/graph/graph-http.js',
      '../../ui/contexts.js',
      'ical.js',
      'node:fs',
      '@crm-sync/common/zones',
      '@crm-sync/gateway',
    ])
      expect(await problems(`import * as x from '${from}';\nexport const y = x;\n`), from).to.have.length(1);
    // The shared wall clock is pure: allowed.
    expect(
      await problems("import { toWallClock } from '@crm-sync/common/wall-clock';\nexport const f = toWallClock;\n"),
    ).to.deep.equal([]);
  });
});
