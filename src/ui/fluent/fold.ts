import type { nothing } from 'lit';
import { css, html, type TemplateResult } from 'lit';

export interface FoldOptions {
  /** Shown on the fold's button. */
  readonly heading: string;
  /** Whether it is open when first shown (and whenever this value changes). */
  readonly expanded?: boolean;
  /** A class for the item, for styles and tests. */
  readonly name?: string;
  /** Called when the user opens it (not when it closes). */
  readonly onOpen?: () => void;
}

/**
 * A folding section of the pane (Pending, the exception list, Undo and restore, the error log, a report's
 * list of writes): Fluent 2's accordion with one item. Its heading is a button that says whether it is
 * expanded, and the content is a region named by it (Fluent's template).
 *
 * Fluent's accordion and accordion item are defined after the first render (crm-app/deferred.ts):
 * `foldStyles` keeps a fold unseen until then, so its content never shows unfolded for a moment.
 */
export function fold(options: FoldOptions, content: TemplateResult | typeof nothing): TemplateResult {
  const changed = (e: Event) => {
    const item = (e.currentTarget as HTMLElement).firstElementChild as (HTMLElement & { expanded?: boolean }) | null;
    if (e.target === e.currentTarget && item?.expanded) options.onOpen?.();
  };
  return html`<fluent-accordion class="fold" expand-mode="multi" @change=${changed}>
    <fluent-accordion-item class=${options.name ?? ''} block ?expanded=${options.expanded ?? false}>
      <span slot="heading">${options.heading}</span>
      ${content}
    </fluent-accordion-item>
  </fluent-accordion>`;
}

/** The styles of the element that shows folds. */
export const foldStyles = css`
  fluent-accordion.fold {
    display: block;
    margin: 8px 0;
    border-top: 1px solid var(--crm-border);
  }
  fluent-accordion.fold:not(:defined),
  fluent-accordion.fold fluent-accordion-item:not(:defined) {
    display: none;
  }
  fluent-accordion.fold [slot='heading'] {
    font-weight: 600;
  }
`;
