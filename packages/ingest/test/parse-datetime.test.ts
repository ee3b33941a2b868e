import { describe, expect, it } from 'vitest';
import { parseDateTimeSeconds } from '../src/parse-datetime.js';

describe('parseDateTimeSeconds', () => {
  it('reads the simulator format and ISO variants as UTC unless an offset is given', () => {
    expect(parseDateTimeSeconds('2018-04-01 07:19:05')).toBe(Date.UTC(2018, 3, 1, 7, 19, 5) / 1000);
    expect(parseDateTimeSeconds('2018-04-01T07:19:05.5Z')).toBe(
      Date.UTC(2018, 3, 1, 7, 19, 5) / 1000 + 0.5,
    );
    expect(parseDateTimeSeconds('2018-04-01')).toBe(Date.UTC(2018, 3, 1) / 1000);
    expect(parseDateTimeSeconds('2018-04-01 07:19:05+02:00')).toBe(
      Date.UTC(2018, 3, 1, 5, 19, 5) / 1000,
    );
    expect(parseDateTimeSeconds('2018-04-01 07:19:05-0130')).toBe(
      Date.UTC(2018, 3, 1, 8, 49, 5) / 1000,
    );
  });

  it('rejects impossible or malformed dates', () => {
    for (const text of [
      '2018-02-30',
      '2018-13-01 00:00:00',
      '2018-04-01 24:00:00',
      'yesterday',
      '01/04/2018',
      '',
    ]) {
      expect(parseDateTimeSeconds(text)).toBeNaN();
    }
  });
});
