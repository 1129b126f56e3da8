/**
 * The app-token API beside CalDAV: POST /auth/token, GET /auth/tokens, DELETE /auth/tokens/<id>
 * (only a password logon issues or revokes tokens; a password change revokes them all: store/*.ts).
 * JSON in and out; the secret is shown once.
 */
import type http from 'node:http';
import type { Authenticator } from './auth.js';
import type { BodyReader } from './dav/http.js';
import type { GatewayStore } from './store/types.js';

export async function authRoute(
  auth: Authenticator,
  store: GatewayStore,
  req: http.IncomingMessage,
  readBody: BodyReader,
  method: string,
  path: string,
  user: string,
  via: 'password' | 'token',
  send: (status: number, body?: string, extra?: Record<string, string>) => void,
) {
  const json = { 'Content-Type': 'application/json' };
  const text = await readBody(req, 16 * 1024);
  if (path === '/auth/token' && method === 'POST') {
    // Only the password issues tokens: a leaked token cannot mint more.
    if (via !== 'password') return send(403, 'log on with the password to create a token');
    let label = 'app token';
    try {
      const body = text.trim() ? (JSON.parse(text) as { label?: unknown }) : {};
      if (typeof body.label === 'string') label = body.label.slice(0, 100);
    } catch {
      return send(400, 'expected a JSON body like {"label": "Outlook add-in"}');
    }
    const { token, secret } = await auth.issueToken(user, label);
    return send(
      201,
      JSON.stringify({ id: token.id, token: secret, label: token.label, createdAt: token.createdAt }),
      json,
    );
  }
  if (path === '/auth/tokens' && method === 'GET') return send(200, JSON.stringify(await store.listTokens(user)), json);
  const m = /^\/auth\/tokens\/([A-Za-z0-9_-]+)$/.exec(path);
  if (m && method === 'DELETE') {
    // Only the password revokes tokens: a leaked token cannot lock the user's other devices out.
    if (via !== 'password') return send(403, 'log on with the password to revoke a token');
    return send((await store.revokeToken(user, m[1]!)) ? 204 : 404);
  }
  return send(404, 'not found');
}
