import { css } from 'lit';

/**
 * The focus ring of a native input, shared by every element that has controls (the pane's own controls
 * are Fluent 2 web components with their own rings; a test page or a future control may not be).
 */
export const controls = css`
  input:focus-visible {
    outline: 2px solid var(--crm-brand-fg);
    outline-offset: 1px;
  }
`;
