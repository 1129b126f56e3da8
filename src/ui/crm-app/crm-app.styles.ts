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
  header .language {
    display: flex;
    align-items: center;
    gap: 8px;
    margin: 0 0 12px;
    font-size: 12px;
    color: var(--crm-fg-muted);
  }
  header .language fluent-dropdown {
    min-width: 10em;
  }
  /* Fluent's drop-down list is defined right after the first render: until then it takes its place
     unseen (its options would show as plain text). */
  header .language fluent-dropdown:not(:defined) {
    visibility: hidden;
    display: inline-block;
    min-height: 24px;
  }
  .banner {
    margin-bottom: 12px;
  }
  h2 {
    font-size: 16px;
    margin: 16px 0 4px;
  }
  .save-bar {
    display: flex;
    gap: 8px;
    align-items: center;
    background: var(--crm-bg);
    padding: 8px 0;
    border-top: 1px solid var(--crm-border);
  }
  /* Unsaved changes keep Save in sight while the user scrolls; with nothing to save, the bar stays
     under the settings (it covered Pending's buttons at the bottom of the pane). */
  .save-bar.dirty {
    position: sticky;
    bottom: 0;
  }
  .bad {
    color: var(--crm-error-fg);
  }
  .exceptions {
    list-style: none;
    padding: 0;
  }
  .exceptions li {
    display: flex;
    justify-content: space-between;
    gap: 8px;
    align-items: center;
    padding: 4px 0;
    border-bottom: 1px solid var(--crm-border);
  }
  /* A long subject wraps (at word ends where it can); the button keeps its width beside it. */
  .exceptions .what {
    min-width: 0;
    overflow-wrap: break-word;
  }
  .exceptions .when {
    display: block;
    font-size: 12px;
    color: var(--crm-fg-muted);
  }
  .exceptions fluent-button {
    flex: none;
  }
  .note {
    color: var(--crm-fg-muted);
    font-size: 12px;
  }
  .mass-delete h3 {
    font-size: 14px;
    margin: 12px 0 4px;
  }
  .would-delete {
    margin: 4px 0 8px;
    padding-left: 20px;
    overflow-wrap: anywhere;
  }
`;
