// Round trips of the iCalendar fixtures in test/fixtures/ics (written for this project): each reads,
// writes and reads again to the same canonical item; every line the model does not read comes back
// byte for byte; and each fixture's point is checked on the canonical item.
import { describe, it } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ICalendarError } from '../../src/adapters/caldav/ical-errors.js';
import { parseICalendar } from '../../src/adapters/caldav/ical-read.js';
import { toICalendar } from '../../src/adapters/caldav/ical-write.js';
import { unfold } from '../../src/adapters/caldav/ical-text.js';
import { groupOf } from '../../src/adapters/caldav/ical-generate.js';
import { contentHash } from '../../src/core/model/content-hash.js';
import type { Activity, Item, Task } from '../../src/core/model/item.js';
import { toInstant } from '../../src/core/model/time.js';

const DIR = path.resolve(import.meta.dirname, '../fixtures/ics');
const REFUSED_DIR = path.resolve(import.meta.dirname, '../fixtures/ics-refused');
const NOW = Date.UTC(2026, 10, 26, 9);
const read = (name: string) => readFileSync(path.join(DIR, name), 'utf8');
const act = (i: Item) => i as Activity;

/** What each fixture is about, checked on the item it reads to. */
const POINTS: Record<string, (item: Item) => void> = {
  'recurring-moved-cancelled.ics': (i) => {
    const r = act(i).recurrence!;
    expect(r.rule).to.deep.include({ freq: 'WEEKLY', interval: 1 });
    // UNTIL comes in UTC and is kept in the series' zone (09:00 Berlin = 08:00Z in February).
    expect(r.rule.until).to.deep.equal({ dateTime: '2027-02-01T09:00:00', timeZone: 'Europe/Berlin' });
    expect(r.exceptionDates).to.deep.equal([{ dateTime: '2026-11-16T09:00:00', timeZone: 'Europe/Berlin' }]);
    expect(r.overrides).to.have.length(1);
    expect(r.overrides[0]!.fields.subject).to.equal('Weekly pipeline review (moved to Tuesday)');
    expect(i.crm).to.deep.equal({
      activityId: '0000004711',
      application: 'SALES',
      businessPartner: { id: '1000042', label: 'ACME Corp' },
      opportunity: { id: '0000815', label: 'Fleet renewal 2027' },
    });
    expect(i.reminderMinutes).to.equal(15);
    expect(act(i).attendees.map((a) => [a.name, a.role, a.response])).to.deep.equal([
      ['Roe, Jane', 'required', 'accepted'],
      [undefined, 'optional', 'needsAction'],
    ]);
  },
  'all-day-multi-day.ics': (i) => {
    expect([act(i).start, act(i).end]).to.deep.equal([{ date: '2026-12-07' }, { date: '2026-12-10' }]);
    expect(act(i).showAs).to.equal('free');
  },
  'dst-transition.ics': (i) => {
    // 23:30 EDT on 31 Oct to 02:30 EST on 1 Nov: four hours, though the clock moves three.
    expect(toInstant(act(i).end) - toInstant(act(i).start)).to.equal(4 * 3600_000);
    expect(act(i).recurrence!.rule.count).to.equal(5);
  },
  'windows-tzid.ics': (i) => {
    expect(act(i).start).to.deep.equal({ dateTime: '2026-12-03T10:00:00', timeZone: 'Europe/Berlin' });
    expect([act(i).showAs, i.importance, i.sensitivity]).to.deep.equal(['oof', 'high', 'private']);
  },
  'floating.ics': (i) => {
    expect(act(i).start).to.deep.equal({ dateTime: '2026-12-04T12:00:00', timeZone: null });
    expect(act(i).end).to.deep.equal({ dateTime: '2026-12-04T13:30:00', timeZone: null });
  },
  'task-due-only.ics': (i) => {
    const t = i as Task;
    expect([t.kind, t.start, t.due, t.status, t.importance]).to.deep.equal([
      'task',
      undefined,
      { date: '2026-12-05' },
      'notStarted',
      'high',
    ]);
    expect(t.reminderMinutes).to.equal(1440);
  },
  'folded-long-lines.ics': (i) => {
    expect(i.body!.text).to.match(/^Agenda for the quarterly .* Please bring the signed NDA\.$/);
    expect(i.body!.text).to.include('1) pipeline and forecast for Q1 2027, 2) fleet');
  },
  'non-ascii.ics': (i) => {
    expect(i.subject).to.equal('Besuch bei Müller & Söhne – Angebotsbesprechung ✓');
    expect(act(i).location).to.equal('Königstraße 12, Stuttgart');
    expect(i.body!.text).to.include('日本の担当者');
    expect(i.crm?.businessPartner?.label).to.equal('Müller & Söhne GmbH');
  },
  'attachment-uri.ics': (i) => {
    expect(i.extra.ical).to.include('ATTACH;FMTTYPE=application/pdf:https://crm.example.com/docs/demo-slides.pdf');
  },
  'unknown-x-properties.ics': (i) => {
    expect(i.extra.ical).to.include.members(['X-ACME-SCORE;X-SCALE=10:8', 'GEO:49.2933;8.6420', 'STATUS:CONFIRMED']);
    expect(act(i).organizer).to.deep.equal({ email: 'anna.seller@example.com', name: 'Anna Seller' });
  },
};

/** The unfolded lines of `text` that the model does not read, per component (VTIMEZONE aside). */
function unknownLines(text: string, kind: Item['kind']): string[] {
  const out: string[] = [];
  let inZone = 0;
  let inOverride = false;
  let depth = 0;
  for (const l of unfold(text)) {
    const value = l.text.slice(l.text.indexOf(':') + 1).toUpperCase();
    if (l.name === 'BEGIN' && value === 'VTIMEZONE') inZone++;
    if (inZone) {
      if (l.name === 'END' && value === 'VTIMEZONE') inZone--;
      continue;
    }
    if (l.name === 'BEGIN') depth++;
    if (l.name === 'END') depth--;
    if (l.name === 'RECURRENCE-ID') inOverride = true;
    if (l.name === 'BEGIN' || l.name === 'END' || l.name === 'VERSION' || l.name === 'PRODID' || l.name === 'DTSTAMP')
      continue;
    if (depth >= 2 && groupOf(l.name, kind, inOverride) === undefined) out.push(l.text);
    if (depth === 1) out.push(l.text); // VCALENDAR properties
  }
  return out.filter((t) => !t.startsWith('ACTION:') && !t.startsWith('TRIGGER') && !t.startsWith('DESCRIPTION'));
}

describe('iCalendar fixtures: ics → canonical → ics', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.ics'));
  it('has a point checked for every fixture, and a fixture for every point', () => {
    expect(files.sort()).to.deep.equal(Object.keys(POINTS).sort());
  });
  for (const file of files) {
    it(file, () => {
      const original = read(file);
      const item = parseICalendar(original);
      POINTS[file]!(item);
      const written = toICalendar(item, NOW);
      const again = parseICalendar(written);
      expect(again).to.deep.equal(item);
      expect(contentHash(again)).to.equal(contentHash(item));
      // Unknown properties (and parameters) come back identical.
      const writtenLines = unfold(written).map((l) => l.text);
      for (const line of unknownLines(original, item.kind)) expect(writtenLines, line).to.include(line);
      // Writing what was written changes nothing but the stamp.
      expect(toICalendar(again, NOW)).to.equal(written);
    });
  }
});

/** Fixtures in test/fixtures/ics-refused: read as an error that names what cannot be synchronized. */
const REFUSED: Record<string, RegExp> = {
  // Read as one override, the later occurrences would keep the old time in Outlook (issue 13, point 1).
  'thisandfuture.ics': /RANGE=THISANDFUTURE .*cannot be synchronized.*Split the series/,
};

describe('iCalendar fixtures the sync refuses, by name', () => {
  it('has a reason for every refused fixture', () => {
    expect(readdirSync(REFUSED_DIR).sort()).to.deep.equal(Object.keys(REFUSED).sort());
  });
  for (const [file, reason] of Object.entries(REFUSED))
    it(file, () => {
      expect(() => parseICalendar(readFileSync(path.join(REFUSED_DIR, file), 'utf8')))
        .to.throw(ICalendarError, reason)
        .with.property('line')
        .that.is.a('number');
    });
});

describe('iCalendar writing over an item another client wrote', () => {
  it('keeps the original lines of what did not change and writes fresh lines for what did', () => {
    const item = parseICalendar(read('windows-tzid.ics')) as Activity;
    const renamed = unfold(toICalendar({ ...item, subject: 'Renegotiation' }, NOW)).map((l) => l.text);
    expect(renamed).to.include.members([
      'SUMMARY:Renegotiation',
      'DTSTART;TZID=W. Europe Standard Time:20261203T100000',
      'X-MICROSOFT-CDO-IMPORTANCE:2',
    ]);
    const moved = unfold(
      toICalendar({ ...item, start: { dateTime: '2026-12-03T11:00:00', timeZone: 'Europe/Berlin' } }, NOW),
    ).map((l) => l.text);
    expect(moved).to.include('DTSTART;TZID=Europe/Berlin:20261203T110000');
    expect(moved).to.include('DTEND;TZID=W. Europe Standard Time:20261203T113000');
    expect(moved.filter((l) => l === 'BEGIN:VTIMEZONE')).to.have.length(2);
  });
});
