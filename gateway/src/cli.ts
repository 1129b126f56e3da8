/**
 * crm-gateway: serve, user add / passwd, import, export. Every command takes the same --db as serve
 * (a SQLite file, default .data/gateway.sqlite, or a postgres:// URL).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import ICAL from 'ical.js';
import { hashPassword, USER_ID } from './auth.js';
import { ensureDemo } from './demo.js';
import { putObject } from './objects.js';
import { startGateway, DEFAULT_MAX_BODY } from './server.js';
import { DEFAULT_DB, openStore } from './store/open.js';
import type { CollectionName } from './store/types.js';

const USAGE = `crm-gateway — the reference CalDAV gateway of CRM Calendar Sync

  crm-gateway serve [--port 4000] [--host 127.0.0.1] [--db PATH|postgres://…] [--demo]
                    [--cors-origin https://localhost:3000]… [--tls-key FILE --tls-cert FILE]
                    [--max-body BYTES] [--headers-timeout S] [--request-timeout S]
                    [--body-idle-timeout S] [--max-connections-per-address N]
                    [--per-user-concurrency N] [--per-user-queue N] [--quiet]
  crm-gateway user add <id> --password-stdin [--db …]
  crm-gateway user passwd <id> --password-stdin [--db …]
  crm-gateway user list [--db …]
  crm-gateway import <user> <file.ics> [--db …]
  crm-gateway export <user> [--db …]            (iCalendar on standard output)
`;

async function stdinText(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function fail(message: string): never {
  process.stderr.write(`crm-gateway: ${message}\n`);
  process.exit(2);
}

/** A positive whole number given for `flag`. */
function whole(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) fail(`${flag} takes a whole number of at least 1, not "${text}"`);
  return n;
}

const seconds = (text: string, flag: string) => whole(text, flag) * 1000;

/** Splits an .ics file into one object per UID, each with the VTIMEZONEs it needs. */
export function splitCalendar(text: string): { uid: string; component: 'VEVENT' | 'VTODO'; body: string }[] {
  const cal = new ICAL.Component(ICAL.parse(text) as unknown as unknown[]);
  const zones = cal.getAllSubcomponents('vtimezone');
  const byUid = new Map<string, ICAL.Component[]>();
  for (const c of cal.getAllSubcomponents()) {
    if (c.name !== 'vevent' && c.name !== 'vtodo') continue;
    const uid = String(c.getFirstPropertyValue('uid') ?? '');
    if (!uid) throw new Error(`a ${c.name.toUpperCase()} without UID (${c.getFirstPropertyValue('summary') ?? ''})`);
    byUid.set(uid, [...(byUid.get(uid) ?? []), c]);
  }
  return [...byUid].map(([uid, comps]) => {
    const out = new ICAL.Component('vcalendar');
    out.addPropertyWithValue('version', '2.0');
    out.addPropertyWithValue(
      'prodid',
      String(cal.getFirstPropertyValue('prodid') ?? '-//CRM Calendar Sync//import//EN'),
    );
    const used = new Set(comps.flatMap((c) => c.getAllProperties().map((p) => String(p.getParameter('tzid') ?? ''))));
    for (const z of zones) if (used.has(String(z.getFirstPropertyValue('tzid')))) out.addSubcomponent(z);
    for (const c of comps) out.addSubcomponent(c);
    return { uid, component: comps[0]!.name === 'vtodo' ? 'VTODO' : 'VEVENT', body: out.toString() + '\r\n' };
  });
}

async function main(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '4000' },
      host: { type: 'string', default: '127.0.0.1' },
      db: { type: 'string', default: DEFAULT_DB },
      demo: { type: 'boolean', default: false },
      'cors-origin': { type: 'string', multiple: true },
      'tls-key': { type: 'string' },
      'tls-cert': { type: 'string' },
      'max-body': { type: 'string' },
      'headers-timeout': { type: 'string' },
      'request-timeout': { type: 'string' },
      'body-idle-timeout': { type: 'string' },
      'max-connections-per-address': { type: 'string' },
      'per-user-concurrency': { type: 'string' },
      'per-user-queue': { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) return void process.stdout.write(USAGE);
  const store = await openStore(values.db);
  try {
    if (command === 'serve') {
      if (values.demo && (await ensureDemo(store)))
        process.stderr.write('demo data created: user demo, password demo\n');
      if (!!values['tls-key'] !== !!values['tls-cert']) fail('--tls-key and --tls-cert go together');
      const gw = await startGateway({
        store,
        host: values.host,
        port: Number(values.port),
        corsOrigins: values['cors-origin'] ?? ['https://localhost:3000'],
        maxBodyBytes: values['max-body'] ? Number(values['max-body']) : DEFAULT_MAX_BODY,
        limits: {
          ...(values['headers-timeout'] && { headersMs: seconds(values['headers-timeout'], '--headers-timeout') }),
          ...(values['request-timeout'] && { requestMs: seconds(values['request-timeout'], '--request-timeout') }),
          ...(values['body-idle-timeout'] && {
            bodyIdleMs: seconds(values['body-idle-timeout'], '--body-idle-timeout'),
          }),
          ...(values['per-user-concurrency'] && {
            perUserConcurrency: whole(values['per-user-concurrency'], '--per-user-concurrency'),
          }),
          ...(values['per-user-queue'] && { perUserQueue: whole(values['per-user-queue'], '--per-user-queue') }),
          ...(values['max-connections-per-address'] && {
            connectionsPerAddress: whole(values['max-connections-per-address'], '--max-connections-per-address'),
          }),
        },
        ...(values['tls-key'] && {
          tls: { key: readFileSync(values['tls-key']), cert: readFileSync(values['tls-cert']!) },
        }),
        ...(!values.quiet && { accessLog: (e) => process.stdout.write(`${JSON.stringify(e)}\n`) }),
      });
      process.stderr.write(`crm-gateway listening on ${gw.url} (${store.kind})\n`);
      const stop = () =>
        void gw
          .close()
          .then(() => store.close())
          .then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      return new Promise<never>(() => undefined);
    }
    if (command === 'user') {
      const [sub, id] = rest;
      if (sub === 'list') return void process.stdout.write((await store.listUsers()).join('\n') + '\n');
      if ((sub !== 'add' && sub !== 'passwd') || !id) fail('usage: crm-gateway user add|passwd <id> --password-stdin');
      if (!USER_ID.test(id)) fail(`"${id}" is not a valid user id (letters, digits, . _ @ -; at most 64)`);
      if (!values['password-stdin']) fail('give the password on standard input with --password-stdin');
      const password = (await stdinText()).replace(/\r?\n$/, '');
      if (password.length < 4) fail('the password is too short (at least 4 characters)');
      if (sub === 'add') {
        if (await store.passwordHash(id)) fail(`user ${id} exists already`);
        await store.addUser(id, await hashPassword(password));
        process.stderr.write(`user ${id} added\n`);
      } else {
        if (!(await store.setPassword(id, await hashPassword(password)))) fail(`no user ${id}`);
        process.stderr.write(`password of ${id} changed; its app tokens are revoked\n`);
      }
      return;
    }
    if (command === 'import') {
      const [user, file] = rest;
      if (!user || !file) fail('usage: crm-gateway import <user> <file.ics>');
      if (!(await store.passwordHash(user))) fail(`no user ${user}`);
      let objects;
      try {
        objects = splitCalendar(readFileSync(file, 'utf8'));
      } catch (error) {
        fail(`${file}: ${(error as Error).message}`);
      }
      let n = 0;
      for (const o of objects) {
        const name: CollectionName = o.component === 'VTODO' ? 'tasks' : 'activities';
        const href = `${o.uid.replace(/[^A-Za-z0-9._@-]/g, '_')}.ics`;
        try {
          const r = await putObject(store, user, name, href, o.body);
          if (r.kind === 'uid-conflict') throw new Error(`UID already stored as ${r.href}`);
          n++;
        } catch (error) {
          process.stderr.write(`skipped ${o.uid}: ${(error as Error).message}\n`);
        }
      }
      process.stderr.write(`imported ${n} of ${objects.length} item(s) for ${user}\n`);
      return;
    }
    if (command === 'export') {
      const [user] = rest;
      if (!user) fail('usage: crm-gateway export <user>');
      if (!(await store.passwordHash(user))) fail(`no user ${user}`);
      const out = new ICAL.Component('vcalendar');
      out.addPropertyWithValue('version', '2.0');
      out.addPropertyWithValue('prodid', '-//CRM Calendar Sync//reference gateway export//EN');
      const zones = new Set<string>();
      for (const name of ['activities', 'tasks'] as const) {
        const items = await store.get(
          user,
          name,
          (await store.list(user, name)).map((m) => m.href),
        );
        for (const s of items) {
          const cal = new ICAL.Component(ICAL.parse(s.body) as unknown as unknown[]);
          // A copy of the list: adding a component to `out` takes it out of `cal`.
          for (const c of [...cal.getAllSubcomponents()]) {
            if (c.name === 'vtimezone') {
              const tzid = String(c.getFirstPropertyValue('tzid'));
              if (zones.has(tzid)) continue;
              zones.add(tzid);
            }
            out.addSubcomponent(c);
          }
        }
      }
      process.stdout.write(out.toString() + '\r\n');
      return;
    }
    fail(`unknown command ${command}\n\n${USAGE}`);
  } finally {
    if (command !== 'serve') await store.close();
  }
}

await main(process.argv.slice(2)).catch((error: unknown) => fail((error as Error).message));
