import { describe, expect, it } from 'vitest';
import { TimeZone } from '../src/time-zone.js';

const utc = (text: string) => Date.parse(`${text}Z`) / 1000;

describe('TimeZone', () => {
  it('gives the offset of New York in winter and summer', () => {
    const zone = TimeZone.of('America/New_York');
    expect(zone.offsetSeconds(utc('2018-01-15T12:00:00'))).toBe(-5 * 3600);
    expect(zone.offsetSeconds(utc('2018-07-15T12:00:00'))).toBe(-4 * 3600);
    expect(zone.toWallClock(utc('2018-07-15T12:00:00'))).toBe(utc('2018-07-15T08:00:00'));
  });

  it('switches exactly at the transition instant', () => {
    const zone = TimeZone.of('America/New_York');
    // 2018-03-11 02:00 EST = 07:00 UTC.
    expect(zone.offsetSeconds(utc('2018-03-11T06:59:59'))).toBe(-5 * 3600);
    expect(zone.offsetSeconds(utc('2018-03-11T07:00:00'))).toBe(-4 * 3600);
  });

  it('reads wall-clock times back into instants, including across DST changes', () => {
    const zone = TimeZone.of('America/New_York');
    for (const instant of [
      utc('2018-01-01T00:00:00'),
      utc('2018-03-11T06:59:59'),
      utc('2018-03-11T07:00:00'),
      utc('2018-11-04T07:00:00'),
      utc('2018-07-04T16:20:00'),
    ]) {
      const wall = zone.toWallClock(instant);
      // Times of the autumn overlap's second hour cannot round-trip; these instants are outside it.
      expect(zone.fromWallClock(wall)).toBe(instant);
    }
  });

  it('puts a skipped time after the spring change and an ambiguous one at its first instant', () => {
    const zone = TimeZone.of('America/New_York');
    // 02:30 does not exist on 2018-03-11: read with EST it is 07:30 UTC (03:30 EDT).
    expect(zone.fromWallClock(utc('2018-03-11T02:30:00'))).toBe(utc('2018-03-11T07:30:00'));
    // 01:30 happens twice on 2018-11-04: first at EDT (05:30 UTC), then at EST (06:30 UTC).
    expect(zone.fromWallClock(utc('2018-11-04T01:30:00'))).toBe(utc('2018-11-04T05:30:00'));
  });

  it('handles half-hour and quarter-hour offsets', () => {
    expect(TimeZone.of('Asia/Kolkata').offsetSeconds(utc('2020-01-01T00:00:00'))).toBe(19_800);
    expect(TimeZone.of('Asia/Kathmandu').offsetSeconds(utc('2020-01-01T00:00:00'))).toBe(20_700);
  });

  it('is the identity for UTC and refuses unknown names with examples', () => {
    const zone = TimeZone.of('UTC');
    expect(zone.isUtc).toBe(true);
    expect(zone.fromWallClock(123.5)).toBe(123.5);
    expect(() => TimeZone.of('Mars/Olympus')).toThrow(/Unknown time zone "Mars\/Olympus".*IANA/);
  });
});
