import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
  }
  .intro {
    color: var(--crm-fg-muted);
    margin: 0 0 12px;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 4px;
    margin-bottom: 12px;
  }
  .field.checkbox {
    display: grid;
    grid-template-columns: auto 1fr;
    align-items: start;
    column-gap: 8px;
  }
  .field.checkbox .help,
  .field.checkbox .error {
    grid-column: 2;
  }
  label {
    font-weight: 600;
  }
  .checkbox label {
    font-weight: normal;
  }
  fluent-text-input {
    width: 100%;
  }
  /* A number's box is narrow; its label keeps the field's width. */
  fluent-text-input.number::part(root) {
    width: 8em;
  }
  /* An invalid value is marked on the field too, not only by the message under it. */
  fluent-text-input[aria-invalid='true']::part(root) {
    border-color: var(--crm-error-fg);
    border-bottom-color: var(--crm-error-fg);
  }
  /* Fluent's label inside the field, in the weight of the other fields' labels. */
  fluent-text-input::part(label) {
    font-weight: 600;
  }
  fluent-text-input .lock {
    font-weight: normal;
    margin-inline-start: 4px;
  }
  /* A conflict colour in the list and beside it (the list's button shows the name only). */
  .swatch {
    display: inline-block;
    width: 12px;
    height: 12px;
    border-radius: 2px;
    border: 1px solid var(--crm-border);
    margin-inline-end: 6px;
    vertical-align: -1px;
  }
  .swatch.shown {
    width: 20px;
    height: 20px;
    align-self: flex-start;
  }
  .help {
    margin: 0;
    color: var(--crm-fg-muted);
    font-size: 12px;
    line-height: 16px;
  }
  .error {
    margin: 0;
    color: var(--crm-error-fg);
    font-size: 12px;
  }
  .lock {
    font-size: 12px;
    color: var(--crm-fg-muted);
  }
  .actions {
    display: flex;
    gap: 8px;
    align-items: center;
  }
`;
