// Offline manifest validation (the online validator is not reachable here): the real manifest against
// the real build, then broken copies that each must be caught.
import { before, describe, it } from 'node:test';
import { expect } from 'chai';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkManifest } from '../../scripts/manifest/check.js';
import { DEV_BASE_URL, resolveBuildConfig, rewriteManifest } from '../../scripts/build-config.js';

const root = path.resolve(import.meta.dirname, '../..');
const dist = path.join(root, 'dist');
const source = readFileSync(path.join(root, 'manifest.xml'), 'utf8');
const opts = { distDir: dist, baseUrl: DEV_BASE_URL };

/** A copy of dist/ (without the large office-js folder) that a test may damage. */
function distCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'crm-dist-'));
  cpSync(dist, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}office-js`) });
  return dir;
}

const expectProblem = (problems: string[], pattern: RegExp) =>
  expect(
    problems.some((p) => pattern.test(p)),
    `expected a problem matching ${pattern}, got:\n${problems.join('\n')}`,
  ).to.equal(true);

describe('manifest.xml (offline validation)', () => {
  // (A precondition, not a behaviour: without a build every test here fails, none passes.)
  before(() => {
    expect(existsSync(path.join(dist, 'taskpane.html')), 'run the build first (npm test does)').to.equal(true);
  });

  it('passes every check against the development build', () => {
    expect(checkManifest(source, opts)).to.deep.equal([]);
  });

  it('the build wrote dist/manifest.xml with the development URLs, and it passes too', () => {
    const built = readFileSync(path.join(dist, 'manifest.xml'), 'utf8');
    expect(checkManifest(built, opts)).to.deep.equal([]);
  });

  it('a production rewrite points every URL at ADDIN_BASE_URL and keeps nothing of localhost', () => {
    const config = resolveBuildConfig('production', {
      ADDIN_BASE_URL: 'https://crm-sync.example.com/addin',
      ENTRA_CLIENT_ID: '11111111-2222-4333-8444-555555555555',
    });
    const xml = rewriteManifest(source, config);
    expect(xml).not.to.include('localhost');
    expect(xml).to.include('<Resource>api://crm-sync.example.com/11111111-2222-4333-8444-555555555555</Resource>');
    expect(checkManifest(xml, { distDir: dist, baseUrl: config.baseUrl })).to.deep.equal([]);
  });

  it('catches a removed required element', () => {
    expectProblem(
      checkManifest(source.replace(/<Permissions>.*<\/Permissions>/, ''), opts),
      /<Permissions> is missing/,
    );
    expectProblem(
      checkManifest(source.replace(/<FormSettings>[\s\S]*?<\/FormSettings>/, ''), opts),
      /<FormSettings> is missing/,
    );
    const noSupertip = source.replace(/<Supertip>[\s\S]*?<\/Supertip>/, '');
    expectProblem(checkManifest(noSupertip, opts), /<Supertip> is missing/);
  });

  it('catches elements out of schema order', () => {
    const swapped = source.replace(/(<Id>.*<\/Id>)(\s*)(<Version>.*<\/Version>)/, '$3$2$1');
    expectProblem(checkManifest(swapped, opts), /out of order/);
    const late = source
      .replace('<SupportsPinning>true</SupportsPinning>', '')
      .replace(
        /(<Action xsi:type="ShowTaskpane">\s*)(<SourceLocation resid="Taskpane.Url"\/>)/,
        '$1<SupportsPinning>true</SupportsPinning>$2',
      );
    expectProblem(checkManifest(late, opts), /out of order|not allowed/);
  });

  it('catches a referenced file missing from the build', () => {
    const copy = distCopy();
    try {
      rmSync(path.join(copy, 'crm-pane.html'));
      expectProblem(checkManifest(source, { ...opts, distDir: copy }), /no file in the build \(crm-pane\.html\)/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('catches a missing icon and an icon of the wrong size', () => {
    const copy = distCopy();
    try {
      rmSync(path.join(copy, 'assets', 'sync-80.png'));
      copyFileSync(path.join(copy, 'assets', 'icon-16.png'), path.join(copy, 'assets', 'icon-128.png'));
      const problems = checkManifest(source, { ...opts, distDir: copy });
      expectProblem(problems, /sync-80\.png/);
      expectProblem(problems, /icon-128\.png is 16×16, declared 128×128/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('catches a button without its 80 px icon, an unknown resid and ids that are not GUIDs', () => {
    expectProblem(
      checkManifest(source.replace('<bt:Image size="80" resid="Icon.80"/>', ''), opts),
      /icon of size 80 is required/,
    );
    expectProblem(
      checkManifest(source.replace('<Label resid="SyncNow.Label"/>', '<Label resid="Nope.Label"/>'), opts),
      /resid "Nope.Label"/,
    );
    expectProblem(checkManifest(source.replace(/<Id>95740e1e[^<]*<\/Id>/, '<Id>crm-sync</Id>'), opts), /not a GUID/);
  });

  it('catches a launch event above the declared requirement set and a send event without SendMode', () => {
    expectProblem(
      checkManifest(source.replace('DefaultMinVersion="1.12"', 'DefaultMinVersion="1.11"'), opts),
      /OnAppointmentSend needs Mailbox 1.12/,
    );
    expectProblem(checkManifest(source.replace(' SendMode="SoftBlock"', ''), opts), /SendMode/);
  });

  it('catches a command or event handler that no bundle registers', () => {
    const renamed = source.replace('FunctionName="onAppointmentSend"', 'FunctionName="onAppointmentSendTypo"');
    expectProblem(checkManifest(renamed, opts), /"onAppointmentSendTypo" is not in events\.js/);
    expectProblem(
      checkManifest(
        source.replaceAll('<FunctionName>syncNow</FunctionName>', '<FunctionName>syncLater</FunctionName>'),
        opts,
      ),
      /"syncLater" is not registered/,
    );
  });

  it('reports malformed XML', () => {
    expectProblem(checkManifest(source.replace('</Hosts>', ''), opts), /XML|missing|not allowed/);
  });
});
