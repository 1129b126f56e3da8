import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
  }
  [role='tablist'] {
    display: flex;
    flex-wrap: wrap;
    gap: 2px;
    border-bottom: 1px solid var(--crm-border);
  }
  [role='tab'] {
    font: inherit;
    color: var(--crm-fg-muted);
    background: none;
    border: none;
    border-bottom: 3px solid transparent;
    padding: 6px 8px;
    cursor: pointer;
  }
  [role='tab'][aria-selected='true'] {
    color: var(--crm-fg);
    font-weight: 600;
    border-bottom-color: var(--crm-brand-fg);
  }
  [role='tab']:focus-visible {
    outline: 2px solid var(--crm-brand-fg);
    outline-offset: -2px;
  }
  [role='tabpanel'] {
    padding: 12px 0;
  }
`;
