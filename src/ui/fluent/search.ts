import '@fluentui/web-components/text-input.js';
import { css, html, svg, type TemplateResult } from 'lit';

/** Fluent's "Search 20 regular" icon (Fluent UI System Icons, MIT). */
const SEARCH_ICON = svg`<path
  d="M8.5 3a5.5 5.5 0 0 1 4.23 9.02l4.12 4.13a.5.5 0 0 1-.63.76l-.07-.06-4.13-4.12A5.5 5.5 0 1 1 8.5 3Zm0 1a4.5 4.5 0 1 0 0 9 4.5 4.5 0 0 0 0-9Z"
  fill="currentColor"
/>`;

/**
 * A search field (the log's and the earlier versions'): Fluent 2's text field with a search icon, as
 * Fluent's search box looks (the web components have none). Its inner input has type `search`, so a
 * screen reader hears a search box and Escape clears it; its label is for screen readers only (the
 * placeholder says the same on screen).
 */
export function searchField(label: string, value: string, onInput: (value: string) => void): TemplateResult {
  return html`<fluent-text-input
    class="search"
    type="search"
    placeholder=${label}
    .value=${value}
    @input=${(e: Event) => onInput((e.target as HTMLInputElement).value)}
    >${label}<svg slot="start" width="20" height="20" viewBox="0 0 20 20" aria-hidden="true">${SEARCH_ICON}</svg>
  </fluent-text-input>`;
}

/** The styles of an element that shows a search field. */
export const searchStyles = css`
  fluent-text-input.search::part(label) {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
