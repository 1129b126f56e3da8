import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import '../fluent/first.js';
import { disabled } from '../fluent/disabled.js';
import '@fluentui/web-components/radio.js';
import '@fluentui/web-components/radio-group.js';
import { customElement, property, state } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { consume } from '@lit/context';
import { translatorContext } from '../contexts.js';
import type { MessageKey, Translator } from '../i18n/translator.js';
import { controls } from '../styles/controls.js';
import { tokens } from '../styles/tokens.js';
import type { Item } from '../../core/model/item.js';
import { FIELDS, fieldDiffers, type FieldName } from '../../core/model/merge.js';
import type { Side } from '../../core/sync/types.js';
import { fieldText } from './item-text.js';

/** One version of an item as the table shows it: a heading, a colour (the conflict colours), when changed. */
export interface CompareVersion {
  readonly label: string;
  readonly color?: string;
  readonly item?: Item;
  readonly modifiedAt?: number;
  /** What the column says without an item (default: deleted). */
  readonly missing?: string;
}

export interface MergeDetail {
  readonly choice: Partial<Record<FieldName, Side>>;
}

type Purify = { sanitize(html: string, config: object): string };
/** DOMPurify, loaded the first time an HTML description is shown (it is not in the first render's JS). */
let purify: Promise<Purify> | undefined;
const loadPurify = () => (purify ??= import('dompurify').then((m) => m.default as unknown as Purify));

/**
 * Two versions of an item side by side, every field the item has, the fields that differ marked (issue
 * 18): the conflict screen (Outlook | CRM, in the conflict colours, with a field-by-field merge) and
 * Pending's "before → after" of a change it asks about. An HTML description is shown sanitized by
 * DOMPurify (no script, form, image or style; links keep their text and lose their address).
 *
 * @fires crm-merge - `detail.choice`: for each field that differs, the side its value comes from.
 */
@customElement('crm-item-compare')
export class CrmItemCompare extends LitElement {
  static override styles = [
    tokens,
    controls,
    css`
      :host {
        display: block;
      }
      table {
        border-collapse: collapse;
        margin: 4px 0;
        font-size: 12px;
        width: 100%;
        table-layout: fixed;
      }
      th,
      td {
        text-align: left;
        padding: 3px 6px 3px 0;
        vertical-align: top;
      }
      /* Field names never break inside a word ("Subj/ect" at 320 px); values break only what cannot fit. */
      tbody th {
        white-space: nowrap;
        width: 28%;
      }
      td {
        overflow-wrap: anywhere;
      }
      tr.differs td {
        font-weight: 600;
      }
      tr.differs td.left {
        box-shadow: inset 3px 0 0 var(--crm-left);
        padding-left: 6px;
      }
      tr.differs td.right {
        box-shadow: inset 3px 0 0 var(--crm-right);
        padding-left: 6px;
      }
      .html {
        font-weight: 400;
        border: 1px solid var(--crm-border);
        padding: 4px;
        margin-top: 4px;
        max-height: 12em;
        overflow: auto;
      }
      /* Each choice under the column whose value it takes (the table's columns are fixed). */
      fluent-radio-group {
        display: grid;
        grid-template-columns: 1fr 1fr;
      }
      label {
        display: inline-flex;
        gap: 4px;
        align-items: center;
        font-weight: 400;
        margin-top: 2px;
      }
      .merge {
        margin-top: 6px;
      }
    `,
  ];

  @consume({ context: translatorContext, subscribe: true })
  @property({ attribute: false })
  translator?: Translator;

  @property({ attribute: false }) left?: CompareVersion;
  @property({ attribute: false }) right?: CompareVersion;
  /** Outlook left and the CRM right, both present: each differing field can be taken from either. */
  @property({ type: Boolean }) mergeable = false;
  @property({ type: Boolean }) busy = false;
  /** The time zone times are shown in (IANA); default: the browser's. */
  @property() zone?: string;

  @state() private choice: Partial<Record<FieldName, Side>> = {};
  @state() private sanitizer?: Purify;

  private t(key: string, values?: Record<string, string>): string {
    return this.translator?.t(key as MessageKey, values) ?? key;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('left') || changed.has('right')) && !this.sanitizer)
      if ([this.left, this.right].some((v) => v?.item?.body?.html)) void loadPurify().then((p) => (this.sanitizer = p));
  }

  private bodyHtml(item: Item | undefined) {
    const source = item?.body?.html;
    if (!source || !this.sanitizer) return nothing;
    const clean = this.sanitizer.sanitize(source, {
      FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'img'],
      // (No link goes anywhere: a click would take the pane itself away from the add-in.)
      FORBID_ATTR: ['style', 'target', 'href', 'action', 'formaction'],
      ALLOW_DATA_ATTR: false,
    });
    return html`<div class="html">${unsafeHTML(clean)}</div>`;
  }

  private fields(): readonly FieldName[] {
    const kind = this.left?.item?.kind ?? this.right?.item?.kind ?? 'activity';
    return FIELDS[kind];
  }

  private cell(v: CompareVersion | undefined, field: FieldName, side: 'left' | 'right') {
    if (!v?.item) return html`<td class=${side}>${v?.missing ?? this.t('pending.deleted')}</td>`;
    return html`<td class=${side}>
      ${fieldText(v.item, field, this.translator!, this.zone)}${field === 'body' ? this.bodyHtml(v.item) : nothing}
    </td>`;
  }

  /**
   * The merge's choice for one field: Fluent's radio group (its arrow keys move between the two) under
   * the two columns, each choice under the value it takes.
   */
  private choose(field: FieldName) {
    return html`<tr class="choose">
      <td></td>
      <td colspan="2">
        <fluent-radio-group
          aria-label=${this.t('compare.takeFrom', { field: this.t(`compare.field.${field}`) })}
          orientation="horizontal"
          value=${this.choice[field] ?? 'outlook'}
          @change=${(e: Event) => {
            // (The radio the user checked: this listener can run before the group's own, which
            // updates the group's value.)
            const radio = e.target as HTMLElement & { value: string; checked: boolean };
            if (radio.checked && (radio.value === 'outlook' || radio.value === 'crm'))
              this.choice = { ...this.choice, [field]: radio.value };
          }}
        >
          ${(['outlook', 'crm'] as const).map(
            (side) => html`<label><fluent-radio value=${side}></fluent-radio>${this.t(`side.${side}`)}</label>`,
          )}
        </fluent-radio-group>
      </td>
    </tr>`;
  }

  override render() {
    if (!this.translator) return nothing;
    const [l, r] = [this.left, this.right];
    const safe = (c: string | undefined) => (c && /^#[0-9a-f]{6}$/i.test(c) ? c : 'transparent');
    const rows = this.fields()
      .map((field) => {
        const a = l?.item ? fieldText(l.item, field, this.translator!, this.zone) : '';
        const b = r?.item ? fieldText(r.item, field, this.translator!, this.zone) : '';
        const differs = !!l?.item && !!r?.item ? fieldDiffers(l.item, r.item, field) : a !== b;
        return { field, differs, shown: !!(a || b) || differs };
      })
      .filter((x) => x.shown);
    const merging = this.mergeable && !!l?.item && !!r?.item && rows.some((x) => x.differs);
    const when = (v?: CompareVersion) =>
      v?.modifiedAt ? new Date(v.modifiedAt).toLocaleString(this.translator!.locale) : '';
    return html`<table style="--crm-left: ${safe(l?.color)}; --crm-right: ${safe(r?.color)}">
        <thead>
          <tr>
            <td></td>
            ${[l, r].map(
              (v) => html`<th scope="col" style="border-top: 4px solid ${safe(v?.color)}">${v?.label ?? ''}</th>`,
            )}
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (x) =>
              html`<tr class=${x.differs ? 'differs' : ''}>
                  <th scope="row">${this.t(`compare.field.${x.field}`)}</th>
                  ${this.cell(l, x.field, 'left')} ${this.cell(r, x.field, 'right')}
                </tr>
                ${merging && x.differs ? this.choose(x.field) : nothing}`,
          )}
          ${
            when(l) || when(r)
              ? html`<tr class="modified">
                  <th scope="row">${this.t('pending.field.modified')}</th>
                  <td>${when(l)}</td>
                  <td>${when(r)}</td>
                </tr>`
              : nothing
          }
        </tbody>
      </table>
      ${
        merging
          ? html`<div class="merge">
              <fluent-button
                ${disabled(this.busy)}
                @click=${() =>
                  this.dispatchEvent(
                    new CustomEvent<MergeDetail>('crm-merge', {
                      detail: { choice: { ...this.choice } },
                      bubbles: true,
                      composed: true,
                    }),
                  )}
              >
                ${this.t('compare.merge')}
              </fluent-button>
            </div>`
          : nothing
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'crm-item-compare': CrmItemCompare;
  }
}
