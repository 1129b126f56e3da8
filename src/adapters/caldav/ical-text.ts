/**
 * iCalendar content lines as text (RFC 5545 §3.1): unfolding with line numbers, folding at 75 octets,
 * the component tree of raw lines, and TEXT escaping. ical.js reads the values; this layer keeps the
 * lines themselves, so that properties the model does not know go back byte for byte.
 */
import { ICalendarError } from './ical-errors.js';

/** One unfolded content line and the (1-based) physical line it starts on. */
export interface RawLine {
  readonly text: string;
  readonly line: number;
  /** Upper-case property name (`BEGIN`/`END` for component delimiters). */
  readonly name: string;
}

/** A component as raw lines: its properties in order, and its subcomponents in order. */
export interface RawComponent {
  readonly name: string;
  readonly line: number;
  readonly props: RawLine[];
  readonly comps: RawComponent[];
}

const NAME = /^[A-Za-z0-9-]+/;

/** Unfolds CRLF (or bare LF) + space/tab continuations; drops empty lines. */
export function unfold(text: string): RawLine[] {
  const physical = text.split(/\r\n|\n|\r/);
  const out: { text: string; line: number }[] = [];
  physical.forEach((p, i) => {
    if ((p.startsWith(' ') || p.startsWith('\t')) && out.length) out[out.length - 1]!.text += p.slice(1);
    else if (p.length) out.push({ text: p, line: i + 1 });
  });
  return out.map((l) => ({ ...l, name: (NAME.exec(l.text)?.[0] ?? '').toUpperCase() }));
}

/** Checks the shape of every content line: a name, parameters, a colon (RFC 5545 §3.1). */
function checkLine(l: RawLine): void {
  if (!l.name) throw new ICalendarError('not a content line (no property name)', { line: l.line });
  // Parameter values may hold ':' and ';' inside double quotes.
  const rest = l.text.slice(l.name.length);
  const m = /^(?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)*:/.exec(rest);
  if (!m) throw new ICalendarError('malformed parameters or missing ":"', { line: l.line, property: l.name });
}

/** The raw component tree of an iCalendar object (the single VCALENDAR). Throws ICalendarError. */
export function rawTree(text: string): RawComponent {
  const lines = unfold(text);
  if (!lines.length) throw new ICalendarError('the body is empty, not an iCalendar object', {});
  const stack: RawComponent[] = [];
  let root: RawComponent | undefined;
  for (const l of lines) {
    checkLine(l);
    const value = l.text
      .slice(l.text.indexOf(':') + 1)
      .trim()
      .toUpperCase();
    if (l.name === 'BEGIN') {
      if (!value) throw new ICalendarError('BEGIN without a component name', { line: l.line });
      if (root && !stack.length) throw new ICalendarError('more than one VCALENDAR in one object', { line: l.line });
      const comp: RawComponent = { name: value, line: l.line, props: [], comps: [] };
      stack.at(-1)?.comps.push(comp);
      stack.push(comp);
      root ??= comp;
    } else if (l.name === 'END') {
      const open = stack.pop();
      if (!open || open.name !== value)
        throw new ICalendarError(`END:${value} does not close ${open ? `BEGIN:${open.name}` : 'anything'}`, {
          line: l.line,
        });
    } else {
      const open = stack.at(-1);
      if (!open) throw new ICalendarError('property outside of BEGIN:VCALENDAR … END:VCALENDAR', { line: l.line });
      open.props.push(l);
    }
  }
  if (stack.length)
    throw new ICalendarError(`BEGIN:${stack.at(-1)!.name} is never closed`, { line: stack.at(-1)!.line });
  if (root!.name !== 'VCALENDAR') throw new ICalendarError(`the object is ${root!.name}, not VCALENDAR`, { line: 1 });
  return root!;
}

/** All lines of a component, BEGIN and END included (properties first, then subcomponents). */
export function componentLines(c: RawComponent): string[] {
  return [`BEGIN:${c.name}`, ...c.props.map((p) => p.text), ...c.comps.flatMap(componentLines), `END:${c.name}`];
}

/** TEXT value escaping (RFC 5545 §3.3.11). */
export const escapeText = (s: string): string =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');

/**
 * The values of a multi-valued TEXT property (CATEGORIES), split at commas that are not escaped and
 * unescaped (RFC 5545 §3.3.11). ical.js takes the comma of `\\,` (an escaped backslash, then a
 * separator) for an escaped comma, so this is read from the raw value.
 */
export function textList(raw: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\\' && i + 1 < raw.length) {
      const next = raw[++i]!;
      current += next === 'n' || next === 'N' ? '\n' : next;
    } else if (ch === ',') {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

/** A parameter value, quoted when it holds ':', ';' or ','; DQUOTE is not allowed inside (RFC 5545 §3.2). */
export function paramValue(s: string): string {
  const clean = s.replace(/"/g, "'").replace(/[\r\n]+/g, ' ');
  return /[:;,]/.test(clean) ? `"${clean}"` : clean;
}

const encoder = new TextEncoder();

/** Folds a content line at 75 octets without splitting a UTF-8 sequence (RFC 5545 §3.1). */
export function fold(line: string): string {
  if (encoder.encode(line).length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const n = encoder.encode(ch).length;
    const limit = parts.length ? 74 : 75; // continuation lines start with a space
    if (octets + n > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += n;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/** Lines to the text of an iCalendar object: folded, CRLF, with a final CRLF. */
export const toText = (lines: readonly string[]): string => lines.map(fold).join('\r\n') + '\r\n';
