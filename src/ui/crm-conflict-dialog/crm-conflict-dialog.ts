import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { translatorContext } from '../contexts.js';
import type { Translator } from '../i18n/translator.js';
import { tokens } from '../styles/tokens.js';

/**
 * The "SAP CRM Calendar Conflict" screen, opened by the task pane in an Office dialog. Not built yet:
 * it says so instead of pretending.
 */
@customElement('crm-conflict-dialog')
export class CrmConflictDialog extends LitElement {
  static override styles = [tokens];

  @consume({ context: translatorContext, subscribe: true })
  @property({ attribute: false })
  translator?: Translator;

  override render() {
    const t = this.translator;
    if (!t) return html``;
    return html`<h1>${t.t('dialog.title')}</h1>
      <p>${t.t('dialog.notYet')}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crm-conflict-dialog': CrmConflictDialog;
  }
}
