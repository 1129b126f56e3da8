/**
 * Opens the conflict screen (dialog.html) in an Office dialog
 * (https://learn.microsoft.com/office/dev/add-ins/develop/dialog-api-in-office-add-ins) and hands each
 * decision it sends back to the pane. One dialog at a time: while it is open, later runs do not open
 * another (Office refuses a second one); it shows what it loaded, and the pane's Pending section
 * always has the current list.
 */
import type { OfficeLike } from '../adapters/graph/auth.js';
import type { PendingDecision } from '../core/sync/actions.js';
import type { Side } from '../core/sync/types.js';

/** A decision, or a merge: for each field that differs, the side its value comes from. */
export type ConflictDecisionHandler = (
  pairKeys: readonly string[],
  decision: PendingDecision | 'merge',
  choice?: Readonly<Record<string, Side>>,
) => void;

const DECISIONS = new Set<PendingDecision | 'merge'>(['approve', 'exclude', 'outlook', 'crm', 'merge']);

/** A merge's field choices as the dialog sent them: only sides, only plain field names. */
function choiceOf(raw: unknown): Record<string, Side> {
  if (raw === null || typeof raw !== 'object') return {};
  return Object.fromEntries(
    Object.entries(raw).filter(([k, v]) => /^[a-zA-Z]{1,20}$/.test(k) && (v === 'outlook' || v === 'crm')),
  ) as Record<string, Side>;
}

export function conflictScreen(office: OfficeLike, origin: string, mailbox: string) {
  let open = false;
  return (colors: Readonly<Record<Side, string>>, onDecision: ConflictDecisionHandler): void => {
    if (open) return;
    const url = `${origin}/dialog.html?${new URLSearchParams({ mailbox, outlook: colors.outlook, crm: colors.crm })}`;
    open = true;
    office.context.ui.displayDialogAsync(url, { height: 60, width: 50 }, (result) => {
      if (result.status !== 'succeeded') {
        open = false; // the Pending section still has the conflicts
        return;
      }
      const dialog = result.value;
      dialog.addEventHandler('dialogMessageReceived', (arg) => {
        try {
          const m = JSON.parse(arg.message ?? '') as { pairKeys?: unknown; decision?: unknown; choice?: unknown };
          const keys = Array.isArray(m.pairKeys) ? m.pairKeys.filter((k): k is string => typeof k === 'string') : [];
          const decision = m.decision as PendingDecision | 'merge';
          if (keys.length && DECISIONS.has(decision))
            onDecision(keys, decision, decision === 'merge' ? choiceOf(m.choice) : undefined);
        } catch {
          /* not a message of ours: ignored */
        }
      });
      // 12006: the user closed the dialog.
      dialog.addEventHandler('dialogEventReceived', () => {
        open = false;
      });
    });
  };
}
