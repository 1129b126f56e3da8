/**
 * A `fetch` for the worker that trusts a given certificate authority besides the system's (the
 * development certificate of the demo's gateway and Graph emulator). Node's own fetch takes no CA,
 * and NODE_EXTRA_CA_CERTS must be set before the process starts. Buffered: the adapters read whole
 * bodies (text, JSON).
 */
import http from 'node:http';
import https from 'node:https';

const NO_BODY = new Set([101, 204, 205, 304]);

export function trustingFetch(ca: string): typeof fetch {
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const request = input instanceof Request ? input : undefined;
    const headers = new Headers(init.headers ?? request?.headers);
    const method = init.method ?? request?.method ?? 'GET';
    const raw = init.body ?? (request?.body ? await request.arrayBuffer() : undefined);
    const body =
      raw === undefined || raw === null ? undefined : Buffer.from(await new Response(raw as BodyInit).arrayBuffer());
    if (body && !headers.has('content-length')) headers.set('content-length', String(body.length));
    return new Promise<Response>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(
        url,
        {
          method,
          headers: Object.fromEntries(headers),
          ...(url.protocol === 'https:' && { ca }),
          ...(init.signal && { signal: init.signal }),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const out = new Headers();
            for (const [k, v] of Object.entries(res.headers))
              if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v);
            const status = res.statusCode ?? 0;
            resolve(new Response(NO_BODY.has(status) ? null : Buffer.concat(chunks), { status, headers: out }));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
}
