import { afterEach, beforeEach, describe, it } from 'node:test';
import { expect } from 'chai';
import { applyTheme, followTheme, luminance, modeOf } from './theme.js';

const theme = (bodyBackgroundColor: string, bodyForegroundColor: string) =>
  ({ bodyBackgroundColor, bodyForegroundColor }) as Office.OfficeTheme;

describe('theme (issue 18: Office theme and dark mode)', () => {
  // (In the document: Fluent's setTheme themes an element inside the body, or the whole document;
  // other suites empty the body after each test, so it is put back before each.)
  const root = document.createElement('div');
  beforeEach(() => document.body.append(root));
  const v = (token: string) => getComputedStyle(root).getPropertyValue(`--${token}`).trim();
  afterEach(() => applyTheme(root, 'light'));

  it('judges Outlook’s theme by its body colour (Outlook has no isDarkTheme)', () => {
    expect(luminance('#ffffff')).to.equal(1);
    expect(luminance('#000')).to.equal(0);
    expect(luminance('red')).to.equal(undefined);
    expect(modeOf(theme('#292929', '#ffffff'))).to.equal('dark');
    expect(modeOf(theme('#f3f2f1', '#201f1e'))).to.equal('light');
    expect(modeOf(undefined)).to.equal('light');
  });

  it('in Outlook: the dark palette under Outlook’s own colours, and a change of theme followed', async () => {
    let handler: ((e: { officeTheme?: Office.OfficeTheme }) => void) | undefined;
    let asked: unknown;
    const office = {
      EventType: { OfficeThemeChanged: 'officeThemeChanged' },
      context: {
        officeTheme: theme('#1f1f1f', '#f0f0f0'),
        mailbox: {
          addHandlerAsync(type: unknown, h: (e: { officeTheme?: Office.OfficeTheme }) => void) {
            asked = type;
            handler = h;
          },
        },
      },
    };
    await followTheme(root, office, true);
    expect([root.dataset.theme, root.style.colorScheme]).to.deep.equal(['dark', 'dark']);
    // Outlook's colours over Fluent's dark theme (its danger text colour, Fluent's own).
    expect([
      v('colorNeutralBackground1'),
      v('colorNeutralForeground1'),
      v('colorStatusDangerForeground3'),
      v('colorNeutralStroke1'),
    ]).to.deep.equal(['#1f1f1f', '#f0f0f0', '#eeacb2', '#666666']);
    expect(asked).to.equal('officeThemeChanged');
    handler!({ officeTheme: theme('#fafafa', '#242424') });
    expect(root.dataset.theme).to.equal('light');
    expect([v('colorNeutralBackground1'), v('colorStatusDangerForeground3'), v('colorNeutralStroke1')]).to.deep.equal([
      '#fafafa',
      '#c50f1f',
      '#d1d1d1',
    ]);
  });

  it('ignores colours that are not colours', async () => {
    await applyTheme(root, 'light', theme('url(x)', 'expression(alert(1))'));
    expect([v('colorNeutralBackground1'), v('colorNeutralForeground1')]).to.deep.equal(['#ffffff', '#242424']);
  });
});
