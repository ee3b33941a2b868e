import { InvalidArgumentError, Table } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { computeFeatures, FeatureSet, ZonedCalendar } from '../src/index.js';

const DAY = 86_400;
const HOUR = 3_600;

describe('ZonedCalendar', () => {
  it('reads seconds since an origin date (the handbook simulator), UTC', () => {
    // 2018-04-01, the simulator's default start, is a Sunday.
    const calendar = new ZonedCalendar('UTC', '2018-04-01');
    expect(calendar.dayOfWeek(0)).toBe(6);
    expect(calendar.dayOfWeek(DAY - 1)).toBe(6);
    expect(calendar.dayOfWeek(DAY)).toBe(0); // Mon 2018-04-02
    expect(calendar.dayOfWeek(6 * DAY)).toBe(5);
    expect(calendar.dayOfWeek(-1)).toBe(5); // Sat 2018-03-31 23:59:59
    expect(calendar.hour(7 * HOUR - 1)).toBe(6);
    expect(calendar.hour(7 * HOUR)).toBe(7);
    expect(calendar.hour(3 * DAY + 13 * HOUR + 0.5)).toBe(13);
    expect(calendar.hour(-1)).toBe(23);
    expect(calendar.epochSeconds(0)).toBe(Date.UTC(2018, 3, 1) / 1000);
  });

  it('reads epoch seconds in a time zone, across daylight-saving changes', () => {
    const ny = new ZonedCalendar('America/New_York', null);
    // 2024-03-10 06:59:59Z is 01:59:59 EST; a second later it is 03:00:00 EDT.
    const change = Date.UTC(2024, 2, 10, 7) / 1000;
    expect(ny.hour(change - 1)).toBe(1);
    expect(ny.hour(change)).toBe(3);
    expect(ny.dayOfWeek(change)).toBe(6); // a Sunday
    // Local midnight of Monday 2024-03-11 (EDT, 04:00Z) starts a weekday.
    const monday = Date.UTC(2024, 2, 11, 4) / 1000;
    expect([ny.dayOfWeek(monday - 1), ny.dayOfWeek(monday)]).toEqual([6, 0]);
    // Lord Howe Island moves its clocks by half an hour, at 15:30Z (not on a UTC hour).
    const lordHowe = new ZonedCalendar('Australia/Lord_Howe', null);
    const spring = Date.UTC(2024, 9, 5, 15, 30) / 1000; // 2:00 LHST → 2:30 LHDT
    expect(lordHowe.wallClock(spring - 1) - (spring - 1)).toBe(10.5 * HOUR);
    expect(lordHowe.wallClock(spring) - spring).toBe(11 * HOUR);
    // An origin date in a zone starts at that zone's midnight.
    const kolkata = new ZonedCalendar('Asia/Kolkata', '2024-01-01');
    expect(kolkata.epochSeconds(0)).toBe(Date.UTC(2023, 11, 31, 18, 30) / 1000);
    expect(kolkata.hour(0)).toBe(0);
  });

  it('refuses unknown zones and dates that do not exist', () => {
    expect(() => new ZonedCalendar('Mars/Olympus', null)).toThrow(InvalidArgumentError);
    for (const bad of ['2018-02-30', '2018-4-1', '01/04/2018']) {
      expect(() => new ZonedCalendar('UTC', bad)).toThrow(/YYYY-MM-DD/);
    }
  });
});

describe('calendar features', () => {
  it('hour, day of week, weekend and night in the spec time zone', () => {
    const features = new FeatureSet({
      version: 2,
      columns: { transactionId: 'id', time: 't', amount: 'amount' },
      timezone: 'America/New_York',
      features: [
        { kind: 'hour' },
        { kind: 'day-of-week' },
        { kind: 'weekend' },
        { kind: 'night' },
        { kind: 'night', lastHour: 0 },
      ],
    });
    expect(features.names).toEqual(['hour', 'day_of_week', 'weekend', 'night', 'night_until_0h']);
    // Friday 2024-03-08 23:30 EST, Saturday 00:30, Saturday 06:59:59, Sunday 07:00 EDT.
    const times = [
      Date.UTC(2024, 2, 9, 4, 30),
      Date.UTC(2024, 2, 9, 5, 30),
      Date.UTC(2024, 2, 9, 11, 59, 59),
      Date.UTC(2024, 2, 10, 11),
    ].map((ms) => ms / 1000);
    const table = new Table({
      id: ['a', 'b', 'c', 'd'],
      t: Float64Array.from(times),
      amount: new Float64Array(4),
    });
    const { values } = computeFeatures(table, features);
    expect(Array.from(values)).toEqual([
      ...[23, 4, 0, 0, 0],
      ...[0, 5, 1, 1, 1],
      ...[6, 5, 1, 1, 0],
      ...[7, 6, 1, 0, 0],
    ]);
  });
});
