// The CalDAV store's HTTP layer against small loopback servers that misbehave on purpose: logon
// refused, throttled (Retry-After in seconds and as a date), silent, gone. Each failure becomes the
// core's error or a message naming the server, never one carrying the password.
import { after, before, describe, it } from 'node:test';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { CalDavStore } from '../../src/adapters/caldav/caldav-store.js';
import { DavHttp, retryAfterMs } from '../../src/adapters/caldav/dav-http.js';
import { AuthenticationError, ThrottledError } from '../../src/core/errors.js';
import { syncWindow } from '../../src/core/model/time.js';

let server: Server;
let base = '';
let answer: (res: ServerResponse) => void = (res) => res.end();
const seen: { method: string; authorization: string | undefined; url: string }[] = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', authorization: req.headers.authorization, url: req.url ?? '' });
    req.resume();
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const PASSWORD = 'secret-pw-123';
const store = (timeoutMs?: number) =>
  new CalDavStore(
    'activity',
    `${base}/dav/calendars/u/activities/`,
    new DavHttp({ credentials: { username: 'u', password: PASSWORD }, ...(timeoutMs && { timeoutMs }) }),
  );
const WINDOW = syncWindow(Date.UTC(2026, 10, 26), 30, 90);

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    expect(String(error)).not.to.include(PASSWORD);
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('CalDAV HTTP layer', () => {
  it('sends Basic logon in the header only, and a 401 becomes an AuthenticationError', async () => {
    answer = (res) => res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="crm"' }).end();
    const error = await failure(store().changesSince(null, WINDOW));
    expect(error).to.be.instanceOf(AuthenticationError);
    const last = seen.at(-1)!;
    expect(last.authorization).to.equal(`Basic ${Buffer.from(`u:${PASSWORD}`).toString('base64')}`);
    expect(last.url).not.to.include(PASSWORD);
  });

  it('a 429 with Retry-After in seconds, and a 503 with a date, become ThrottledError with that wait', async () => {
    answer = (res) => res.writeHead(429, { 'Retry-After': '7' }).end();
    const a = await failure(store().changesSince(null, WINDOW));
    expect(a).to.be.instanceOf(ThrottledError);
    expect((a as ThrottledError).retryAfterMs).to.equal(7000);
    answer = (res) => res.writeHead(503, { 'Retry-After': new Date(Date.now() + 120_000).toUTCString() }).end();
    const b = (await failure(store().changesSince(null, WINDOW))) as ThrottledError;
    expect(b).to.be.instanceOf(ThrottledError);
    expect(b.retryAfterMs).to.be.within(115_000, 120_000);
    expect(retryAfterMs(null, 0, 30_000)).to.equal(30_000);
  });

  it('a server that does not answer times out with a message naming it', async () => {
    answer = () => undefined; // never answers
    const error = await failure(store(300).changesSince(null, WINDOW));
    expect(error.message).to.equal(`the CRM gateway at ${base} did not answer within 0.3 s`);
  });

  it('a server that is gone is named in the message', async () => {
    const gone = new CalDavStore(
      'activity',
      'http://127.0.0.1:9/dav/calendars/u/activities/',
      new DavHttp({ credentials: { username: 'u', password: PASSWORD } }),
    );
    const error = await failure(gone.changesSince(null, WINDOW));
    expect(error.message).to.match(/^cannot reach the CRM gateway at http:\/\/127\.0\.0\.1:9: /);
  });

  it('sends at most 4 requests at once by default (the gateway serves 4 of a user at once), all answered', async () => {
    let now = 0;
    let most = 0;
    const slow: typeof fetch = async () => {
      most = Math.max(most, ++now);
      await new Promise((r) => setTimeout(r, 5));
      now--;
      return new Response('ok');
    };
    const http = new DavHttp({ credentials: { username: 'u', password: PASSWORD }, fetch: slow });
    const answers = await Promise.all(Array.from({ length: 20 }, () => http.fetch('http://127.0.0.1:9/x')));
    expect([most, answers.length]).to.deep.equal([4, 20]);
  });
});
