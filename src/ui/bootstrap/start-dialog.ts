import { ContextProvider } from '@lit/context';
import { IdbMeta, IdbStatusStore, openStateDb, type Cached } from '../../adapters/idb/idb-state.js';
import type { PendingAction } from '../../core/sync/actions.js';
import { translatorContext } from '../contexts.js';
import { english } from '../i18n/translator.js';
import { loadTranslator } from '../i18n/load-translator.js';
import { chosenLanguage, languageOf } from '../i18n/language.js';
import type { PendingDecisionDetail, PendingMergeDetail } from '../crm-pending-list/crm-pending-list.js';
import '../crm-conflict-dialog/crm-conflict-dialog.js';
import { detectHost } from './host.js';
import { followTheme } from './theme.js';

/** What the dialog sends to the task pane (messageParent) for each decision (a merge with its choices). */
export interface ConflictDialogMessage {
  readonly pairKeys: readonly string[];
  readonly decision: PendingDecisionDetail['decision'] | 'merge';
  readonly choice?: PendingMergeDetail['choice'];
}

/**
 * Mounts the conflict dialog page (opened with Office.context.ui.displayDialogAsync by the task pane,
 * `dialog.html?mailbox=…&outlook=#rrggbb&crm=#rrggbb`): it reads the held conflicts the pane left
 * in IndexedDB (same origin as the pane; the account's, or the device's own state) and sends each
 * decision to the pane, which runs it.
 */
export async function startDialog(mount: HTMLElement, office: typeof Office | undefined): Promise<void> {
  const host = await detectHost(office, navigator);
  void followTheme(document.documentElement, office, host.mode === 'outlook');
  const translator = await loadTranslator(languageOf(chosenLanguage(), host.displayLanguage)).catch(() => english);
  const { t } = translator;
  new ContextProvider(mount, { context: translatorContext, initialValue: translator });
  const el = document.createElement('crm-conflict-dialog');
  mount.replaceChildren(el);
  const params = new URLSearchParams(location.search);
  const mailbox = params.get('mailbox');
  el.colors = { outlook: params.get('outlook') ?? '#c50f1f', crm: params.get('crm') ?? '#0f6cbd' };
  if (!mailbox) {
    el.items = [];
    el.message = t('dialog.openFromPane');
    return;
  }
  const db = await openStateDb(mailbox);
  // The account's pending items as the pane's last run left them, else this device's own state.
  const cached = await new IdbMeta(db).get<Cached<PendingAction[]>>('account-cache:pending');
  el.items = (cached?.value ?? (await new IdbStatusStore(db).load()).pending).filter((p) => p.type === 'conflict');
  db.close();
  const parent = office?.context?.ui?.messageParent?.bind(office.context.ui);
  const send = (message: ConflictDialogMessage) => {
    if (!parent) {
      el.message = t('dialog.openFromPane');
      return;
    }
    parent(JSON.stringify(message));
    const done = new Set(message.pairKeys);
    el.items = (el.items ?? []).filter((i) => !done.has(i.pairKey));
    el.message = t('dialog.sent');
  };
  el.addEventListener('crm-pending-decision', (e) => {
    const { items, decision } = (e as CustomEvent<PendingDecisionDetail>).detail;
    send({ pairKeys: items.map((i) => i.pairKey), decision });
  });
  el.addEventListener('crm-pending-merge', (e) => {
    const { item, choice } = (e as CustomEvent<PendingMergeDetail>).detail;
    send({ pairKeys: [item.pairKey], decision: 'merge', choice });
  });
}
