import type { SyncReport } from '../src/core/sync/engine.js';
import { createTranslator } from '../src/ui/i18n/translator-all.js';
import type { MessageKey } from '../src/ui/i18n/translator.js';
import { createServices, type AppServices } from '../src/app/app-services.js';
import { notify } from './notify.js';
import { SyncError } from '../src/core/errors.js';
import { codedText } from '../src/ui/i18n/coded.js';

/** Outlook ends a function command after 5 minutes; the run stops in time and the next one resumes. */
export const COMMAND_BUDGET_MS = 4.5 * 60_000;

export interface SyncNowDeps {
  readonly services: () => Promise<Pick<AppServices, 'sync'>>;
  readonly budgetMs?: number;
}

const inOutlook = (office: typeof Office): SyncNowDeps => ({
  services: () =>
    createServices(office, true, {
      fetch: globalThis.fetch.bind(globalThis),
      storage: localStorage,
      origin: location.origin,
    }),
});

/** When the work that waits is tried again, the earliest of its groups (empty when none says). */
const nextTry = (r: SyncReport, t: (key: MessageKey, values: Record<string, string>) => string): string => {
  const at = Math.min(...(r.waiting ?? []).map((w) => w.retryAt ?? Infinity));
  return Number.isFinite(at)
    ? t('command.retry', { time: new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) })
    : '';
};

const written = (r: SyncReport, side: 'outlook' | 'crm') =>
  r.written[side].created + r.written[side].updated + r.written[side].deleted;

/**
 * The ribbon "Sync now" command (ExecuteFunction): one run of the same engine as the task pane, with
 * its phases and its result on the item's info bar (150 characters). It stops writing before Outlook's
 * 5-minute limit; what it did not start, the next run does (the engine keeps its read position).
 */
export async function syncNow(
  office: typeof Office,
  event: Office.AddinCommands.Event,
  deps: SyncNowDeps = inOutlook(office),
): Promise<void> {
  const translator = createTranslator(office.context.displayLanguage);
  const { t } = translator;
  const show = (key: MessageKey, values: Record<string, string> = {}, error = false) =>
    notify(office, 'crm-sync-status', {
      type: error
        ? office.MailboxEnums.ItemNotificationMessageType.ErrorMessage
        : office.MailboxEnums.ItemNotificationMessageType.InformationalMessage,
      message: t(key, values),
      ...(!error && { icon: 'SyncIcon.16', persistent: false }),
    });
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), deps.budgetMs ?? COMMAND_BUDGET_MS);
  try {
    await show('command.syncing');
    const { sync } = await deps.services();
    let phase = '';
    const report = await sync.run({
      signal: stop.signal,
      onProgress: (p) => {
        if (p.phase === phase || p.phase === 'done') return;
        phase = p.phase;
        void show('command.phase', { phase: t(`phase.${p.phase}` as MessageKey) });
      },
    });
    const values = {
      outlook: String(written(report, 'outlook')),
      crm: String(written(report, 'crm')),
      pending: String(report.pending.length),
      errors: String(report.errors.length + report.unreadable.length),
      waiting: String(report.deferred),
      retry: nextTry(report, t),
    };
    if (report.cancelled) await show('command.partial', { ...values, left: String(report.cancelled.notStarted) });
    else await show('command.done', values, report.errors.length > 0);
  } catch (error) {
    // A changed folder waits for the user's choice, which only the pane can ask (issue 13, point 10).
    if (error instanceof Error && error.name === 'FolderChangedError') await show('command.folderChanged', {}, true);
    else {
      // An error of the catalogue in the user's language ("running on another device", say).
      const detail =
        (error instanceof SyncError && codedText(translator, 'error', error.code, error.params)) ||
        (error instanceof Error ? error.message : String(error));
      await show('command.failed', { detail }, true);
    }
  } finally {
    clearTimeout(timer);
    event.completed();
  }
}
