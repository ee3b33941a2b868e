import { InvalidArgumentError } from '@mlsd/core';

/** Seconds in one day. */
export const SECONDS_PER_DAY = 86_400;

const SECONDS_PER_HOUR = 3_600;
const ORIGIN_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Wall-clock reading of times given as seconds since midnight of an origin date, in the data's
 * own local time. There are no time zones and no daylight-saving jumps: every day has 86,400
 * seconds, as in the transaction simulator (TX_TIME_SECONDS counts from midnight of its start
 * date). Epoch seconds are the case `origin = '1970-01-01'`.
 */
export class Calendar {
  /** The origin date, `YYYY-MM-DD`; second 0 is its midnight. */
  readonly origin: string;
  /** Weekday of the origin, Monday = 0 … Sunday = 6. */
  readonly #originWeekday: number;

  /** @throws InvalidArgumentError when `origin` is not a real `YYYY-MM-DD` date. */
  constructor(origin: string) {
    const match = ORIGIN_PATTERN.exec(origin);
    const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [];
    const date =
      year === undefined ? undefined : new Date(Date.UTC(year, (month ?? 1) - 1, day ?? 1));
    // Date.UTC rolls 2018-02-30 over into March; a real date reads back unchanged.
    if (date === undefined || date.toISOString().slice(0, 10) !== origin) {
      throw new InvalidArgumentError(
        `Calendar: origin must be a date written YYYY-MM-DD (such as '2018-04-01'), got ${JSON.stringify(origin)}.`,
        { origin },
      );
    }
    this.origin = origin;
    // getUTCDay counts from Sunday = 0; shift so that Monday = 0 as pandas' weekday() does.
    this.#originWeekday = (date.getUTCDay() + 6) % 7;
  }

  /** Day of the week of `seconds` (since the origin's midnight): Monday = 0 … Sunday = 6. */
  weekday(seconds: number): number {
    const day = Math.floor(seconds / SECONDS_PER_DAY);
    return (((this.#originWeekday + day) % 7) + 7) % 7;
  }

  /** Hour of the day of `seconds` (since the origin's midnight), 0–23. */
  hour(seconds: number): number {
    const secondOfDay = seconds - Math.floor(seconds / SECONDS_PER_DAY) * SECONDS_PER_DAY;
    return Math.floor(secondOfDay / SECONDS_PER_HOUR);
  }
}
