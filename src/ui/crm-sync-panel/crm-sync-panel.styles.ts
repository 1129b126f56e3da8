import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    margin-bottom: 16px;
  }
  .buttons {
    display: flex;
    gap: 8px;
    flex-wrap: wrap;
  }
  .progress {
    display: flex;
    flex-direction: column;
    gap: 4px;
    margin-top: 8px;
  }
  fluent-progress-bar {
    width: 100%;
  }
  h3 {
    font-size: 14px;
    margin: 12px 0 4px;
  }
  table {
    border-collapse: collapse;
  }
  th,
  td {
    text-align: right;
    padding: 2px 8px;
  }
  th[scope='row'] {
    text-align: left;
  }
  .failure,
  .errors {
    color: var(--crm-error-fg);
  }
  .waiting {
    color: var(--crm-warning-fg);
  }
  .when {
    white-space: nowrap;
  }
  .warning {
    background: var(--crm-warning-bg);
    color: var(--crm-warning-fg);
    padding: 4px 8px;
    border-radius: var(--crm-radius);
  }
  .hint {
    color: var(--crm-fg-muted);
    font-size: 12px;
  }
  ul {
    padding-left: 16px;
    margin: 4px 0;
  }
  .tag,
  .side {
    font-size: 12px;
    color: var(--crm-fg-muted);
    margin-right: 4px;
  }
`;
