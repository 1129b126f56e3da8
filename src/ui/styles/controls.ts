import { css } from 'lit';

/** Fluent-like buttons and focus rings, shared by every element that has controls. */
export const controls = css`
  button {
    font: inherit;
    border-radius: var(--crm-radius);
    border: 1px solid var(--crm-border);
    background: var(--crm-bg);
    color: var(--crm-fg);
    padding: 4px 12px;
    min-height: 32px;
    cursor: pointer;
  }
  button.primary {
    background: var(--crm-brand);
    border-color: var(--crm-brand);
    color: #fff;
    font-weight: 600;
  }
  button.primary:hover:not(:disabled) {
    background: var(--crm-brand-hover);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  summary:focus-visible {
    outline: 2px solid var(--crm-brand-fg);
    outline-offset: 1px;
  }
`;
