/**
 * Canonical item → iCalendar object. Fresh lines come from ical-generate.ts; where the item carries
 * lines kept by the reader (see ical-read.ts) and the signature shows the values unchanged, those
 * original lines go back instead, so a round trip changes nothing it does not have to. Every TZID
 * used gets its VTIMEZONE (RFC 5545 §3.6.5), from the object it came from or the IANA database.
 */
import type { Activity, Item } from '../../core/model/item.js';
import { vtimezoneFor } from '@crm-sync/common/zones';
import { ICalendarError } from './ical-errors.js';
import {
  generateActivity,
  generateOverride,
  generateTask,
  recurrenceKey,
  signature,
  stampOf,
  type Groups,
} from './ical-generate.js';
import { EXTRA_CALENDAR, EXTRA_MASTER, extraOverride, SIG } from './ical-read.js';
import { rawValue } from './ical-values.js';
import { toText, unfold } from './ical-text.js';

export const PRODID = '-//CRM Calendar Sync for Outlook//EN';

/** Kept lines of one component: the unknown ones (properties, blocks) and the signed groups. */
function splitKept(lines: readonly string[] = []) {
  const unknownProps: string[] = [];
  const unknownBlocks: string[] = [];
  const groups = new Map<string, { sig: string; lines: string[] }>();
  let current: { sig: string; lines: string[] } | undefined;
  let depth = 0;
  for (const line of lines) {
    if (line.startsWith(SIG)) {
      const [g, sig] = line.slice(SIG.length).split(' ');
      current = { sig: sig ?? '', lines: [] };
      groups.set(g ?? '', current);
      continue;
    }
    if (current) {
      current.lines.push(line);
      continue;
    }
    const upper = line.toUpperCase();
    if (upper.startsWith('BEGIN:')) depth++;
    (depth > 0 ? unknownBlocks : unknownProps).push(line);
    if (upper.startsWith('END:')) depth--;
  }
  return { unknownProps, unknownBlocks, groups };
}

/** One component: generated groups, or the kept lines where their signature still matches. */
function component(
  name: string,
  generated: Groups,
  kept: readonly string[] | undefined,
  verbatim: Set<string>,
): string[] {
  const { unknownProps, unknownBlocks, groups } = splitKept(kept);
  const pick = (g: string, lines: string[]) => {
    const k = groups.get(g);
    if (!k || k.sig !== signature(lines)) return lines;
    for (const l of k.lines) verbatim.add(l);
    return k.lines;
  };
  const props: string[] = [];
  for (const [g, lines] of generated) if (g !== 'VALARM') props.push(...(g === 'DTSTAMP' ? lines : pick(g, lines)));
  for (const l of [...unknownProps, ...unknownBlocks]) verbatim.add(l);
  return [
    `BEGIN:${name}`,
    ...props,
    ...unknownProps,
    ...pick('VALARM', generated.get('VALARM') ?? []),
    ...unknownBlocks,
    `END:${name}`,
  ];
}

const TZID = /;TZID=("[^"]*"|[^;:]*)/gi;

/** The iCalendar text of `item`, stamped `now` (UTC ms). Throws ICalendarError for a zone it cannot define. */
export function toICalendar(item: Item, now: number): string {
  const stamp = stampOf(now);
  const body: string[] = [];
  // Lines written as they came: a TZID only they use may stay without a definition, as it came.
  const verbatim = new Set<string>();
  if (item.kind === 'task') {
    body.push(...component('VTODO', generateTask(item, stamp), item.extra[EXTRA_MASTER], verbatim));
  } else {
    body.push(...component('VEVENT', generateActivity(item, stamp), item.extra[EXTRA_MASTER], verbatim));
    for (const o of (item as Activity).recurrence?.overrides ?? [])
      body.push(
        ...component(
          'VEVENT',
          generateOverride(item, o, stamp),
          item.extra[extraOverride(recurrenceKey(o.recurrenceId))],
          verbatim,
        ),
      );
  }
  const calendar = splitKept(item.extra[EXTRA_CALENDAR]);
  body.push(...calendar.unknownBlocks);
  for (const l of calendar.unknownBlocks) verbatim.add(l);
  const zones: string[] = [];
  const seen = new Set<string>();
  const missing = new Map<string, boolean>(); // tzid → used by a line the model wrote or read
  for (const line of body)
    for (const m of line.slice(0, line.length - rawValue(line).length).matchAll(TZID)) {
      const tzid = m[1]!.replace(/^"|"$/g, '');
      if (seen.has(tzid)) continue;
      const vtz = vtimezoneFor(tzid);
      if (vtz) {
        seen.add(tzid);
        zones.push(...unfold(vtz.toString()).map((l) => l.text));
      } else missing.set(tzid, missing.get(tzid) || !verbatim.has(line));
    }
  for (const [tzid, needed] of missing)
    if (needed) throw new ICalendarError(`no time zone definition for "${tzid}"`, { property: 'TZID' });
  return toText([
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${PRODID}`,
    ...calendar.unknownProps,
    ...zones,
    ...body,
    'END:VCALENDAR',
  ]);
}
