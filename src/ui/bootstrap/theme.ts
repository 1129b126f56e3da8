/**
 * Light or dark, and Outlook's theme colours (issue 18). The pane's design tokens (styles/tokens.ts)
 * read `--crm-theme-*` from the document's root, which this module sets:
 *
 * - In Outlook: Office's theme (https://learn.microsoft.com/javascript/api/office/office.officetheme,
 *   Mailbox 1.14). Outlook does not support `isDarkTheme`; the page says to judge the theme by its
 *   colours, so a dark body background means the dark palette, and Outlook's own body and control
 *   colours go over it. A change of theme is followed through the mailbox's `OfficeThemeChanged`
 *   event (https://learn.microsoft.com/javascript/api/outlook/office.officethemechangedeventargs).
 * - Elsewhere (the demo, a browser): the system's `prefers-color-scheme`, followed when it changes.
 */

export type ThemeMode = 'light' | 'dark';

/** Fluent 2's dark neutrals and status colours, for the tokens that have a light default. */
const DARK: Readonly<Record<string, string>> = {
  '--crm-theme-bg': '#292929',
  '--crm-theme-fg': '#ffffff',
  '--crm-theme-fg-muted': '#d6d6d6',
  '--crm-theme-bg-subtle': '#1f1f1f',
  '--crm-theme-border': '#666666',
  '--crm-theme-brand': '#115ea3',
  '--crm-theme-brand-hover': '#0f6cbd',
  '--crm-theme-brand-fg': '#479ef5',
  '--crm-theme-warning-bg': '#463100',
  '--crm-theme-warning-fg': '#f9e2ae',
  '--crm-theme-error-bg': '#3b2324',
  '--crm-theme-error-fg': '#f1a7ad',
};

/** Relative luminance (WCAG 2) of a #rgb or #rrggbb colour; undefined for anything else. */
export function luminance(color: string | undefined): number | undefined {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color ?? '');
  if (!m) return undefined;
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** Dark when Office's body background is dark (Outlook has no isDarkTheme). */
export const modeOf = (theme: Office.OfficeTheme | undefined): ThemeMode =>
  (luminance(theme?.bodyBackgroundColor) ?? 1) < 0.2 ? 'dark' : 'light';

/** Sets the palette of `mode` on `root`, with Office's colours over it where the host gives them. */
export function applyTheme(root: HTMLElement, mode: ThemeMode, office?: Office.OfficeTheme): void {
  root.dataset.theme = mode;
  root.style.colorScheme = mode;
  for (const name of Object.keys(DARK)) root.style.removeProperty(name);
  if (mode === 'dark') for (const [name, value] of Object.entries(DARK)) root.style.setProperty(name, value);
  const set = (name: string, value: string | undefined) => {
    if (value && /^#[0-9a-f]{3,8}$/i.test(value)) root.style.setProperty(name, value);
  };
  set('--crm-theme-bg', office?.bodyBackgroundColor);
  set('--crm-theme-fg', office?.bodyForegroundColor);
  set('--crm-theme-bg-subtle', office?.controlBackgroundColor);
  set('--crm-theme-fg-muted', office?.controlForegroundColor);
  // (The page itself too: what the pane does not cover is not a white band in a dark Outlook.)
  root.style.backgroundColor = root.style.getPropertyValue('--crm-theme-bg') || '';
}

/** What the theme needs of office.js (a test gives a fake). */
export interface ThemeHost {
  readonly context: { readonly officeTheme?: Office.OfficeTheme; readonly mailbox?: unknown };
  readonly EventType?: { readonly OfficeThemeChanged?: unknown };
}

/** Applies the theme now and follows its changes: Outlook's in Outlook, the system's elsewhere. */
export function followTheme(root: HTMLElement, office: ThemeHost | undefined, inOutlook: boolean): void {
  if (inOutlook && office) {
    const theme = office.context.officeTheme;
    applyTheme(root, modeOf(theme), theme);
    const event = office.EventType?.OfficeThemeChanged;
    const mailbox = office.context.mailbox as
      { addHandlerAsync?(type: unknown, handler: (e: { officeTheme?: Office.OfficeTheme }) => void): void } | undefined;
    if (event && mailbox?.addHandlerAsync)
      mailbox.addHandlerAsync(event, (e) => applyTheme(root, modeOf(e.officeTheme), e.officeTheme));
    return;
  }
  const query = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
  const apply = () => applyTheme(root, query?.matches ? 'dark' : 'light');
  apply();
  query?.addEventListener?.('change', apply);
}
