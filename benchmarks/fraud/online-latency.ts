import type { Table } from '@mlsd/core';
import { OnlineFeatureState } from '@mlsd/features';
import { type FraudModel, FraudScorer } from '@mlsd/fraud';

const COLUMNS = [
  'TRANSACTION_ID',
  'TX_TIME_SECONDS',
  'TX_AMOUNT',
  'TX_FRAUD',
  'CUSTOMER_ID',
  'TERMINAL_ID',
] as const;

/**
 * Online scoring latency of one transaction of the simulator's table (raw record → normalized
 * → features → model), in µs: warms a feature state on the 37 days before `streamStartDay` (the
 * longest window plus the delay), then scores the next 10 days one transaction at a time,
 * without their labels.
 */
export function onlineLatency(
  table: Table,
  model: FraudModel,
  streamStartDay: number,
): { p50: number; p99: number; transactions: number } {
  const times = table.numeric('TX_TIME_SECONDS');
  const days = table.numeric('TX_TIME_DAYS');
  const state = new OnlineFeatureState(model.features);
  const reader = new FraudScorer(model, state);
  const columns = COLUMNS.map((name) => table.numeric(name));
  const tx = (i: number) => Object.fromEntries(COLUMNS.map((name, c) => [name, columns[c]![i]!]));
  let i = 0;
  while (i < times.length && days[i]! < streamStartDay - 37) i++;
  for (; i < times.length && days[i]! < streamStartDay; i++) state.update(reader.normalize(tx(i)));
  const scorer = new FraudScorer(model, state);
  const latencies: number[] = [];
  for (; i < times.length && days[i]! < streamStartDay + 10; i++) {
    const request = tx(i);
    delete request.TX_FRAUD;
    const started = performance.now();
    scorer.score(request);
    latencies.push((performance.now() - started) * 1000);
  }
  latencies.sort((a, b) => a - b);
  return {
    p50: latencies[Math.floor(0.5 * latencies.length)]!,
    p99: latencies[Math.floor(0.99 * latencies.length)]!,
    transactions: latencies.length,
  };
}
