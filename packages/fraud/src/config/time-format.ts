import { InvalidArgumentError, type TimeZone } from '@mlsd/core';
import { describeValue } from './describe-value.js';

/**
 * Epoch values at or above this are read as milliseconds (1e11 s is the year 5138; 1e11 ms is
 * 1973), so a value of the other unit is caught instead of landing in another millennium.
 */
const MILLIS_FROM = 1e11;

/** A pattern token and the text it matches. */
const TOKENS: readonly [string, string][] = [
  ['YYYY', '(\\d{4})'],
  ['SSS', '(\\d{1,9})'],
  ['MM', '(\\d{2})'],
  ['DD', '(\\d{2})'],
  ['HH', '(\\d{2})'],
  ['hh', '(\\d{2})'],
  ['mm', '(\\d{2})'],
  ['ss', '(\\d{2})'],
  ['M', '(\\d{1,2})'],
  ['D', '(\\d{1,2})'],
  ['H', '(\\d{1,2})'],
  ['h', '(\\d{1,2})'],
  ['A', '([AaPp][Mm])'],
  ['Z', '(Z|[+-]\\d{2}:?\\d{2})'],
];

type Field = 'year' | 'month' | 'day' | 'hour' | 'hour12' | 'minute' | 'second' | 'fraction';
const FIELD_OF: Readonly<Record<string, Field | 'ampm' | 'zone'>> = {
  YYYY: 'year',
  MM: 'month',
  M: 'month',
  DD: 'day',
  D: 'day',
  HH: 'hour',
  H: 'hour',
  hh: 'hour12',
  h: 'hour12',
  mm: 'minute',
  ss: 'second',
  SSS: 'fraction',
  A: 'ampm',
  Z: 'zone',
};

/** What a time parser extracts from one text, before the zone is applied. */
interface Parts {
  /** Wall-clock seconds read as UTC. */
  wall: number;
  /** Offset written in the text, seconds, or undefined when the text has none. */
  offset: number | undefined;
  /** A word for the text's shape, to detect a column mixing formats ("date-time with offset"). */
  shape: string;
}

/**
 * Reads the values of one time column as instants (seconds since the epoch, UTC), in one of the
 * config's formats: `iso`, `epoch-seconds`, `epoch-millis`, `seconds-since` (an origin date's
 * local midnight), or a pattern such as `YYYY-MM-DD HH:mm:ss` / `DD/MM/YYYY hh:mm A`. Text
 * without an offset is wall-clock time in `zone`. Values that do not parse, or whose shape
 * differs from the first accepted one (date-times with and without offsets, say), give NaN and
 * leave the reason in {@link TimeParser.problem}.
 */
export class TimeParser {
  /** The format, as the config names it. */
  readonly format: string;
  /** Why the last value that gave NaN was refused. */
  problem = '';
  readonly #zone: TimeZone;
  readonly #text: ((text: string) => Parts | undefined) | undefined;
  readonly #scale: number;
  readonly #origin: number;
  #shape: string | undefined;

  /**
   * @param origin - `YYYY-MM-DD`, for `seconds-since`.
   * @throws InvalidArgumentError for a pattern without year, month and day or with an unknown mix.
   */
  constructor(format: string, zone: TimeZone, origin?: string) {
    this.format = format;
    this.#zone = zone;
    this.#scale = 1;
    this.#origin = 0;
    switch (format) {
      case 'epoch-seconds':
        this.#text = undefined;
        break;
      case 'epoch-millis':
        this.#text = undefined;
        this.#scale = 1 / 1000;
        break;
      case 'seconds-since': {
        this.#text = undefined;
        const midnight = Date.parse(`${origin ?? ''}T00:00:00Z`) / 1000;
        if (!Number.isFinite(midnight)) {
          throw new InvalidArgumentError(
            `format "seconds-since" needs an origin date YYYY-MM-DD, got ${JSON.stringify(origin)}.`,
          );
        }
        this.#origin = zone.fromWallClock(midnight);
        break;
      }
      case 'iso':
        this.#text = parseIso;
        break;
      default:
        this.#text = compilePattern(format);
    }
  }

  /** Seconds since the epoch for a cell (text) or a JSON value; NaN when it cannot be read. */
  parse(value: unknown): number {
    const read = this.#text;
    if (read === undefined) return this.#parseNumber(value);
    if (typeof value !== 'string') {
      return this.#fail(
        `expected text in the format "${this.format}", found ${describeValue(value)}`,
      );
    }
    const parts = read(value.trim());
    if (parts === undefined) {
      return this.#fail(`${describeValue(value)} is not a time in the format "${this.format}"`);
    }
    if (this.#shape === undefined) this.#shape = parts.shape;
    else if (parts.shape !== this.#shape) {
      return this.#fail(
        `mixed time formats: ${describeValue(value)} is a ${parts.shape}, earlier values were a ${this.#shape}; write every value the same way`,
      );
    }
    return parts.offset === undefined
      ? this.#zone.fromWallClock(parts.wall)
      : parts.wall - parts.offset;
  }

  #parseNumber(value: unknown): number {
    let number: number;
    if (typeof value === 'number') number = value;
    else if (typeof value === 'string' && value.trim() !== '') number = Number(value);
    else return this.#fail(`expected a number (${this.format}), found ${describeValue(value)}`);
    if (!Number.isFinite(number)) {
      return this.#fail(`${describeValue(value)} is not a number (${this.format})`);
    }
    if (this.format === 'epoch-seconds' && Math.abs(number) >= MILLIS_FROM) {
      return this.#fail(
        `${describeValue(value)} looks like milliseconds, not seconds; use the format "epoch-millis"`,
      );
    }
    if (this.format === 'epoch-millis' && number !== 0 && Math.abs(number) < MILLIS_FROM) {
      return this.#fail(
        `${describeValue(value)} looks like seconds, not milliseconds; use the format "epoch-seconds"`,
      );
    }
    return this.#origin + number * this.#scale;
  }

  #fail(problem: string): number {
    this.problem = problem;
    return Number.NaN;
  }
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function parseIso(text: string): Parts | undefined {
  const match = ISO.exec(text);
  if (match === null) return undefined;
  const wall = wallSeconds(
    Number(match[1]),
    Number(match[2]),
    Number(match[3]),
    Number(match[4] ?? 0),
    Number(match[5] ?? 0),
    Number(match[6] ?? 0),
    match[7],
  );
  if (Number.isNaN(wall)) return undefined;
  const zone = match[8];
  const offset = zone === undefined ? undefined : offsetSeconds(zone);
  const shape = `${match[4] === undefined ? 'date' : 'date-time'} ${zone === undefined ? 'without offset' : 'with offset'}`;
  return { wall, offset, shape };
}

/** Turns a pattern into a function from text to wall-clock parts. */
function compilePattern(pattern: string): (text: string) => Parts | undefined {
  let regex = '^';
  const fields: (Field | 'ampm' | 'zone')[] = [];
  for (let i = 0; i < pattern.length; ) {
    const token = TOKENS.find(([name]) => pattern.startsWith(name, i));
    if (token === undefined) {
      regex += pattern[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i++;
      continue;
    }
    // Any run of S is a fraction; other tokens are matched as listed.
    let length = token[0].length;
    if (token[0] === 'SSS' || pattern[i] === 'S') {
      length = 0;
      while (pattern[i + length] === 'S') length++;
      regex += '(\\d{1,9})';
      fields.push('fraction');
    } else {
      regex += token[1];
      fields.push(FIELD_OF[token[0]]!);
    }
    i += length;
  }
  regex += '$';
  const has = (field: Field | 'ampm' | 'zone') => fields.includes(field);
  const missing = (['year', 'month', 'day'] as const).filter((field) => !has(field));
  if (missing.length > 0) {
    throw new InvalidArgumentError(
      `Time format "${pattern}" has no ${missing.join(', ')}; a pattern needs YYYY, MM (or M) and DD (or D), ` +
        'e.g. "YYYY-MM-DD HH:mm:ss", or use "iso", "epoch-seconds", "epoch-millis" or "seconds-since".',
      { format: pattern },
    );
  }
  if (has('hour12') !== has('ampm')) {
    throw new InvalidArgumentError(
      `Time format "${pattern}": a 12-hour clock (hh or h) goes with an AM/PM marker (A), and A with hh or h; use HH for a 24-hour clock.`,
      { format: pattern },
    );
  }
  if (has('hour') && has('hour12')) {
    throw new InvalidArgumentError(
      `Time format "${pattern}" has both a 24-hour (HH) and a 12-hour (hh) clock; keep one.`,
      { format: pattern },
    );
  }
  const compiled = new RegExp(regex);
  const shape = `text like "${pattern}"`;
  return (text) => {
    const match = compiled.exec(text);
    if (match === null) return undefined;
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let fraction: string | undefined;
    let pm: boolean | undefined;
    let offset: number | undefined;
    for (let f = 0; f < fields.length; f++) {
      const value = match[f + 1]!;
      switch (fields[f]) {
        case 'year':
          year = Number(value);
          break;
        case 'month':
          month = Number(value);
          break;
        case 'day':
          day = Number(value);
          break;
        case 'hour':
          hour = Number(value);
          break;
        case 'hour12':
          hour = Number(value);
          if (hour < 1 || hour > 12) return undefined;
          break;
        case 'minute':
          minute = Number(value);
          break;
        case 'second':
          second = Number(value);
          break;
        case 'fraction':
          fraction = value;
          break;
        case 'ampm':
          pm = value.toLowerCase() === 'pm';
          break;
        case 'zone':
          offset = offsetSeconds(value);
          break;
        default:
          break;
      }
    }
    if (pm !== undefined) hour = (hour % 12) + (pm ? 12 : 0);
    const wall = wallSeconds(year, month, day, hour, minute, second, fraction);
    return Number.isNaN(wall) ? undefined : { wall, offset, shape };
  };
}

/** Seconds read as UTC for a calendar date and time, or NaN for one that does not exist. */
function wallSeconds(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction: string | undefined,
): number {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return Number.NaN;
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 2018-02-30 over to March; such dates do not exist.
  if (new Date(ms).getUTCDate() !== day) return Number.NaN;
  return ms / 1000 + (fraction === undefined ? 0 : Number(`0.${fraction}`));
}

function offsetSeconds(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2) || '0') * 60);
}

/**
 * Writes an instant back as the config's format reads it (the inverse of {@link TimeParser}):
 * a number for the epoch formats and `seconds-since`, else wall-clock text in `zone` (ISO
 * without an offset, or the pattern's tokens filled in). For example requests and forms.
 */
export function formatTime(
  seconds: number,
  format: string,
  zone: TimeZone,
  origin?: string,
): string | number {
  switch (format) {
    case 'epoch-seconds':
      return seconds;
    case 'epoch-millis':
      return Math.round(seconds * 1000);
    case 'seconds-since':
      return seconds - zone.fromWallClock(Date.parse(`${origin ?? ''}T00:00:00Z`) / 1000);
    default:
      break;
  }
  // A pattern with an offset token is written in UTC with `Z`: the text then names the instant.
  const wall = format.includes('Z') ? seconds : zone.toWallClock(seconds);
  const date = new Date(Math.floor(wall) * 1000);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const fraction = wall - Math.floor(wall);
  if (format === 'iso') {
    const text = date.toISOString().slice(0, 19);
    return fraction === 0 ? text : `${text}.${pad(Math.round(fraction * 1000), 3)}`;
  }
  const hours = date.getUTCHours();
  const values: Record<string, string> = {
    YYYY: pad(date.getUTCFullYear(), 4),
    MM: pad(date.getUTCMonth() + 1),
    M: String(date.getUTCMonth() + 1),
    DD: pad(date.getUTCDate()),
    D: String(date.getUTCDate()),
    HH: pad(hours),
    H: String(hours),
    hh: pad(((hours + 11) % 12) + 1),
    h: String(((hours + 11) % 12) + 1),
    mm: pad(date.getUTCMinutes()),
    ss: pad(date.getUTCSeconds()),
    A: hours < 12 ? 'AM' : 'PM',
    Z: 'Z',
  };
  let out = '';
  for (let i = 0; i < format.length; ) {
    if (format[i] === 'S') {
      let length = 0;
      while (format[i + length] === 'S') length++;
      out += pad(Math.round(fraction * 10 ** length), length);
      i += length;
      continue;
    }
    const token = TOKENS.find(([name]) => format.startsWith(name, i));
    if (token === undefined) {
      out += format[i];
      i++;
    } else {
      out += values[token[0]];
      i += token[0].length;
    }
  }
  return out;
}
