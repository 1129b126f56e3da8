import { afterEach, describe, it } from 'node:test';
import { expect } from 'chai';
import { applyTheme, followTheme, luminance, modeOf } from './theme.js';

const theme = (bodyBackgroundColor: string, bodyForegroundColor: string) =>
  ({ bodyBackgroundColor, bodyForegroundColor }) as Office.OfficeTheme;

describe('theme (issue 18: Office theme and dark mode)', () => {
  const root = document.createElement('div');
  afterEach(() => applyTheme(root, 'light'));

  it('judges Outlook’s theme by its body colour (Outlook has no isDarkTheme)', () => {
    expect(luminance('#ffffff')).to.equal(1);
    expect(luminance('#000')).to.equal(0);
    expect(luminance('red')).to.equal(undefined);
    expect(modeOf(theme('#292929', '#ffffff'))).to.equal('dark');
    expect(modeOf(theme('#f3f2f1', '#201f1e'))).to.equal('light');
    expect(modeOf(undefined)).to.equal('light');
  });

  it('in Outlook: the dark palette under Outlook’s own colours, and a change of theme followed', () => {
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
    followTheme(root, office, true);
    const v = (name: string) => root.style.getPropertyValue(name);
    expect([root.dataset.theme, root.style.colorScheme]).to.deep.equal(['dark', 'dark']);
    expect([v('--crm-theme-bg'), v('--crm-theme-fg'), v('--crm-theme-error-fg')]).to.deep.equal([
      '#1f1f1f',
      '#f0f0f0',
      '#f1a7ad',
    ]);
    expect(asked).to.equal('officeThemeChanged');
    handler!({ officeTheme: theme('#ffffff', '#242424') });
    expect(root.dataset.theme).to.equal('light');
    expect([v('--crm-theme-bg'), v('--crm-theme-error-fg')]).to.deep.equal(['#ffffff', '']);
  });

  it('ignores colours that are not colours', () => {
    applyTheme(root, 'light', theme('url(x)', 'expression(alert(1))'));
    expect(root.style.getPropertyValue('--crm-theme-bg')).to.equal('');
    expect(root.style.getPropertyValue('--crm-theme-fg')).to.equal('');
  });
});
