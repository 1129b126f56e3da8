// The ribbon "Sync now" command with a fake Office and fake services: phases and result on the info
// bar, errors as an error message, a run stopped before Outlook's time limit, completed() always.
import { describe, it } from 'node:test';
import { expect } from 'chai';
import { syncNow } from '../../commands/sync-now.js';
import type { SyncReport } from '../../src/core/sync/engine.js';
import type { RunRequest } from '../../src/app/sync-service.js';
import { SyncError } from '../../src/core/errors.js';

function fakeOffice() {
  const shown: { key: string; type: string; message: string }[] = [];
  const office = {
    context: {
      displayLanguage: 'en-US',
      mailbox: {
        item: {
          notificationMessages: {
            replaceAsync: (key: string, d: { type: string; message: string }, cb: () => void) => {
              shown.push({ key, type: d.type, message: d.message });
              cb();
            },
          },
        },
      },
    },
    MailboxEnums: { ItemNotificationMessageType: { InformationalMessage: 'info', ErrorMessage: 'error' } },
  } as unknown as typeof Office;
  let completed = 0;
  const event = { completed: () => void completed++ } as unknown as Office.AddinCommands.Event;
  return { office, event, shown, completed: () => completed };
}

const zero = { created: 0, updated: 0, deleted: 0 };
const report = (over: Partial<SyncReport> = {}) =>
  ({
    written: { outlook: { ...zero, created: 3 }, crm: { ...zero, updated: 2 } },
    pending: [],
    errors: [],
    unreadable: [],
    deferred: 0,
    waiting: [],
    ...over,
  }) as unknown as SyncReport;

const services = (run: (r: RunRequest) => Promise<SyncReport>) => async () => ({ sync: { run } }) as never;

describe('the ribbon Sync now command', () => {
  it('shows the phases and the result, then completes', async () => {
    const f = fakeOffice();
    await syncNow(f.office, f.event, {
      services: services(async (r) => {
        r.onProgress?.({ phase: 'read-outlook', done: 0, total: 0 });
        r.onProgress?.({ phase: 'write', done: 0, total: 5 });
        r.onProgress?.({ phase: 'write', done: 1, total: 5 });
        return report();
      }),
    });
    expect(f.shown.map((s) => s.message)).to.deep.equal([
      'CRM Sync: synchronizing…',
      'CRM Sync: Reading Outlook…',
      'CRM Sync: Writing',
      'CRM Sync: done. Outlook 3, CRM 2 changes; waiting for you 0; errors 0; not done yet 0.',
    ]);
    expect(f.completed()).to.equal(1);
  });

  it('says how much work waits and when it is tried again (issue 13, point 13)', async () => {
    const f = fakeOffice();
    const at = new Date(2026, 11, 2, 7, 7).getTime();
    await syncNow(f.office, f.event, {
      services: services(async () =>
        report({
          deferred: 105,
          waiting: [
            { cause: 'unreachable', side: 'crm', count: 104, retryAt: at + 60_000, subjects: [], pairKeys: [] },
            { cause: 'after-earlier', side: 'crm', count: 1, subjects: [], pairKeys: [] },
            { cause: 'backoff', side: 'crm', count: 0, retryAt: at, subjects: [], pairKeys: [] },
          ],
        }),
      ),
    });
    const last = f.shown.at(-1)!.message;
    expect(last).to.match(/not done yet 105 \(next try at 0?7:07/);
    expect(last.length, 'fits the info bar').to.be.at.most(150);
  });

  it('a failure is an error message on the info bar, and the command still completes', async () => {
    const f = fakeOffice();
    await syncNow(f.office, f.event, {
      services: services(async () => {
        throw new Error('no password is saved for the CRM gateway: enter it on the General tab');
      }),
    });
    expect(f.shown.at(-1)).to.deep.include({ type: 'error' });
    expect(f.shown.at(-1)!.message).to.match(/^CRM Sync stopped: no password is saved/);
    expect(f.shown.every((s) => s.message.length <= 150)).to.equal(true);
    expect(f.completed()).to.equal(1);
  });

  it('says in the user’s language that another device is synchronizing (issue 15)', async () => {
    const f = fakeOffice();
    (f.office.context as { displayLanguage: string }).displayLanguage = 'de-DE';
    await syncNow(f.office, f.event, {
      services: services(async () => {
        throw new SyncError('sync-elsewhere', {
          holder: 'Outlook on the web · 9f8e7d6c',
          untilAt: Date.UTC(2026, 11, 4, 9, 30),
          progress: 'write 4/10',
        });
      }),
    });
    expect(f.shown.at(-1)).to.deep.include({ type: 'error' });
    expect(f.shown.at(-1)!.message).to.match(
      /^CRM-Sync angehalten: Auf einem anderen Gerät läuft eine Synchronisation \(Outlook on the web · 9f8e7d6c: write 4\/10\)/,
    );
    expect(f.completed()).to.equal(1);
  });

  it('stops writing before Outlook’s time limit; the rest follows with the next run', async () => {
    const f = fakeOffice();
    await syncNow(f.office, f.event, {
      budgetMs: 20,
      services: services(
        (r) =>
          new Promise((resolve) => {
            const check = () =>
              r.signal?.aborted ? resolve(report({ cancelled: { notStarted: 7 } })) : setTimeout(check, 5);
            check();
          }),
      ),
    });
    expect(f.shown.at(-1)!.message).to.equal(
      'CRM Sync: stopped before the time limit. Outlook 3, CRM 2 changes; 7 follow with the next run.',
    );
    expect(f.completed()).to.equal(1);
  });
});
