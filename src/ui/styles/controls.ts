import { css } from 'lit';

/**
 * Focus rings of the native controls left (summaries, a few inputs), shared by every element that has
 * controls; buttons and the rest are Fluent 2 web components with their own.
 */
export const controls = css`
  input:focus-visible,
  summary:focus-visible {
    outline: 2px solid var(--crm-brand-fg);
    outline-offset: 1px;
  }
`;
