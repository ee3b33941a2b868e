import { computeFeatures } from '@mlsd/features';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fittedOn,
  lateArrivals,
  rowOf,
  sortedByTime,
  specArbitrary,
  streamArbitrary,
  streamRecord,
  streamTable,
} from '../../features/test/helpers/streams.js';
import { RedisStateStore } from '../src/state/redis-state-store.js';
import { useRedisServer } from './redis-server.js';

const server = useRedisServer();
const DAY = 86_400;
let namespaces = 0;

/**
 * The features package's parity properties, against a real Redis: random specs of every kind ×
 * random streams (equal times, late labels, unseen entities, gaps longer than every window,
 * arrivals shuffled within the lateness) give, in the Redis store, the batch values bit for bit.
 */
describe('RedisStateStore = batch (property, real Redis)', () => {
  it('in time order, labels with the transactions or recorded later with their label time', async () => {
    await fc.assert(
      fc.asyncProperty(
        specArbitrary,
        streamArbitrary(40),
        fc.boolean(),
        async (spec, events, later) => {
          const withLabelTime = later
            ? { ...spec, columns: { ...spec.columns, labelTime: 'labelTime' } }
            : spec;
          const features = fittedOn(withLabelTime, events);
          const batch = computeFeatures(streamTable(events), features);
          const store = await RedisStateStore.connect({
            url: server().url,
            model: { features },
            namespace: `parity-${namespaces++}`,
            maxGapSeconds: null,
          });
          try {
            const pending = new Set<number>();
            for (let i = 0; i < events.length; i++) {
              const event = events[i]!;
              // Labels known by now are recorded before the transaction that could count them.
              for (const j of [...pending]) {
                const prior = events[j]!;
                if (prior.labelTime > event.t) continue;
                pending.delete(j);
                await store
                  .recordLabel(prior.id, prior.fraud, prior.labelTime)
                  .catch((error: unknown) => {
                    if ((error as { code?: string }).code !== 'NOT_FOUND') throw error;
                  });
              }
              const vector = await store.update(streamRecord(event, !later));
              expect(Array.from(vector)).toEqual(rowOf(batch.values, i, batch.columns));
              if (later && Number.isFinite(event.labelTime)) pending.add(i);
            }
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 80, seed: 21 },
    );
  });

  it('arrivals shuffled within the lateness give what batch gives on the time-sorted arrivals', async () => {
    await fc.assert(
      fc.asyncProperty(
        specArbitrary,
        streamArbitrary(30),
        fc.constantFrom(0.3 * DAY, DAY),
        fc.integer({ min: 1, max: 1_000_000 }),
        async (spec, events, lateness, seed) => {
          const features = fittedOn(spec, events);
          const arrivals = lateArrivals(events, lateness, seed);
          const store = await RedisStateStore.connect({
            url: server().url,
            model: { features },
            namespace: `late-${namespaces++}`,
            allowedLatenessSeconds: lateness,
            maxGapSeconds: null,
          });
          try {
            for (let k = 0; k < arrivals.length; k++) {
              const event = arrivals[k]!;
              const vector = await store.update(streamRecord(event, true));
              const sofar = sortedByTime(arrivals.slice(0, k + 1));
              const batch = computeFeatures(streamTable(sofar), features);
              expect(Array.from(vector)).toEqual(
                rowOf(batch.values, sofar.indexOf(event), batch.columns),
              );
            }
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 25, seed: 22 },
    );
  });
});
