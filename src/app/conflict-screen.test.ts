import { describe, it } from 'node:test';
import { expect } from 'chai';
import type { OfficeLike } from '../adapters/graph/auth.js';
import { conflictScreen } from './conflict-screen.js';

function fakeOffice() {
  const opened: string[] = [];
  const handlers: Record<string, (arg: { message?: string; error?: number }) => void> = {};
  const office = {
    context: {
      requirements: { isSetSupported: () => true },
      ui: {
        displayDialogAsync: (url: string, _o: unknown, cb: (r: unknown) => void) => {
          opened.push(url);
          cb({
            status: 'succeeded',
            value: {
              addEventHandler: (name: string, h: (arg: unknown) => void) => (handlers[name] = h),
              close: () => undefined,
            },
          });
        },
      },
    },
  } as unknown as OfficeLike;
  return { office, opened, handlers };
}

describe('the conflict screen dialog', () => {
  it('opens dialog.html for the mailbox with the colours, and passes each decision on', () => {
    const f = fakeOffice();
    const decisions: unknown[] = [];
    const open = conflictScreen(f.office, 'https://addin.example.com', 'anna@example.com');
    open({ outlook: '#aa0000', crm: '#0000aa' }, (keys, d) => decisions.push([keys, d]));
    expect(f.opened).to.deep.equal([
      'https://addin.example.com/dialog.html?mailbox=anna%40example.com&outlook=%23aa0000&crm=%230000aa',
    ]);
    f.handlers.dialogMessageReceived!({ message: JSON.stringify({ pairKeys: ['k1'], decision: 'outlook' }) });
    f.handlers.dialogMessageReceived!({ message: 'not json' });
    f.handlers.dialogMessageReceived!({ message: JSON.stringify({ pairKeys: ['k2'], decision: 'drop-table' }) });
    expect(decisions).to.deep.equal([[['k1'], 'outlook']]);
  });

  it('opens one dialog at a time, and again once it was closed', () => {
    const f = fakeOffice();
    const open = conflictScreen(f.office, 'https://a.example', 'm');
    open({ outlook: '#000000', crm: '#ffffff' }, () => undefined);
    open({ outlook: '#000000', crm: '#ffffff' }, () => undefined);
    expect(f.opened).to.have.length(1);
    f.handlers.dialogEventReceived!({ error: 12006 });
    open({ outlook: '#000000', crm: '#ffffff' }, () => undefined);
    expect(f.opened).to.have.length(2);
  });
});
