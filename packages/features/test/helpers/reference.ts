import type { Table } from '@mlsd/core';

const DAY = 86_400;

/**
 * The handbook's features computed the slow, obvious way, straight from the definition: for
 * each row, look at every earlier row (and itself). Quadratic; a test oracle for small tables.
 */
export function referenceFeatures(
  table: Table,
  windowsDays: readonly number[] = [1, 7, 30],
  delayDays = 7,
): Float64Array[] {
  const t = table.numeric('TX_TIME_SECONDS');
  const customer = table.numeric('CUSTOMER_ID');
  const terminal = table.numeric('TERMINAL_ID');
  const amount = table.numeric('TX_AMOUNT');
  const fraud = table.numeric('TX_FRAUD');
  const rows: Float64Array[] = [];
  for (let i = 0; i < table.length; i++) {
    const values: number[] = [amount[i]!];
    const day = Math.floor(t[i]! / DAY);
    const weekday = (day + 6) % 7; // 2018-04-01 is a Sunday; Monday = 0
    values.push(weekday >= 5 ? 1 : 0);
    values.push(Math.floor((t[i]! - day * DAY) / 3600) <= 6 ? 1 : 0);
    for (const w of windowsDays) {
      let count = 0;
      let sum = 0;
      for (let j = 0; j <= i; j++) {
        if (customer[j] === customer[i] && t[j]! > t[i]! - w * DAY && t[j]! <= t[i]!) {
          count++;
          sum += amount[j]!;
        }
      }
      values.push(count, count > 0 ? sum / count : 0);
    }
    for (const w of windowsDays) {
      let count = 0;
      let frauds = 0;
      const upper = t[i]! - delayDays * DAY;
      for (let j = 0; j <= i; j++) {
        if (terminal[j] === terminal[i] && t[j]! > upper - w * DAY && t[j]! <= upper) {
          count++;
          frauds += fraud[j]!;
        }
      }
      values.push(count, count > 0 ? frauds / count : 0);
    }
    rows.push(Float64Array.from(values));
  }
  return rows;
}
