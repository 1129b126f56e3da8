import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
  }
  fluent-tablist {
    border-bottom: 1px solid var(--crm-border);
    /* The six short names fit one row at 380 px (English and German); narrower, whole tabs wrap. */
    flex-wrap: wrap;
  }
  fluent-tab {
    padding-inline: 2px;
    font-size: var(--fontSizeBase200, 12px);
    white-space: nowrap;
  }
  [role='tabpanel'] {
    padding: 8px 0 12px;
  }
  h3 {
    font-size: 14px;
    line-height: 20px;
    font-weight: 600;
    margin: 0 0 4px;
  }
`;
