import { CategoryColumn, type Column, isNumericColumn, type Table } from '@mlsd/core';
import type { FeatureSet } from '../../src/index.js';

const DAY = 86_400;

/**
 * Every feature of `features` for every row of a time-sorted table, computed the slow, obvious
 * way straight from the definitions in the README: for each row, look at every row of the same
 * key before it. Quadratic; a test oracle written independently of the engine (no accumulators,
 * no windows, exact sums with BigInt, local time from `Intl` per row).
 */
export function oracleFeatures(table: Table, features: FeatureSet): Float64Array {
  const spec = features.spec;
  const names = features.names;
  const n = table.length;
  const width = names.length;
  const out = new Float64Array(n * width);
  const time = numbers(table.column(spec.columns.time));
  const label =
    spec.columns.label !== null && table.has(spec.columns.label)
      ? numbers(table.column(spec.columns.label))
      : new Float64Array(n);
  const labelTime =
    spec.columns.labelTime !== null && table.has(spec.columns.labelTime)
      ? numbers(table.column(spec.columns.labelTime)).map((v) =>
          Number.isNaN(v) ? Number.POSITIVE_INFINITY : v,
        )
      : new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const origin =
    spec.timeOrigin === null ? 0 : epochOfLocalMidnight(spec.timeOrigin, spec.timezone);
  const local = new Intl.DateTimeFormat('en-US', {
    timeZone: spec.timezone,
    hourCycle: 'h23',
    hour: 'numeric',
    weekday: 'short',
  });
  const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const scaleOf = (column: string) => 10 ** (spec.precision[column] ?? 2);
  const fixed = (column: string, i: number) =>
    BigInt(Math.round(numbers(table.column(column))[i]! * scaleOf(column)));
  const category = (column: string, i: number): string | null => text(table.column(column), i);
  const keyOf = (columns: readonly string[], i: number): string | null => {
    const parts = columns.map((column) => category(column, i));
    return parts.some((part) => part === null) ? null : parts.join('\u001f');
  };

  let output = 0;
  for (const definition of spec.features) {
    const at = output;
    const width1 =
      definition.kind === 'one-hot'
        ? names.filter((name) => name.startsWith(`${definition.name}=`)).length
        : 1;
    output += width1;
    for (let i = 0; i < n; i++) {
      const t = time[i]!;
      const cell = (value: number, k = 0) => {
        out[i * width + at + k] = value;
      };
      const parts = () => {
        const date = new Date((origin + t) * 1000);
        const fields = Object.fromEntries(local.formatToParts(date).map((p) => [p.type, p.value]));
        return { hour: Number(fields.hour), day: WEEKDAYS.indexOf(fields.weekday!) };
      };
      switch (definition.kind) {
        case 'numeric': {
          const value = numbers(table.column(definition.column))[i]!;
          cell(Number.isNaN(value) ? definition.fill : value);
          break;
        }
        case 'hour':
          cell(parts().hour);
          break;
        case 'day-of-week':
          cell(parts().day);
          break;
        case 'weekend':
          cell(parts().day >= 5 ? 1 : 0);
          break;
        case 'night':
          cell(parts().hour <= definition.lastHour ? 1 : 0);
          break;
        case 'frequency': {
          const learned = spec.fitted!.features[definition.name] as {
            frequency: Record<string, number>;
          };
          const value = category(definition.column, i);
          cell(value === null ? 0 : (learned.frequency[value] ?? 0));
          break;
        }
        case 'one-hot': {
          const learned = spec.fitted!.features[definition.name] as { categories: string[] };
          const value = category(definition.column, i);
          if (value === null) break;
          const k = learned.categories.indexOf(value);
          cell(1, k < 0 ? learned.categories.length : k);
          break;
        }
        case 'geo-distance': {
          const [a, b, c, d] = [...definition.from, ...definition.to].map(
            (column) => numbers(table.column(column))[i]! * (Math.PI / 180),
          );
          const h =
            Math.sin((c! - a!) / 2) ** 2 +
            Math.cos(a!) * Math.cos(c!) * Math.sin((d! - b!) / 2) ** 2;
          const km = 2 * 6_371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
          cell(Number.isNaN(km) ? 0 : km);
          break;
        }
        default: {
          const columns =
            definition.kind === 'target-encoding'
              ? [definition.column]
              : spec.entities.find((entity) => entity.name === definition.entity)!.columns;
          const key = keyOf(columns, i);
          const earlier = (include: (j: number) => boolean): number[] => {
            if (key === null) return [];
            const rows: number[] = [];
            for (let j = 0; j <= i; j++) if (keyOf(columns, j) === key && include(j)) rows.push(j);
            return rows;
          };
          switch (definition.kind) {
            case 'window': {
              const upper = t - definition.delayDays * DAY;
              const rows = earlier(
                (j) => time[j]! <= upper && time[j]! > upper - definition.windowDays * DAY,
              );
              const scale = scaleOf(definition.of);
              const values = rows.map((j) => fixed(definition.of, j));
              const sum = values.reduce((a, b) => a + b, 0n);
              switch (definition.aggregate) {
                case 'count':
                  cell(rows.length);
                  break;
                case 'sum':
                  cell(Number(sum) / scale);
                  break;
                case 'mean':
                  cell(rows.length === 0 ? 0 : Number(sum) / (rows.length * scale));
                  break;
                case 'std':
                  cell(populationStd(values) / scale);
                  break;
                case 'min':
                case 'max': {
                  if (values.length === 0) break;
                  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
                  const pick = definition.aggregate === 'min' ? sorted[0]! : sorted.at(-1)!;
                  cell(Number(pick) / scale);
                  break;
                }
              }
              break;
            }
            case 'distinct': {
              const upper = t - definition.delayDays * DAY;
              const rows = earlier(
                (j) => time[j]! <= upper && time[j]! > upper - definition.windowDays * DAY,
              );
              const values = new Set(
                rows.map((j) => category(definition.of, j)).filter((v) => v !== null),
              );
              cell(values.size);
              break;
            }
            case 'time-since-previous': {
              const rows = earlier((j) => j < i);
              const cap = definition.capDays * DAY;
              const last = rows.at(-1);
              cell(last === undefined ? cap : Math.min(cap, t - time[last]!));
              break;
            }
            case 'amount-relative': {
              const rows = earlier((j) => j < i && time[j]! > t - definition.windowDays * DAY);
              const values = rows.map((j) => fixed(definition.of, j));
              const sum = values.reduce((a, b) => a + b, 0n);
              const self = Number(fixed(definition.of, i));
              if (definition.relative === 'ratio-to-mean') {
                cell(rows.length > 0 && sum !== 0n ? (self * rows.length) / Number(sum) : 1);
              } else {
                const std = populationStd(values);
                cell(rows.length >= 2 && std > 0 ? (self - Number(sum) / rows.length) / std : 0);
              }
              break;
            }
            case 'risk':
            case 'target-encoding': {
              const upper = t - definition.delayDays * DAY;
              const rows = earlier(
                (j) => j < i && time[j]! <= upper && time[j]! > upper - definition.windowDays * DAY,
              );
              const frauds = rows.filter((j) => label[j] === 1 && labelTime[j]! <= t).length;
              const m = definition.smoothing;
              const prior = m === 0 ? 0 : m * spec.fitted!.fraudRate!;
              cell(rows.length + m === 0 ? 0 : (frauds + prior) / (rows.length + m));
              break;
            }
          }
        }
      }
    }
  }
  return out;
}

function populationStd(values: readonly bigint[]): number {
  const n = BigInt(values.length);
  if (values.length < 2) return 0;
  const sum = values.reduce((a, b) => a + b, 0n);
  const squares = values.reduce((a, b) => a + b * b, 0n);
  return Math.sqrt(Number(n * squares - sum * sum)) / values.length;
}

function numbers(column: Column): Float64Array {
  if (!isNumericColumn(column)) throw new Error('oracle: expected a numeric column');
  return Float64Array.from(column);
}

function text(column: Column, i: number): string | null {
  if (column instanceof CategoryColumn) {
    const value = column.get(i);
    return value === undefined || value === '' ? null : value;
  }
  if (isNumericColumn(column)) {
    const value = column[i]!;
    return Number.isFinite(value) ? String(value) : null;
  }
  const value = column[i];
  return value === undefined || value === '' ? null : value;
}

function epochOfLocalMidnight(date: string, timezone: string): number {
  const utc = Date.parse(`${date}T00:00:00Z`) / 1000;
  // Try the offsets around: the one whose local reading is midnight of that date.
  for (let offset = -14 * 3600; offset <= 14 * 3600; offset += 900) {
    const candidate = utc - offset;
    const shown = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).format(new Date(candidate * 1000));
    if (shown.startsWith(date) && shown.endsWith('00:00')) return candidate;
  }
  throw new Error(`oracle: no local midnight for ${date} in ${timezone}`);
}
