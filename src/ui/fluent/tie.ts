import { Updates } from '@microsoft/fast-element';

/**
 * Ties Fluent's text fields and drop-down lists in `root` to the texts around them, for assistive
 * technology. Their inputs and buttons sit where an id reference from our markup cannot reach (a text
 * field's input is in its shadow root) or Fluent gives them no label (a drop-down list's button names
 * itself by its value); ARIA's element reflection may point from there to elements of `root`:
 *
 * - `fluent-text-input`: its input is described by the elements its `aria-describedby` names and is
 *   invalid when it says `aria-invalid`;
 * - `fluent-dropdown`: its button is labelled by the elements its `aria-labelledby` names (ARIA's
 *   select-only combobox: the label names it, the value is its content), described by those its
 *   `data-describedby` names, says that it is collapsed before it was first opened (Fluent leaves
 *   `aria-expanded` out until then), and shows the option `data-value` says (also when the options
 *   stay the same and only the value went back, as after Cancel).
 *
 * Called after each render of `root`'s element, and again when Fluent has put a list's button and
 * options in place (after its first render).
 */
export function tieFluentControls(root: ParentNode): void {
  tie(root);
  void Updates.next().then(() => tie(root));
}

function tie(root: ParentNode): void {
  const byIds = (ids: string | null | undefined): HTMLElement[] =>
    (ids ?? '')
      .split(' ')
      .filter(Boolean)
      .map((id) => root.querySelector<HTMLElement>(`#${CSS.escape(id)}`))
      .filter((el): el is HTMLElement => !!el);
  for (const field of root.querySelectorAll<HTMLElement & { control?: HTMLInputElement }>('fluent-text-input')) {
    const input = field.control;
    if (!input) continue;
    input.ariaDescribedByElements = byIds(field.getAttribute('aria-describedby'));
    input.ariaInvalid = field.getAttribute('aria-invalid');
  }
  for (const list of root.querySelectorAll<
    HTMLElement & { value: string | null; control?: HTMLElement; listbox?: HTMLElement }
  >('fluent-dropdown')) {
    const value = list.dataset.value;
    if (value !== undefined && list.listbox && list.value !== value) list.value = value;
    if (!list.control) continue;
    // (Fluent's button says aria-expanded only once the list has been opened; a combobox must say it.)
    if (!list.control.hasAttribute('aria-expanded')) list.control.setAttribute('aria-expanded', 'false');
    list.control.ariaLabelledByElements = byIds(list.getAttribute('aria-labelledby'));
    list.control.ariaDescribedByElements = byIds(list.dataset.describedby);
  }
}
