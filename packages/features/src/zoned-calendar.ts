import { InvalidArgumentError, TimeZone } from '@mlsd/core';

/** Seconds in one day. */
export const SECONDS_PER_DAY = 86_400;
const SECONDS_PER_HOUR = 3_600;
/** Quarter hours: the granularity of every UTC offset and offset change (see TimeZone). */
const BUCKET_SECONDS = 900;

/**
 * Reads the local hour and day of the week of event times in an IANA time zone. Times are
 * epoch seconds, or, with an origin date, seconds since that date's local midnight (the
 * handbook simulator's TX_TIME_SECONDS). The zone's offset is looked up once per quarter hour
 * and the last one is kept, so a time-sorted column costs a comparison per row.
 */
export class ZonedCalendar {
  /** The IANA zone name. */
  readonly timezone: string;
  /** `YYYY-MM-DD` whose local midnight is time 0, or null for epoch seconds. */
  readonly origin: string | null;
  readonly #zone: TimeZone;
  /** Epoch seconds of time 0. */
  readonly #originEpoch: number;
  #bucket = Number.NaN;
  #offset = 0;

  /** @throws InvalidArgumentError for an unknown zone or a date that does not exist. */
  constructor(timezone: string, origin: string | null) {
    this.timezone = timezone;
    this.origin = origin;
    this.#zone = TimeZone.of(timezone);
    this.#originEpoch = origin === null ? 0 : this.#zone.fromWallClock(parseDate(origin));
  }

  /** Epoch seconds (UTC) of event time `time`. */
  epochSeconds(time: number): number {
    return this.#originEpoch + time;
  }

  /** Local wall-clock time of `time`, as seconds read as UTC. */
  wallClock(time: number): number {
    const epoch = this.#originEpoch + time;
    const bucket = Math.floor(epoch / BUCKET_SECONDS);
    if (bucket !== this.#bucket) {
      this.#offset = this.#zone.offsetSeconds(epoch);
      this.#bucket = bucket;
    }
    return epoch + this.#offset;
  }

  /** Local hour of the day, 0–23. */
  hour(time: number): number {
    const wall = this.wallClock(time);
    return Math.floor(
      (wall - Math.floor(wall / SECONDS_PER_DAY) * SECONDS_PER_DAY) / SECONDS_PER_HOUR,
    );
  }

  /** Local day of the week, Monday = 0 … Sunday = 6 (as pandas' `weekday`). */
  dayOfWeek(time: number): number {
    const day = Math.floor(this.wallClock(time) / SECONDS_PER_DAY);
    // 1970-01-01 was a Thursday (3).
    return (((day + 3) % 7) + 7) % 7;
  }
}

function parseDate(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const date = match
    ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
    : undefined;
  // Date.UTC rolls 2018-02-30 over into March; a real date reads back unchanged.
  if (date === undefined || date.toISOString().slice(0, 10) !== text) {
    throw new InvalidArgumentError(
      `FeatureSpec: timeOrigin must be a date written YYYY-MM-DD (such as '2018-04-01'), got ${JSON.stringify(text)}.`,
      { timeOrigin: text },
    );
  }
  return date.getTime() / 1000;
}
