import { InvalidArgumentError } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { Calendar, defineFraudFeatures, NightFeature, WeekendFeature } from '../src/index.js';

const DAY = 86_400;
const HOUR = 3_600;

describe('Calendar', () => {
  // 2018-04-01, the simulator's default start, is a Sunday.
  const calendar = new Calendar('2018-04-01');

  it('reads weekdays Monday = 0 … Sunday = 6 from seconds since the origin', () => {
    expect(calendar.weekday(0)).toBe(6); // Sun 2018-04-01
    expect(calendar.weekday(DAY - 1)).toBe(6);
    expect(calendar.weekday(DAY)).toBe(0); // Mon 2018-04-02
    expect(calendar.weekday(6 * DAY)).toBe(5); // Sat 2018-04-07
    expect(calendar.weekday(7 * DAY)).toBe(6);
    expect(calendar.weekday(-1)).toBe(5); // Sat 2018-03-31 23:59:59
  });

  it('reads the hour of the day', () => {
    expect(calendar.hour(0)).toBe(0);
    expect(calendar.hour(7 * HOUR - 1)).toBe(6);
    expect(calendar.hour(7 * HOUR)).toBe(7);
    expect(calendar.hour(DAY - 1)).toBe(23);
    expect(calendar.hour(3 * DAY + 13 * HOUR + 0.5)).toBe(13);
    expect(calendar.hour(-1)).toBe(23);
  });

  it('takes other origins, epoch seconds included', () => {
    expect(new Calendar('1970-01-01').weekday(0)).toBe(3); // a Thursday
    expect(new Calendar('2024-02-29').weekday(0)).toBe(3);
    // 2018-04-01T00:00:00Z in epoch seconds is also a Sunday at midnight.
    const epoch = Date.UTC(2018, 3, 1) / 1000;
    expect(new Calendar('1970-01-01').weekday(epoch)).toBe(6);
  });

  it('refuses origins that are not real dates', () => {
    for (const bad of ['2018-02-30', '2018-4-1', '01/04/2018', '', '2018-04-01T00:00:00']) {
      expect(() => new Calendar(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => new Calendar('2018-02-30')).toThrow(/YYYY-MM-DD/);
  });
});

describe('weekend and night flags', () => {
  const calendar = new Calendar('2018-04-01');
  const weekend = new WeekendFeature('W', calendar);
  const night = new NightFeature('N', calendar, 6);

  it('flags Saturday and Sunday, switching exactly at midnight', () => {
    expect(weekend.evaluate(DAY - 1)).toBe(1); // Sun 23:59:59
    expect(weekend.evaluate(DAY)).toBe(0); // Mon 00:00:00
    expect(weekend.evaluate(6 * DAY - 1)).toBe(0); // Fri 23:59:59
    expect(weekend.evaluate(6 * DAY)).toBe(1); // Sat 00:00:00
  });

  it('counts hours 0 to 6 as night: 06:59:59 is night, 07:00:00 is not', () => {
    expect(night.evaluate(0)).toBe(1);
    expect(night.evaluate(7 * HOUR - 1)).toBe(1);
    expect(night.evaluate(7 * HOUR)).toBe(0);
    expect(night.evaluate(DAY - 1)).toBe(0);
    expect(night.evaluate(DAY)).toBe(1);
    expect(new NightFeature('N', calendar, 0).evaluate(HOUR)).toBe(0);
  });

  it('use the origin of the feature set', () => {
    // 2018-04-02 is a Monday: second 0 is no longer a weekend.
    const features = defineFraudFeatures({ origin: '2018-04-02', nightLastHour: 5 });
    const [, weekendFlag, nightFlag] = features.rowFeatures;
    expect(weekendFlag!.feature.evaluate(0, 0)).toBe(0);
    expect(nightFlag!.feature.evaluate(6 * HOUR, 0)).toBe(0);
  });
});
