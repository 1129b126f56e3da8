// Third-party CalDAV servers for the contract suite, started on loopback with their data in a
// temporary folder: Radicale (htpasswd logon) and Xandikos (no logon of its own). Each is stopped
// by the PID this module started.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { basic } from './gateway.js';
import { freePort } from '../../../scripts/net.js';

export interface CalDavServer {
  readonly origin: string;
  readonly credentials: { readonly username: string; readonly password: string };
  /** Creates a calendar taking only `component`; returns its absolute URL. */
  makeCalendar(name: string, component: 'VEVENT' | 'VTODO'): Promise<string>;
  stop(): Promise<void>;
}

export async function startCalDavServer(kind: 'radicale' | 'xandikos'): Promise<CalDavServer> {
  const dir = mkdtempSync(path.join(tmpdir(), `crm-${kind}-`));
  const port = await freePort();
  const username = 'contract';
  const password = 'contract-pw';
  let child: ChildProcess;
  let home: string;
  if (kind === 'radicale') {
    writeFileSync(path.join(dir, 'htpasswd'), `${username}:${password}\n`);
    writeFileSync(
      path.join(dir, 'radicale.conf'),
      `[server]\nhosts = 127.0.0.1:${port}\n[auth]\ntype = htpasswd\nhtpasswd_filename = ${path.join(dir, 'htpasswd')}\nhtpasswd_encryption = plain\n[rights]\ntype = owner_only\n[storage]\nfilesystem_folder = ${path.join(dir, 'data')}\n[logging]\nlevel = warning\n`,
    );
    child = spawn('radicale', ['--config', path.join(dir, 'radicale.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    home = `/${username}/`;
  } else {
    child = spawn('xandikos', ['-d', path.join(dir, 'data'), '-l', '127.0.0.1', '-p', String(port), '--defaults'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    home = '/user/calendars/';
  }
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const origin = `http://127.0.0.1:${port}`;
  const auth = basic(username, password);
  const request = (method: string, url: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(`${origin}${url}`, {
      method,
      headers: { Authorization: auth, 'Content-Type': 'application/xml; charset=utf-8', ...headers },
      ...(body !== undefined && { body }),
    });

  // Up when it answers a PROPFIND on the home (Radicale creates the principal on first access).
  let up = false;
  for (let i = 0; i < 120 && !up; i++) {
    if (child.exitCode !== null) throw new Error(`${kind} exited: ${stderr}`);
    try {
      const r = await request('PROPFIND', kind === 'radicale' ? home : '/user/', undefined, { Depth: '0' });
      await r.text();
      up = r.status === 207;
    } catch {
      /* not listening yet */
    }
    if (!up) await new Promise((r) => setTimeout(r, 250));
  }
  if (!up) throw new Error(`${kind} did not come up on ${origin}: ${stderr}`);

  return {
    origin,
    credentials: { username, password },
    async makeCalendar(name, component) {
      const url = `${home}${name}/`;
      const r = await request(
        'MKCALENDAR',
        url,
        `<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>${name}</D:displayname><C:supported-calendar-component-set><C:comp name="${component}"/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>`,
      );
      const text = await r.text();
      if (r.status !== 201) throw new Error(`${kind}: MKCALENDAR ${url} answered ${r.status} ${text}`);
      return `${origin}${url}`;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
