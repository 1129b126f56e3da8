import { css } from 'lit';

/**
 * The pane's design tokens, read from Fluent 2's (bootstrap/theme.ts sets Fluent's light or dark theme,
 * with Outlook's colours over it, on the document; the defaults are Fluent's light values, for an
 * element shown before or without a theme). Fluent's web components read the same tokens.
 */
export const tokens = css`
  :host {
    --crm-font: var(
      --fontFamilyBase,
      'Segoe UI',
      'Segoe UI Web (West European)',
      -apple-system,
      BlinkMacSystemFont,
      Roboto,
      'Helvetica Neue',
      sans-serif
    );
    --crm-brand: var(--colorBrandBackground, #0f6cbd);
    --crm-brand-hover: var(--colorBrandBackgroundHover, #115ea3);
    --crm-fg: var(--colorNeutralForeground1, #242424);
    --crm-fg-muted: var(--colorNeutralForeground3, #616161);
    --crm-bg: var(--colorNeutralBackground1, #ffffff);
    --crm-bg-subtle: var(--colorNeutralBackground3, #f5f5f5);
    --crm-border: var(--colorNeutralStroke1, #d1d1d1);
    /* The brand as a text or line colour (links, focus rings, the selected tab, chart bars). */
    --crm-brand-fg: var(--colorBrandForeground1, #0f6cbd);
    --crm-warning-bg: var(--colorStatusWarningBackground1, #fff9f5);
    --crm-warning-fg: var(--colorStatusWarningForeground2, #8a3707);
    --crm-error-bg: var(--colorStatusDangerBackground1, #fdf3f4);
    --crm-error-fg: var(--colorStatusDangerForeground3, #c50f1f);
    --crm-radius: var(--borderRadiusMedium, 4px);
    font-family: var(--crm-font);
    font-size: var(--fontSizeBase300, 14px);
    line-height: var(--lineHeightBase300, 20px);
    color: var(--crm-fg);
  }
`;
