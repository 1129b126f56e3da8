// The wall clocks of time zones (common/src/wall-clock.ts) remember offsets by quarter hour (issue 17);
// every answer must still be Intl's own, around every change of offset, in zones with odd offsets.
import { describe, it } from 'node:test';
import { expect } from 'chai';
import fc from 'fast-check';
import { toWallClock, zonedInstant } from '@crm-sync/common/wall-clock';

const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Australia/Lord_Howe', // a half-hour change of offset
  'Asia/Kathmandu', // +05:45
  'Africa/Monrovia', // -00:44:30 until 1972: a change off the quarter hour
  'Pacific/Chatham', // +12:45 / +13:45
  'America/St_Johns', // -03:30
  'Asia/Tehran',
];

/** The wall clock of `utcMs` in `zone`, straight from Intl (no cache; Swedish writes ISO dates). */
const intlWallClock = (utcMs: number, zone: string): string =>
  new Date(utcMs).toLocaleString('sv-SE', { timeZone: zone }).replace(' ', 'T');

describe('wall clocks of time zones', () => {
  it('answer as Intl does at any instant from 1960 to 2060, the cache warm or cold', () => {
    const instant = fc.integer({ min: Date.UTC(1960, 0, 1), max: Date.UTC(2060, 0, 1) });
    fc.assert(
      fc.property(instant, fc.constantFrom(...ZONES), (t, zone) => {
        expect(toWallClock(t, zone)).to.equal(intlWallClock(t, zone));
        expect(toWallClock(t, zone), 'warm').to.equal(intlWallClock(t, zone));
      }),
      { numRuns: 20_000, seed: 20261204 },
    );
  });

  it('answer as Intl does on every second around the changes of offset', () => {
    // Berlin 2026-03-29 01:00 UTC, Lord Howe 2026-04-04 15:00 UTC (+11 → +10:30), Monrovia 1972-01-07.
    const changes: [string, number][] = [
      ['Europe/Berlin', Date.UTC(2026, 2, 29, 1)],
      ['Australia/Lord_Howe', Date.UTC(2026, 3, 4, 15)],
      ['Africa/Monrovia', Date.UTC(1972, 0, 7, 0, 44, 30)],
    ];
    for (const [zone, at] of changes)
      for (let t = at - 20 * 60_000; t <= at + 20 * 60_000; t += 1000)
        expect(toWallClock(t, zone), `${zone} ${new Date(t).toISOString()}`).to.equal(intlWallClock(t, zone));
    // And back: a wall time in the gap moves forward by the gap (RFC 5545 §3.3.5).
    expect(new Date(zonedInstant('2026-03-29T02:30:00', 'Europe/Berlin')).toISOString()).to.equal(
      '2026-03-29T01:30:00.000Z',
    );
  });
});
