import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    padding: 12px 16px;
    background: var(--crm-bg);
    min-height: 100vh;
    box-sizing: border-box;
  }
  header h1 {
    font-size: 20px;
    line-height: 28px;
    font-weight: 600;
    margin: 0;
  }
  header p {
    margin: 0 0 12px;
    color: var(--crm-fg-muted);
  }
  .banner {
    border-radius: var(--crm-radius);
    padding: 8px 12px;
    margin-bottom: 12px;
  }
  .banner.warning {
    background: var(--crm-warning-bg);
    color: var(--crm-warning-fg);
  }
  .banner.error {
    background: var(--crm-error-bg);
    color: var(--crm-error-fg);
  }
  .not-yet {
    color: var(--crm-fg-muted);
  }
`;
