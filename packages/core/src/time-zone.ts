import { InvalidArgumentError } from './errors.js';

/**
 * Offsets are looked up once per quarter hour of UTC time: every offset in the IANA database
 * since 1970 is a multiple of 15 minutes and every transition falls on a quarter hour, so the
 * offset is constant inside a bucket.
 */
const BUCKET_SECONDS = 900;
/** Offset transitions are weeks apart; a day on either side reaches the offsets around one. */
const DAY = 86_400;
const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/Universal', 'Etc/Zulu']);

/**
 * An IANA time zone for converting between instants (seconds since the Unix epoch, UTC) and
 * wall-clock times written as "seconds read as UTC" (the way @mlsd/ingest stores a local
 * date-time). `Intl` is asked once per quarter hour of time touched, so converting a
 * time-sorted column costs a map lookup per value.
 */
export class TimeZone {
  /** The zone's IANA name ("America/New_York", "UTC"). */
  readonly name: string;
  readonly #format: Intl.DateTimeFormat | undefined;
  readonly #offsets = new Map<number, number>();

  private constructor(name: string, format: Intl.DateTimeFormat | undefined) {
    this.name = name;
    this.#format = format;
  }

  /**
   * The zone called `name`.
   * @throws InvalidArgumentError when the runtime does not know the name, with examples.
   */
  static of(name: string): TimeZone {
    if (UTC_NAMES.has(name)) return new TimeZone(name, undefined);
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new InvalidArgumentError(
        `Unknown time zone "${name}"; use an IANA name such as "UTC", "Europe/Paris" or "America/New_York".`,
        { timeZone: name },
      );
    }
    return new TimeZone(format.resolvedOptions().timeZone, format);
  }

  /** True for UTC itself (no conversion ever changes a value). */
  get isUtc(): boolean {
    return this.#format === undefined;
  }

  /** Seconds to add to UTC to get the wall clock at instant `epochSeconds` (−18,000 in New York winter). */
  offsetSeconds(epochSeconds: number): number {
    const format = this.#format;
    if (format === undefined) return 0;
    const bucket = Math.floor(epochSeconds / BUCKET_SECONDS);
    let offset = this.#offsets.get(bucket);
    if (offset === undefined) {
      offset = computeOffset(format, bucket * BUCKET_SECONDS);
      this.#offsets.set(bucket, offset);
    }
    return offset;
  }

  /** The wall-clock time at instant `epochSeconds`, as seconds read as UTC. */
  toWallClock(epochSeconds: number): number {
    return epochSeconds + this.offsetSeconds(epochSeconds);
  }

  /**
   * The instant a wall-clock time names. A time skipped by a clock change (02:30 on the spring
   * transition) is read with the offset before it, so it lands after the change (03:30); a time
   * that happens twice (autumn) is the first of the two. These are the choices of JavaScript's
   * `Temporal` ("compatible") and of most databases.
   */
  fromWallClock(wallSeconds: number): number {
    if (this.#format === undefined) return wallSeconds;
    const before = this.offsetSeconds(wallSeconds - DAY);
    const after = this.offsetSeconds(wallSeconds + DAY);
    const early = wallSeconds - before;
    if (before === after) return early;
    const earlyValid = this.offsetSeconds(early) === before;
    const late = wallSeconds - after;
    const lateValid = this.offsetSeconds(late) === after;
    if (earlyValid && lateValid) return Math.min(early, late);
    if (earlyValid) return early;
    if (lateValid) return late;
    return early;
  }
}

function computeOffset(format: Intl.DateTimeFormat, epochSeconds: number): number {
  const parts = format.formatToParts(new Date(epochSeconds * 1000));
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of parts) {
    const value = Number(part.value);
    switch (part.type) {
      case 'year':
        year = value;
        break;
      case 'month':
        month = value;
        break;
      case 'day':
        day = value;
        break;
      case 'hour':
        hour = value;
        break;
      case 'minute':
        minute = value;
        break;
      case 'second':
        second = value;
        break;
      default:
        break;
    }
  }
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime() / 1000 - epochSeconds;
}
