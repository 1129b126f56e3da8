/**
 * Light or dark, and Outlook's theme colours (issue 18). The pane's controls are Fluent 2 web
 * components, which read Fluent's design tokens as CSS custom properties (`--colorNeutralBackground1`
 * …); our own elements read the same tokens (styles/tokens.ts). This module sets them, with Fluent's
 * `setTheme`, on the document (or on one element, for a test):
 *
 * - In Outlook: Office's theme (https://learn.microsoft.com/javascript/api/office/office.officetheme,
 *   Mailbox 1.14). Outlook does not support `isDarkTheme`; the page says to judge the theme by its
 *   colours, so a dark body background means Fluent's dark theme, and Outlook's own body and control
 *   colours go over it. A change of theme is followed through the mailbox's `OfficeThemeChanged`
 *   event (https://learn.microsoft.com/javascript/api/outlook/office.officethemechangedeventargs).
 * - Elsewhere (the demo, a browser): the system's `prefers-color-scheme`, followed when it changes.
 */
import { webLightTheme } from '@fluentui/tokens';
import { setTheme } from '@fluentui/web-components/theme/set-theme.js';

export type ThemeMode = 'light' | 'dark';

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

/** Office's colours over Fluent's: which token each of `Office.OfficeTheme`'s colours sets. */
const OFFICE_TOKENS = [
  ['bodyBackgroundColor', 'colorNeutralBackground1'],
  ['bodyForegroundColor', 'colorNeutralForeground1'],
  ['controlBackgroundColor', 'colorNeutralBackground3'],
  ['controlForegroundColor', 'colorNeutralForeground3'],
] as const;

/** Counts the themes asked for: a dark theme still loading does not win over a later light one. */
let asked = 0;

/**
 * Sets Fluent's theme of `mode` on `root` (the document's root: for the whole page), with Office's
 * colours over it where the host gives them (only colours: anything else is ignored). The light
 * theme is set at once; the dark one when its tokens have loaded (the promise says when).
 */
export function applyTheme(root: HTMLElement, mode: ThemeMode, office?: Office.OfficeTheme): Promise<void> {
  const turn = ++asked;
  const apply = (base: Readonly<Record<string, string | number>>) => {
    if (turn !== asked) return;
    root.dataset.theme = mode;
    root.style.colorScheme = mode;
    const theme: Record<string, string | number> = { ...base };
    for (const [from, token] of OFFICE_TOKENS) {
      const value = office?.[from];
      if (value && /^#[0-9a-f]{3,8}$/i.test(value)) theme[token] = value;
    }
    setTheme(theme, root === root.ownerDocument.documentElement ? root.ownerDocument : root);
    // (The page itself too: what the pane does not cover is not a white band in a dark Outlook.)
    root.style.backgroundColor = String(theme.colorNeutralBackground1);
  };
  if (mode === 'light') return Promise.resolve(apply(webLightTheme));
  return import('./dark-theme.js').then(({ webDarkTheme }) => apply(webDarkTheme));
}

/** The system's choice (`prefers-color-scheme`): what a page shows before it knows Office's theme. */
export const systemMode = (): ThemeMode =>
  globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';

/** What the theme needs of office.js (a test gives a fake). */
export interface ThemeHost {
  readonly context: { readonly officeTheme?: Office.OfficeTheme; readonly mailbox?: unknown };
  readonly EventType?: { readonly OfficeThemeChanged?: unknown };
}

/**
 * Applies the theme now and follows its changes: Outlook's in Outlook, the system's elsewhere. The
 * promise settles when the first theme is on (a theme that could not load leaves the one before).
 */
export function followTheme(root: HTMLElement, office: ThemeHost | undefined, inOutlook: boolean): Promise<void> {
  const follow = (mode: ThemeMode, theme?: Office.OfficeTheme) => applyTheme(root, mode, theme).catch(() => undefined);
  if (inOutlook && office) {
    const theme = office.context.officeTheme;
    const first = follow(modeOf(theme), theme);
    const event = office.EventType?.OfficeThemeChanged;
    const mailbox = office.context.mailbox as
      { addHandlerAsync?(type: unknown, handler: (e: { officeTheme?: Office.OfficeTheme }) => void): void } | undefined;
    if (event && mailbox?.addHandlerAsync)
      mailbox.addHandlerAsync(event, (e) => void follow(modeOf(e.officeTheme), e.officeTheme));
    return first;
  }
  const query = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
  const apply = () => follow(systemMode());
  query?.addEventListener?.('change', () => void apply());
  return apply();
}
