import { nothing } from 'lit';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js';

/**
 * `<fluent-button ${disabled(cond)}>`: switches a Fluent control off with its `disabled` attribute and
 * says so in `aria-disabled` too. Fluent's controls tell the browser through ElementInternals (the
 * accessibility tree has it); checkers that read only attributes (axe-core: dequelabs/axe-core#4259)
 * would otherwise judge an inactive control's dimmed text as too faint, which WCAG 1.4.3 exempts.
 */
class DisabledDirective extends Directive {
  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('disabled() goes on an element');
  }

  render(_on: boolean) {
    return nothing;
  }

  override update(part: ElementPart, [on]: [boolean]) {
    part.element.toggleAttribute('disabled', on);
    if (on) part.element.setAttribute('aria-disabled', 'true');
    else part.element.removeAttribute('aria-disabled');
    return nothing;
  }
}

export const disabled = directive(DisabledDirective);
