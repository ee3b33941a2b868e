/**
 * Measures the fraud online state stores. Run from the repo root:
 *
 *   node --import tsx --conditions=@mlsd/source benchmarks/serving/state-store.bench.ts
 *
 * Writes results/serving-state.json: update latency p50/p99 of the in-process store (the
 * baseline) and of the Redis store on loopback (one client, sequential), then updates/s of N
 * concurrent Redis clients (one connection each, closed loop), on one throwaway redis-server
 * (Debian's redis-server must be installed).
 */
import { writeFileSync } from 'node:fs';
import { simulateTransactions } from '@mlsd/datasets';
import { handbookFeatureSet, OnlineFeatureState } from '@mlsd/features';
import type { HandbookTransaction } from '@mlsd/fraud';
import { InProcessStateStore, type OnlineStateStore, RedisStateStore } from '@mlsd/serve';
import { Redis } from 'ioredis';
// The tests' helper that starts a throwaway redis-server on a free loopback port.
import { startRedisServer } from '../../packages/serve/test/redis-server.js';
import { describeMachine } from '../machine.js';

const DAY = 86_400;
const features = handbookFeatureSet();

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Sequential updates: per-update latency in ms. */
async function latency(store: OnlineStateStore, requests: HandbookTransaction[]) {
  const times = new Float64Array(requests.length);
  for (let i = 0; i < requests.length; i++) {
    const start = performance.now();
    await store.update(requests[i]!);
    times[i] = performance.now() - start;
  }
  const warm = times.slice(Math.floor(requests.length / 10)).sort();
  const mean = warm.reduce((a, b) => a + b, 0) / warm.length;
  return {
    updates: warm.length,
    p50Ms: round(quantile(warm, 0.5)),
    p99Ms: round(quantile(warm, 0.99)),
    meanMs: round(mean),
  };
}

function usedMemory(info: string): number {
  return Number(/used_memory:(\d+)/.exec(info)?.[1]);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

async function main(): Promise<void> {
  const { table } = simulateTransactions({
    customers: 1000,
    terminals: 2000,
    days: 45,
    seed: 2,
    progress: false,
  });
  const day = table.numeric('TX_TIME_DAYS');
  const n = table.length;
  const request = (i: number, label: boolean): HandbookTransaction => ({
    TRANSACTION_ID: table.numeric('TRANSACTION_ID')[i]!,
    TX_TIME_SECONDS: table.numeric('TX_TIME_SECONDS')[i]!,
    CUSTOMER_ID: table.numeric('CUSTOMER_ID')[i]!,
    TERMINAL_ID: table.numeric('TERMINAL_ID')[i]!,
    TX_AMOUNT: table.numeric('TX_AMOUNT')[i]!,
    ...(label ? { TX_FRAUD: table.numeric('TX_FRAUD')[i]! as 0 | 1 } : {}),
  });
  // Warm state: the first 38 days (as a model artifact would carry); measured: the rest.
  const split = day.findIndex((d) => d >= 38);
  const state = new OnlineFeatureState(features);
  for (let i = 0; i < split; i++) state.update(request(i, true));
  const stream = Array.from({ length: n - split }, (_, k) => request(split + k, false));
  const model = { features, state };

  const server = await startRedisServer();
  try {
    const inProcess = InProcessStateStore.forModel(model as never);
    const inProcessLatency = await latency(inProcess, stream);
    const probe = new Redis(server.url);
    const memoryBefore = usedMemory(await probe.info('memory'));
    const t0 = performance.now();
    const redis = await RedisStateStore.connect({ url: server.url, model, namespace: 'measure' });
    const seedMs = performance.now() - t0;
    const seededBytes = usedMemory(await probe.info('memory')) - memoryBefore;
    await probe.config('RESETSTAT');
    const redisLatency = await latency(redis, stream);
    // Redis's own CPU time per update script (the rest of the latency is loopback + client).
    const commandStats = await probe.info('commandstats');
    const serverMicrosPerUpdate = Number(
      /cmdstat_evalsha:calls=\d+,usec=\d+,usec_per_call=([\d.]+)/.exec(commandStats)?.[1],
    );
    await probe.quit();
    const seededStats = state.stats();
    await redis.close();

    // Throughput: N clients, each its own connection, closed loop for ~2 s, random cards and
    // terminals at one shared time (equal times are in order, whatever the interleaving).
    const throughput: {
      clients: number;
      sameCard: boolean;
      updatesPerSecond: number;
      p50Ms: number;
      p99Ms: number;
    }[] = [];
    let nextId = 10_000_000;
    const runs = [
      ...[1, 2, 4, 8, 16, 32].map((clients) => ({ clients, sameCard: false })),
      { clients: 8, sameCard: true },
    ];
    for (const { clients, sameCard } of runs) {
      const stores = await Promise.all(
        Array.from({ length: clients }, () =>
          RedisStateStore.connect({
            url: server.url,
            model: { features },
            namespace: `load-${clients}`,
          }),
        ),
      );
      const latencies: number[] = [];
      const end = performance.now() + 2_000;
      let done = 0;
      const start = performance.now();
      await Promise.all(
        stores.map(async (store, c) => {
          let k = c;
          while (performance.now() < end) {
            const begin = performance.now();
            await store.update({
              TRANSACTION_ID: nextId++,
              TX_TIME_SECONDS: 50 * DAY,
              CUSTOMER_ID: sameCard ? 1 : (k * 7919) % 20_000,
              TERMINAL_ID: (k * 104_729) % 40_000,
              TX_AMOUNT: 10 + (k % 97),
            });
            latencies.push(performance.now() - begin);
            k += clients;
            done++;
          }
        }),
      );
      const seconds = (performance.now() - start) / 1000;
      const sorted = Float64Array.from(latencies).sort();
      throughput.push({
        clients,
        sameCard,
        updatesPerSecond: Math.round(done / seconds),
        p50Ms: round(quantile(sorted, 0.5)),
        p99Ms: round(quantile(sorted, 0.99)),
      });
      await Promise.all(stores.map((store) => store.close()));
    }

    const results = JSON.stringify(
      {
        benchmark: 'serving-state',
        date: new Date().toISOString(),
        machine: describeMachine(),
        command:
          'node --import tsx --conditions=@mlsd/source benchmarks/serving/state-store.bench.ts',
        world: {
          transactions: n,
          warmRows: split,
          streamed: stream.length,
          seededEntities: seededStats.entities,
          seededEvents: seededStats.events,
        },
        seedMs: Math.round(seedMs),
        seededBytesPerEvent: Math.round(seededBytes / seededStats.events),
        latency: {
          inProcess: inProcessLatency,
          redis: { ...redisLatency, serverMicrosPerUpdate },
        },
        throughput,
      },
      null,
      2,
    );
    writeFileSync(new URL('../results/serving-state.json', import.meta.url), `${results}\n`);
    console.log(results);
  } finally {
    await server.stop();
  }
}

await main();
