/**
 * Outlook's theme colours (https://learn.microsoft.com/javascript/api/office/office.officetheme) mapped
 * onto the pane's design tokens (styles/tokens.ts reads `--crm-theme-*`). Hosts without a theme keep
 * the Fluent defaults.
 */
export function applyOfficeTheme(theme: Office.OfficeTheme | undefined, root: HTMLElement): void {
  if (!theme) return;
  const set = (name: string, value: string | undefined) => {
    if (value && /^#[0-9a-f]{3,8}$/i.test(value)) root.style.setProperty(name, value);
  };
  set('--crm-theme-bg', theme.bodyBackgroundColor);
  set('--crm-theme-fg', theme.bodyForegroundColor);
  set('--crm-theme-bg-subtle', theme.controlBackgroundColor);
  set('--crm-theme-fg-muted', theme.controlForegroundColor);
}
