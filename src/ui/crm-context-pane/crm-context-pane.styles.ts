import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    padding: 12px 16px;
  }
  h1 {
    font-size: 20px;
    line-height: 28px;
    font-weight: 600;
    margin: 0 0 12px;
  }
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 6px 12px;
    margin: 0;
  }
  dt {
    color: var(--crm-fg-muted);
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .id {
    color: var(--crm-fg-muted);
  }
  .message {
    color: var(--crm-fg-muted);
  }
  .error {
    color: var(--crm-error-fg);
  }
`;
