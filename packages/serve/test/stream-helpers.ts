import type { Table } from '@mlsd/core';
import { simulateTransactions } from '@mlsd/datasets';
import { computeFeatures } from '@mlsd/features';
import type { FraudModel } from '@mlsd/fraud';
import type { RedisClient } from '../src/redis/redis-client.js';
import { readGroupProgress } from '../src/stream/decision-reader.js';
import type { StreamRecord } from '../src/stream/stream-scorer.js';

const SIMULATOR_COLUMNS = [
  'TRANSACTION_ID',
  'TX_TIME_SECONDS',
  'TX_TIME_DAYS',
  'CUSTOMER_ID',
  'TERMINAL_ID',
  'TX_AMOUNT',
  'TX_FRAUD',
] as const;

/** Rows of a simulated table as the stream carries them: the simulator's columns as text. */
export function toRecords(table: Table, count = table.length): StreamRecord[] {
  const columns = SIMULATOR_COLUMNS.map((name) => [name, table.numeric(name)] as const);
  const out: StreamRecord[] = [];
  for (let i = 0; i < Math.min(count, table.length); i++) {
    const record: Record<string, string> = {};
    for (const [name, values] of columns) record[name] = String(values[i]);
    out.push(record);
  }
  return out;
}

/**
 * Resolves once the group has read and acknowledged every entry of the stream (no lag, nothing
 * pending) and the stream holds at least `entries` entries. Polls every 50 ms; gives up after
 * `timeoutMs` (a safety net for a hung test, not a speed requirement) with the progress seen.
 */
export async function waitForDrained(
  client: RedisClient,
  stream: string,
  group: string,
  entries: number,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = { entries: 0, lag: -1, pending: -1 };
  while (Date.now() < deadline) {
    try {
      last = await readGroupProgress(client, stream, group);
      if (last.entries >= entries && last.lag === 0 && last.pending === 0) return;
    } catch {
      // Redis may be failing over; try again.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `group ${group} did not drain ${stream} within ${timeoutMs} ms: ${JSON.stringify(last)}`,
  );
}

/**
 * Batch feature values of every transaction of a simulated world (history and later days), by
 * transaction id: the ground truth the stream's decisions are checked against. `keep` picks
 * the features to hold (all by default).
 */
export function batchFeaturesById(
  model: FraudModel,
  world: { customers: number; terminals: number; days: number; seed: number },
  keep: (name: string) => boolean = () => true,
): Map<string, Record<string, number>> {
  const { customers, terminals, days, seed } = world;
  const { table } = simulateTransactions({ customers, terminals, days, seed, progress: false });
  const matrix = computeFeatures(table, model.features);
  const names = model.features.names;
  const ids = table.numeric('TRANSACTION_ID');
  const byId = new Map<string, Record<string, number>>();
  for (let i = 0; i < table.length; i++) {
    const row: Record<string, number> = {};
    for (let j = 0; j < names.length; j++) {
      if (keep(names[j]!)) row[names[j]!] = matrix.values[i * names.length + j]!;
    }
    byId.set(String(ids[i]), row);
  }
  return byId;
}
