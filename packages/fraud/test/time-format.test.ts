import { TimeZone } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { formatTime, TimeParser } from '../src/config/time-format.js';

const utc = (text: string) => Date.parse(`${text}Z`) / 1000;
const newYork = TimeZone.of('America/New_York');

describe('TimeParser', () => {
  it('reads ISO text as wall-clock time in the zone, or as an instant when it has an offset', () => {
    const local = new TimeParser('iso', newYork);
    expect(local.parse('2018-07-01 08:00:00')).toBe(utc('2018-07-01T12:00:00'));
    expect(local.parse('2018-07-01T08:00:00.250')).toBe(utc('2018-07-01T12:00:00') + 0.25);
    const offset = new TimeParser('iso', newYork);
    expect(offset.parse('2018-07-01T08:00:00+02:00')).toBe(utc('2018-07-01T06:00:00'));
    expect(offset.parse('2018-07-01T08:00:00Z')).toBe(utc('2018-07-01T08:00:00'));
  });

  it('refuses a column that mixes formats, and text that is no date, with the reason', () => {
    const parser = new TimeParser('iso', TimeZone.of('UTC'));
    expect(parser.parse('2018-07-01 08:00:00')).toBe(utc('2018-07-01T08:00:00'));
    expect(parser.parse('2018-07-01 08:00:00+01:00')).toBeNaN();
    expect(parser.problem).toMatch(/mixed time formats.*with offset.*without offset/);
    expect(parser.parse('2018-07-01')).toBeNaN();
    expect(parser.problem).toMatch(/mixed time formats/);
    expect(parser.parse('07/01/2018 08:00')).toBeNaN();
    expect(parser.problem).toMatch(/not a time in the format "iso"/);
    expect(parser.parse('2018-02-30 08:00:00')).toBeNaN();
    expect(parser.parse(1_530_000_000)).toBeNaN();
    expect(parser.problem).toMatch(/expected text/);
  });

  it('reads patterns, 12-hour clocks and fractions', () => {
    const dmy = new TimeParser('DD/MM/YYYY hh:mm:ss A', TimeZone.of('UTC'));
    expect(dmy.parse('01/07/2018 12:05:09 AM')).toBe(utc('2018-07-01T00:05:09'));
    expect(dmy.parse('01/07/2018 01:05:09 pm')).toBe(utc('2018-07-01T13:05:09'));
    expect(dmy.parse('2018-07-01 13:05:09')).toBeNaN();
    expect(dmy.problem).toMatch(/format "DD\/MM\/YYYY hh:mm:ss A"/);
    const compact = new TimeParser('YYYYMMDDTHHmmss.SSS', TimeZone.of('UTC'));
    expect(compact.parse('20180701T130509.5')).toBe(utc('2018-07-01T13:05:09') + 0.5);
    const short = new TimeParser('M/D/YYYY H:mm', newYork);
    expect(short.parse('7/1/2018 8:00')).toBe(utc('2018-07-01T12:00:00'));
    expect(() => new TimeParser('HH:mm', newYork)).toThrow(/no year, month, day/);
    expect(() => new TimeParser('YYYY-MM-DD hh:mm', newYork)).toThrow(/AM\/PM/);
  });

  it('reads epoch seconds and milliseconds, and catches the other unit', () => {
    const seconds = new TimeParser('epoch-seconds', newYork);
    expect(seconds.parse('1530446400')).toBe(1_530_446_400);
    expect(seconds.parse(1_530_446_400.5)).toBe(1_530_446_400.5);
    expect(seconds.parse('1530446400000')).toBeNaN();
    expect(seconds.problem).toMatch(/looks like milliseconds.*epoch-millis/);
    const millis = new TimeParser('epoch-millis', newYork);
    expect(millis.parse('1530446400250')).toBe(1_530_446_400.25);
    expect(millis.parse('1530446400')).toBeNaN();
    expect(millis.problem).toMatch(/looks like seconds/);
    expect(millis.parse('soon')).toBeNaN();
  });

  it('reads seconds since the local midnight of an origin date', () => {
    const handbook = new TimeParser('seconds-since', TimeZone.of('UTC'), '2018-04-01');
    expect(handbook.parse('31')).toBe(utc('2018-04-01T00:00:31'));
    const local = new TimeParser('seconds-since', newYork, '2018-04-01');
    expect(local.parse(0)).toBe(utc('2018-04-01T04:00:00'));
  });
});

describe('formatTime', () => {
  it('writes instants back in the format the parser reads', () => {
    const instant = utc('2018-07-01T12:05:09');
    for (const [format, zone, origin] of [
      ['iso', newYork, undefined],
      ['YYYY-MM-DD HH:mm:ss', newYork, undefined],
      ['DD/MM/YYYY hh:mm:ss A', newYork, undefined],
      ['M/D/YYYY H:mm:ss', TimeZone.of('Asia/Kolkata'), undefined],
      ['epoch-seconds', newYork, undefined],
      ['epoch-millis', newYork, undefined],
      ['seconds-since', newYork, '2018-04-01'],
      ['YYYY-MM-DDTHH:mm:ssZ', newYork, undefined],
    ] as const) {
      const text = formatTime(instant, format, zone, origin);
      expect(new TimeParser(format, zone, origin).parse(text)).toBe(instant);
    }
    expect(formatTime(instant, 'YYYY-MM-DD HH:mm:ss', newYork)).toBe('2018-07-01 08:05:09');
  });
});
