import { TimeZone } from '@mlsd/core';
import type { TimeColumn } from '../config/fraud-config-schema.js';
import { TimeParser } from '../config/time-format.js';
import type { ColumnProfile } from './column-profile.js';

/** Values tried per candidate format (the sample's first rows). */
const CHECKED = 2_000;
/** Rows compared when inferring a zone from a wall-clock and an epoch column. */
const ZONE_ROWS = 500;

/** Text date-time patterns tried, after ISO 8601; day-first before month-first is decided by the data. */
const DATETIME_PATTERNS = [
  'YYYY/MM/DD HH:mm:ss',
  'YYYY/MM/DD HH:mm',
  'MM/DD/YYYY HH:mm:ss',
  'DD/MM/YYYY HH:mm:ss',
  'MM/DD/YYYY HH:mm',
  'DD/MM/YYYY HH:mm',
  'M/D/YYYY H:mm:ss',
  'D/M/YYYY H:mm:ss',
  'M/D/YYYY H:mm',
  'D/M/YYYY H:mm',
  'MM/DD/YYYY hh:mm:ss A',
  'MM/DD/YYYY hh:mm A',
  'DD.MM.YYYY HH:mm:ss',
  'DD.MM.YYYY HH:mm',
  'DD-MM-YYYY HH:mm:ss',
];
const DATE_PATTERNS = [
  'YYYY/MM/DD',
  'MM/DD/YYYY',
  'DD/MM/YYYY',
  'M/D/YYYY',
  'D/M/YYYY',
  'DD.MM.YYYY',
];
const TIME_OF_DAY = /^\d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;
const TIME_NAME = /time|date|timestamp|^ts$|_ts$|^ts_|datetime|epoch|unix|created|when/i;
/** Zones preferred when several fit the data's offsets (by population of the region they name). */
const PREFERRED_ZONES = [
  'UTC',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Phoenix',
  'America/Anchorage',
  'Pacific/Honolulu',
  'America/Sao_Paulo',
  'America/Mexico_City',
  'America/Toronto',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Madrid',
  'Europe/Moscow',
  'Africa/Lagos',
  'Africa/Johannesburg',
  'Asia/Kolkata',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Asia/Singapore',
  'Asia/Dubai',
  'Australia/Sydney',
];

/** A way to read the event time, found in a sample. */
export interface TimeCandidate {
  time: TimeColumn;
  /** The raw columns it reads. */
  columns: string[];
  kind: 'text' | 'epoch';
  /** What it is, for the explanation. */
  description: string;
}

/** The time column(s) and zone chosen for a sample, with what was left out and why. */
export interface TimeInference {
  time: TimeColumn;
  timezone: string;
  /** Columns read for the time. */
  columns: string[];
  /** Other time columns, left out. */
  redundant: string[];
  notes: string[];
}

/**
 * Finds how a sample writes its event time: text date-times (ISO 8601 or a common pattern), a
 * date column beside a time-of-day column, or epoch seconds / milliseconds. When a wall-clock
 * text column and an epoch column name the same instants, the epoch column is the time (exact
 * instants) and the zone is the one whose offsets turn one into the other; otherwise text is read
 * as UTC and the notes say to set the zone.
 * @returns undefined when nothing in the sample reads as a time.
 */
export function inferTime(
  profiles: readonly ColumnProfile[],
  rows: readonly (readonly string[])[],
): TimeInference | undefined {
  const sample = rows.slice(0, CHECKED);
  const texts = findTextTimes(profiles, sample);
  const epochs = findEpochTimes(profiles);
  const notes: string[] = [];
  const text = texts[0];
  const epoch = epochs[0];
  if (text !== undefined && epoch !== undefined) {
    const zone = zoneOf(text, epoch, profiles, rows.slice(0, ZONE_ROWS));
    if (zone !== undefined) {
      notes.push(
        `time: ${epoch.description} — exact instants; ${text.description} holds the same instants as wall-clock time in ${zone.name}${zone.alternatives > 0 ? ` (${zone.alternatives} other zones fit the sample too, e.g. ${zone.example}; set columns.timezone if it is one of them)` : ''}, so it is left out and the timezone is ${zone.name}.`,
      );
      return {
        time: epoch.time,
        timezone: zone.name,
        columns: epoch.columns,
        redundant: text.columns,
        notes,
      };
    }
    notes.push(
      `time: ${text.description}, read as UTC: ${epoch.description} does not name the same instants in any time zone, so it is left out. Set columns.timezone to the zone the text is written in.`,
    );
    return {
      time: text.time,
      timezone: 'UTC',
      columns: text.columns,
      redundant: epoch.columns,
      notes,
    };
  }
  if (text !== undefined) {
    notes.push(
      `time: ${text.description}; wall-clock text without a zone is read as UTC — set columns.timezone to the zone the log is written in (hour of day and day of week are computed there).`,
    );
    return { time: text.time, timezone: 'UTC', columns: text.columns, redundant: [], notes };
  }
  if (epoch !== undefined) {
    notes.push(
      `time: ${epoch.description}; hour of day and day of week are computed in UTC — set columns.timezone to the zone of the cardholders.`,
    );
    return { time: epoch.time, timezone: 'UTC', columns: epoch.columns, redundant: [], notes };
  }
  return undefined;
}

function findTextTimes(
  profiles: readonly ColumnProfile[],
  sample: readonly (readonly string[])[],
): TimeCandidate[] {
  const found: TimeCandidate[] = [];
  const dateOnly: { profile: ColumnProfile; format: string }[] = [];
  const clocks: ColumnProfile[] = [];
  for (const profile of profiles) {
    if (profile.numeric || profile.present === 0) continue;
    const values = sample.map((row) => (row[profile.index] ?? '').trim()).filter((v) => v !== '');
    if (values.every((value) => TIME_OF_DAY.test(value))) {
      clocks.push(profile);
      continue;
    }
    const format = firstFormat(values, ['iso', ...DATETIME_PATTERNS]);
    if (format === undefined) {
      const dateFormat = firstFormat(values, DATE_PATTERNS);
      if (dateFormat !== undefined) dateOnly.push({ profile, format: dateFormat });
      continue;
    }
    if (format === 'iso' && !/\d[T ]\d/.test(values[0] ?? '')) {
      dateOnly.push({ profile, format: 'iso' });
      continue;
    }
    found.push({
      time: { column: profile.name, format },
      columns: [profile.name],
      kind: 'text',
      description: `${profile.name} (${format === 'iso' ? 'ISO 8601 date-times' : `text like "${format}"`}, e.g. '${profile.examples[0]}')`,
    });
  }
  const date = dateOnly.find((candidate) => TIME_NAME.test(candidate.profile.name)) ?? dateOnly[0];
  const clock = clocks.find((profile) => TIME_NAME.test(profile.name)) ?? clocks[0];
  if (found.length === 0 && date !== undefined && clock !== undefined) {
    const format = pairFormat(date.format, clock.examples[0] ?? '');
    const joined = sample.map(
      (row) => `${(row[date.profile.index] ?? '').trim()} ${(row[clock.index] ?? '').trim()}`,
    );
    if (firstFormat(joined, [format]) !== undefined) {
      found.push({
        time: { date: date.profile.name, time: clock.name, format },
        columns: [date.profile.name, clock.name],
        kind: 'text',
        description: `${date.profile.name} + ${clock.name} (a date column and a time-of-day column, e.g. '${joined[0]}' as "${format}")`,
      });
    }
  }
  return found.sort(
    (a, b) => Number(TIME_NAME.test(b.columns[0]!)) - Number(TIME_NAME.test(a.columns[0]!)),
  );
}

/** The pattern of a date column's format joined by a space to a time of day like `example`. */
function pairFormat(dateFormat: string, example: string): string {
  const [hours = '', , seconds] = example.split(':');
  const clock = `${hours.length === 1 ? 'H' : 'HH'}:mm${seconds === undefined ? '' : seconds.includes('.') ? ':ss.SSS' : ':ss'}`;
  return `${dateFormat === 'iso' ? 'YYYY-MM-DD' : dateFormat} ${clock}`;
}

/** The first format that reads every value (day-first and month-first are tried in order). */
function firstFormat(values: readonly string[], formats: readonly string[]): string | undefined {
  if (values.length === 0) return undefined;
  for (const format of formats) {
    const parser = new TimeParser(format, TimeZone.of('UTC'));
    if (values.every((value) => !Number.isNaN(parser.parse(value)))) return format;
  }
  return undefined;
}

function findEpochTimes(profiles: readonly ColumnProfile[]): TimeCandidate[] {
  const found: TimeCandidate[] = [];
  for (const profile of profiles) {
    if (!profile.numeric || profile.present === 0) continue;
    const named = TIME_NAME.test(profile.name);
    if (!named && !profile.nonDecreasing) continue;
    let format: 'epoch-seconds' | 'epoch-millis' | undefined;
    if (profile.min >= 1e8 && profile.max < 1e11) format = 'epoch-seconds';
    else if (profile.min >= 1e11 && profile.max < 1e14) format = 'epoch-millis';
    if (format === undefined) continue;
    found.push({
      time: { column: profile.name, format },
      columns: [profile.name],
      kind: 'epoch',
      description: `${profile.name} (${format === 'epoch-seconds' ? 'seconds' : 'milliseconds'} since 1970-01-01 UTC)`,
    });
  }
  return found;
}

/** The zone in which the text times are the epoch column's instants, if one fits every sampled row. */
function zoneOf(
  text: TimeCandidate,
  epoch: TimeCandidate,
  profiles: readonly ColumnProfile[],
  rows: readonly (readonly string[])[],
): { name: string; alternatives: number; example: string } | undefined {
  const index = (name: string) => profiles.find((profile) => profile.name === name)!.index;
  const wallParser = new TimeParser(text.time.format, TimeZone.of('UTC'));
  const epochParser = new TimeParser(epoch.time.format, TimeZone.of('UTC'));
  const instants: number[] = [];
  const offsets: number[] = [];
  for (const row of rows) {
    const wallText =
      text.time.column !== undefined
        ? row[index(text.time.column)]
        : `${row[index(text.time.date!)]} ${row[index(text.time.time!)]}`;
    const wall = wallParser.parse(wallText ?? '');
    const instant = epochParser.parse(row[index(epoch.time.column!)] ?? '');
    if (Number.isNaN(wall) || Number.isNaN(instant)) continue;
    instants.push(instant);
    offsets.push(Math.round(wall - instant));
  }
  if (instants.length === 0) return undefined;
  const fits = (name: string): boolean => {
    const zone = TimeZone.of(name);
    return instants.every((instant, i) => zone.offsetSeconds(instant) === offsets[i]);
  };
  const preferred = PREFERRED_ZONES.filter(fits);
  const others = Intl.supportedValuesOf('timeZone').filter(
    (name) => !preferred.includes(name) && fits(name),
  );
  const name = preferred[0] ?? others[0];
  if (name === undefined) return undefined;
  const rest = [...preferred.slice(1), ...(preferred.length > 0 ? others : others.slice(1))];
  return { name, alternatives: rest.length, example: rest[0] ?? '' };
}
