import { css } from 'lit';

/** The pane's item lists (Pending, the way back): one item a row, rows divided by a line. */
export const lists = css`
  :host {
    display: block;
  }
  ul {
    list-style: none;
    padding: 0;
    margin: 0;
  }
  li {
    border-bottom: 1px solid var(--crm-border);
    padding: 6px 0;
  }
  .subject {
    font-weight: 600;
  }
`;
