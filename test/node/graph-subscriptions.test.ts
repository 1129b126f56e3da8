// The Graph emulator's change notifications (issue 19), each against the Graph documentation page
// graph-emulator/src/subscriptions.ts cites: the notification URL validated before a subscription
// exists, notifications of created, updated and deleted events and tasks with the clientState,
// expiry limits, renewal, expiry, lifecycle notifications, and "missed" after failed deliveries.
// The receiving end is a real HTTPS server on 127.0.0.1 with the development certificate.
import { after, before, describe, it } from 'node:test';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { startGraphEmulator, type RunningGraphEmulator } from '@crm-sync/graph-emulator';
import { loadDevCertificate } from '../../scripts/certs.js';

/** What the tests read of Graph's answers (a subscription, a list, an error). */
interface GraphAnswer {
  readonly id: string;
  readonly expirationDateTime: string;
  readonly value: unknown[];
  readonly error: { readonly code: string };
  readonly [field: string]: unknown;
}

interface Received {
  readonly path: string;
  readonly body: { value: Record<string, unknown>[] };
}

/**
 * An HTTPS endpoint that answers Graph's validation and records notifications; `mode` breaks it
 * (`down`: the notification URL answers 503, the lifecycle URL still works).
 */
async function receiver(cert: { key: string; cert: string }) {
  const received: Received[] = [];
  const validations: string[] = [];
  let mode: 'ok' | 'wrong-token' | 'down' = 'ok';
  const server = https.createServer(cert, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const token = url.searchParams.get('validationToken');
      if (mode === 'down' && url.pathname !== '/lifecycle') {
        res.writeHead(503);
        return res.end();
      }
      if (token !== null) {
        validations.push(token);
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        return res.end(mode === 'wrong-token' ? 'something else' : token);
      }
      received.push({
        path: url.pathname,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'],
      });
      res.writeHead(202);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    validations,
    set mode(m: 'ok' | 'wrong-token' | 'down') {
      mode = m;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('Graph emulator: change notifications (subscriptions)', () => {
  let emulator: RunningGraphEmulator;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let now = Date.parse('2026-12-07T08:00:00Z');

  before(async () => {
    const cert = await loadDevCertificate(process.cwd());
    hook = await receiver(cert);
    emulator = await startGraphEmulator({ notificationCa: cert.cert, clock: () => now, notificationRetryMs: 20 });
  });
  after(async () => {
    await emulator.close();
    await hook.close();
  });

  const call = async (mailbox: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}/v1.0${path}`, {
      method,
      headers: { Authorization: `Bearer dev:${mailbox}`, 'Content-Type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as GraphAnswer };
  };
  const inMinutes = (m: number) => new Date(now + m * 60_000).toISOString();
  const calendarOf = (mailbox: string) => emulator.mailbox(mailbox).state.calendars[0]!.id;
  const subscribe = (mailbox: string, extra: Record<string, unknown> = {}) =>
    call(mailbox, 'POST', '/subscriptions', {
      changeType: 'created,updated,deleted',
      notificationUrl: `${hook.url}/notify`,
      lifecycleNotificationUrl: `${hook.url}/lifecycle`,
      resource: `me/calendars/${calendarOf(mailbox)}/events`,
      expirationDateTime: inMinutes(60),
      clientState: 'secret-1',
      ...extra,
    });
  const event = (subject: string) => ({
    subject,
    start: { dateTime: '2026-12-08T09:00:00', timeZone: 'UTC' },
    end: { dateTime: '2026-12-08T10:00:00', timeZone: 'UTC' },
  });
  const notices = (path: string) => hook.received.filter((r) => r.path === path).flatMap((r) => r.body.value);

  it('validates the notification and lifecycle URLs before it creates a subscription, as Graph does', async () => {
    const before = hook.validations.length;
    const created = await subscribe('val');
    expect(created.status).to.equal(201);
    expect(hook.validations.length - before, 'notification and lifecycle URL').to.equal(2);
    expect(created.body).to.include({ clientState: 'secret-1', changeType: 'created,updated,deleted' });
    expect(created.body.expirationDateTime).to.equal(inMinutes(60));
    hook.mode = 'wrong-token';
    try {
      const refused = await subscribe('val');
      expect(refused.status).to.equal(400);
      expect(refused.body.error.code).to.equal('ValidationError');
    } finally {
      hook.mode = 'ok';
    }
  });

  it('refuses what Graph refuses: http, too long a life, an unknown resource, a long clientState', async () => {
    const cases: [Record<string, unknown>, number][] = [
      [{ notificationUrl: 'http://127.0.0.1:9/notify' }, 400],
      [{ expirationDateTime: inMinutes(10_081) }, 400],
      [{ expirationDateTime: inMinutes(-1) }, 400],
      [{ resource: 'me/messages' }, 400],
      [{ resource: 'me/calendars/nope/events' }, 404],
      [{ clientState: 'x'.repeat(129) }, 400],
      [{ changeType: 'moved' }, 400],
    ];
    for (const [extra, status] of cases)
      expect((await subscribe('refuse', extra)).status, JSON.stringify(extra)).to.equal(status);
    // Events live up to 10,080 minutes, To Do tasks up to 4,230 (subscription resource type).
    expect((await subscribe('refuse', { expirationDateTime: inMinutes(10_080) })).status).to.equal(201);
    const list = emulator.mailbox('refuse').state.todoLists[0]!.id;
    const task = (minutes: number) =>
      subscribe('refuse', { resource: `me/todo/lists/${list}/tasks`, expirationDateTime: inMinutes(minutes) });
    expect((await task(4_231)).status).to.equal(400);
    expect((await task(4_230)).status).to.equal(201);
  });

  it('notifies created, updated and deleted events of the subscribed calendar with the clientState, and nothing else', async () => {
    const { body: sub } = await subscribe('cal');
    const m = emulator.mailbox('cal');
    const other = m.addCalendar('Private');
    const e = m.createEvent(calendarOf('cal'), event('Review'));
    m.updateEvent(e.id, { subject: 'Review (moved)' });
    m.deleteEvent(e.id);
    m.createEvent(other.id, event('Not subscribed'));
    await emulator.subscriptions.settled();
    const mine = notices('/notify').filter((n) => n.subscriptionId === sub.id);
    expect(mine.map((n) => n.changeType)).to.deep.equal(['created', 'updated', 'deleted']);
    for (const n of mine) {
      expect(n.clientState).to.equal('secret-1');
      expect(n.resourceData).to.deep.include({ '@odata.type': '#Microsoft.Graph.Event', id: e.id });
      expect(n.subscriptionExpirationDateTime).to.equal(sub.expirationDateTime);
    }
  });

  it('notifies To Do tasks of the subscribed list; a changeType limits what is sent', async () => {
    const m = emulator.mailbox('todo');
    const list = m.state.todoLists[0]!.id;
    const { body: sub } = await subscribe('todo', { resource: `me/todo/lists/${list}/tasks`, changeType: 'updated' });
    const t = m.createTask(list, { title: 'Call back' });
    m.updateTask(list, t.id, { status: 'completed' });
    m.deleteTask(list, t.id);
    await emulator.subscriptions.settled();
    const mine = notices('/notify').filter((n) => n.subscriptionId === sub.id);
    expect(mine.map((n) => [n.changeType, (n.resourceData as { id: string }).id])).to.deep.equal([['updated', t.id]]);
  });

  it('renews, deletes and expires: an expired or deleted subscription is not found and notifies nothing', async () => {
    const { body: sub } = await subscribe('life');
    const renewed = await call('life', 'PATCH', `/subscriptions/${sub.id}`, { expirationDateTime: inMinutes(600) });
    expect(renewed.status).to.equal(200);
    expect(renewed.body.expirationDateTime).to.equal(inMinutes(600));
    expect((await call('other', 'GET', `/subscriptions/${sub.id}`)).status, "another mailbox's").to.equal(404);
    now += 601 * 60_000; // past its expiry (the clock only moves on)
    expect((await call('life', 'GET', `/subscriptions/${sub.id}`)).status).to.equal(404);
    emulator.mailbox('life').createEvent(calendarOf('life'), event('After expiry'));
    await emulator.subscriptions.settled();
    expect(notices('/notify').filter((n) => n.subscriptionId === sub.id)).to.deep.equal([]);
    const { body: gone } = await subscribe('life');
    expect((await call('life', 'DELETE', `/subscriptions/${gone.id}`)).status).to.equal(204);
    expect((await call('life', 'GET', '/subscriptions')).body.value).to.deep.equal([]);
  });

  it('sends lifecycle notifications on demand; subscriptionRemoved removes it, reauthorize answers 204', async () => {
    const { body: sub } = await subscribe('lc');
    const send = (event: string) =>
      fetch(`${emulator.url}/emulator/subscriptions/${sub.id}/lifecycle`, {
        method: 'POST',
        body: JSON.stringify({ event }),
      });
    expect((await send('reauthorizationRequired')).status).to.equal(204);
    expect((await call('lc', 'POST', `/subscriptions/${sub.id}/reauthorize`)).status).to.equal(204);
    expect((await send('subscriptionRemoved')).status).to.equal(204);
    const events = notices('/lifecycle').filter((n) => n.subscriptionId === sub.id);
    expect(events.map((n) => n.lifecycleEvent)).to.deep.equal(['reauthorizationRequired', 'subscriptionRemoved']);
    expect(events.every((n) => n.clientState === 'secret-1')).to.equal(true);
    expect((await call('lc', 'GET', `/subscriptions/${sub.id}`)).status).to.equal(404);
  });

  it('retries a failing endpoint and then tells the lifecycle URL "missed"', async () => {
    const { body: sub } = await subscribe('miss');
    hook.mode = 'down';
    try {
      emulator.mailbox('miss').createEvent(calendarOf('miss'), event('Lost'));
      await emulator.subscriptions.settled();
    } finally {
      hook.mode = 'ok';
    }
    expect(notices('/notify').filter((n) => n.subscriptionId === sub.id)).to.deep.equal([]);
    const events = notices('/lifecycle').filter((n) => n.subscriptionId === sub.id);
    expect(events.map((n) => n.lifecycleEvent)).to.deep.equal(['missed']);
  });
});
