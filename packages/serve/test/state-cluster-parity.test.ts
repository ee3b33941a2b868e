import { computeFeatures, FeatureSet, fitFeatureSet } from '@mlsd/features';
import {
  lateArrivals,
  sortedByTime,
  specArbitrary,
  streamArbitrary,
  streamRecord,
  streamTable,
} from '@mlsd/test-utils/feature-streams';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RedisStateStore } from '../src/state/redis-state-store.js';
import { useRedisCluster } from './redis-cluster.js';

const cluster = useRedisCluster({ masters: 3 });
const DAY = 86_400;

/**
 * The lateness property of issue 17 on a real 3-master Redis Cluster, opened from a
 * redis+cluster:// URL: random specs × random streams whose arrivals are shuffled within the
 * allowed lateness; every update returns what batch gives on the time-sorted arrivals so far.
 * Each entity lives in its own slot, spread over the masters, so a transaction's steps go to
 * several nodes at once.
 */
describe('RedisStateStore on a Redis Cluster = batch, arrivals shuffled within the lateness', () => {
  it('holds for random specs and streams', async () => {
    let namespaces = 0;
    await fc.assert(
      fc.asyncProperty(
        specArbitrary,
        streamArbitrary(30),
        fc.constantFrom(0.3 * DAY, DAY),
        fc.integer({ min: 1, max: 1_000_000 }),
        async (spec, events, lateness, seed) => {
          const features = fitFeatureSet(new FeatureSet(spec), streamTable(events));
          const arrivals = lateArrivals(events, lateness, seed);
          const store = await RedisStateStore.connect({
            url: cluster().url,
            model: { features },
            namespace: `cluster-late-${namespaces++}`,
            allowedLatenessSeconds: lateness,
            maxFutureSkewSeconds: null,
          });
          try {
            for (let k = 0; k < arrivals.length; k++) {
              const event = arrivals[k]!;
              const vector = await store.update(streamRecord(event, true));
              const sofar = sortedByTime(arrivals.slice(0, k + 1));
              const batch = computeFeatures(streamTable(sofar), features);
              const row = sofar.indexOf(event);
              expect(Array.from(vector)).toEqual(
                Array.from(batch.values.subarray(row * batch.columns, (row + 1) * batch.columns)),
              );
            }
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 40, seed: 17 },
    );
  }, 120_000);
});
