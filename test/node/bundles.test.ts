// Guards on what the build produces: the task pane's first paint loads none of the heavy libraries
// (MSAL, tsdav, ical.js: they come as lazily loaded chunks — and each is in one, else the check
// below could not fail), and events.js is one self-contained file, as classic Outlook's
// JavaScript-only runtime requires.
import { describe, it } from 'node:test';
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEV_CLIENT_ID } from '../../scripts/build-config.js';

const dist = path.resolve(import.meta.dirname, '../../dist');
const HEAVY = ['@azure/msal-browser', 'tsdav', 'ical.js'];
// How webpack marks a module a file defines (a `/***/ "./node_modules/…"` line), not a lazy import() naming it.
const defines = (text: string, lib: string) => text.includes(`/***/ "./node_modules/${lib}/`);

/** The JavaScript files a page loads before anything is imported lazily. */
function initialScripts(page: string): string[] {
  const html = readFileSync(path.join(dist, page), 'utf8');
  return [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)]
    .map((m) => m[1] ?? '')
    .filter((src) => !/^https?:/.test(src) && !src.startsWith('office-js/'));
}

describe('bundles', () => {
  for (const page of ['taskpane.html', 'crm-pane.html', 'dialog.html', 'commands.html']) {
    it(`${page} loads its scripts from the build and none of ${HEAVY.join(', ')} up front`, () => {
      const scripts = initialScripts(page);
      expect(scripts.length).to.be.greaterThan(0);
      for (const src of scripts) {
        const file = path.join(dist, src);
        expect(existsSync(file), src).to.equal(true);
        const text = readFileSync(file, 'utf8');
        for (const lib of HEAVY) expect(defines(text, lib), `${src} bundles ${lib}`).to.equal(false);
      }
    });
  }

  it(`each of ${HEAVY.join(', ')} is in a chunk of the build, loaded when it is needed`, () => {
    const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    const texts = files.map((f) => readFileSync(path.join(dist, f), 'utf8'));
    for (const lib of HEAVY)
      expect(
        texts.some((t) => defines(t, lib)),
        `${lib} in some chunk`,
      ).to.equal(true);
  });

  it('references office.js before the page code (local copy in development)', () => {
    const html = readFileSync(path.join(dist, 'taskpane.html'), 'utf8');
    expect(html).to.match(/<script src="office-js\/office\.js"><\/script>/);
    expect(existsSync(path.join(dist, 'office-js', 'office.js'))).to.equal(true);
  });

  it('events.js is self-contained: it loads no other chunk', () => {
    const text = readFileSync(path.join(dist, 'events.js'), 'utf8');
    expect(text).to.include('onAppointmentSend');
    expect(text).not.to.match(/chunks\/|__webpack_require__\.e\(/);
  });

  it('auth-dialog.html, the sign-in page of the dialog fallback, carries MSAL and the Entra client id', () => {
    const scripts = initialScripts('auth-dialog.html');
    const text = scripts.map((src) => readFileSync(path.join(dist, src), 'utf8')).join('\n');
    expect(text).to.include('/***/ "./node_modules/@azure/msal-browser/');
    expect(text).to.include(DEV_CLIENT_ID);
    expect(text).to.include('messageParent');
  });
});
