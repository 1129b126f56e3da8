import { css } from 'lit';

/**
 * Fluent-like design tokens. Colours are CSS custom properties so that the task pane can map them to
 * Outlook's theme (Office.context.officeTheme) where the host provides one, and to the dark palette
 * (bootstrap/theme.ts sets `--crm-theme-*` on the document's root).
 */
export const tokens = css`
  :host {
    --crm-font:
      'Segoe UI', 'Segoe UI Web (West European)', -apple-system, BlinkMacSystemFont, Roboto, 'Helvetica Neue',
      sans-serif;
    --crm-brand: var(--crm-theme-brand, #0f6cbd);
    --crm-brand-hover: var(--crm-theme-brand-hover, #115ea3);
    --crm-fg: var(--crm-theme-fg, #242424);
    --crm-fg-muted: var(--crm-theme-fg-muted, #616161);
    --crm-bg: var(--crm-theme-bg, #ffffff);
    --crm-bg-subtle: var(--crm-theme-bg-subtle, #f5f5f5);
    --crm-border: var(--crm-theme-border, #d1d1d1);
    /* The brand as a text or line colour (links, focus rings, the selected tab, chart bars). */
    --crm-brand-fg: var(--crm-theme-brand-fg, #0f6cbd);
    --crm-warning-bg: var(--crm-theme-warning-bg, #fff4ce);
    --crm-warning-fg: var(--crm-theme-warning-fg, #5c4400);
    --crm-error-bg: var(--crm-theme-error-bg, #fde7e9);
    --crm-error-fg: var(--crm-theme-error-fg, #a4262c);
    --crm-radius: 4px;
    font-family: var(--crm-font);
    font-size: 14px;
    line-height: 20px;
    color: var(--crm-fg);
  }
`;
