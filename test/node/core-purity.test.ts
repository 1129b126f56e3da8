// src/core must stay pure (DESIGN.md §5, STYLE.md): its own tsconfig has no DOM lib and no ambient
// types, and rootDir keeps adapters and UI out. These tests compile that real tsconfig with one extra,
// in-memory file planted in src/core and prove that impure code fails to compile.
import { describe, it } from 'node:test';
import { expect } from 'chai';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '../..');
const coreConfig = path.join(root, 'src/core/tsconfig.json');

/** Parsed files on disk, shared by every compilation here: parsing the libs is most of the cost. */
const parsedOnDisk = new Map<string, ts.SourceFile | undefined>();

/**
 * Compiles src/core with `files` added (paths relative to the repository) and returns the errors: of
 * the whole program, or (`plantedOnly`) of the planted core files and the program as a whole (rootDir).
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

  it('fails when core code imports from adapters or UI, even pure-looking ones', () => {
    const adapter = compileCoreWith({
      'src/adapters/probe-adapter.ts': 'export const answer = 42;\n',
      'src/core/probe.ts': "import { answer } from '../adapters/probe-adapter.js';\nexport const a = answer;\n",
    });
    expect(adapter.join('\n')).to.match(/not under 'rootDir'|rootDir/);
    const ui = compileCoreWith({
      'src/ui/probe-ui.ts': 'export const label = "x";\n',
      'src/core/probe.ts': "import { label } from '../ui/probe-ui.js';\nexport const l = label;\n",
    });
    expect(ui.join('\n')).to.match(/rootDir/);
  });
});
