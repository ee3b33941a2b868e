import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeFeatures, OnlineFeatureState } from '../src/index.js';
import {
  fittedOn,
  lateArrivals,
  rowOf,
  type StreamEvent,
  sortedByTime,
  specArbitrary,
  streamArbitrary,
  streamRecord,
  streamTable,
} from './helpers/streams.js';

const DAY = 86_400;

describe('online = batch (property, in process)', () => {
  it('a time-ordered replay gives the batch vector of every transaction, bit for bit', () => {
    fc.assert(
      fc.property(specArbitrary, streamArbitrary(60), fc.boolean(), (spec, events, snapshot) => {
        const features = fittedOn(spec, events);
        const batch = computeFeatures(streamTable(events), features);
        let state = new OnlineFeatureState(features, { maxGapSeconds: null });
        events.forEach((event, i) => {
          if (snapshot && i === Math.floor(events.length / 2)) {
            // A snapshot taken mid-stream continues identically.
            state = OnlineFeatureState.fromJSON(JSON.parse(JSON.stringify(state.toJSON())));
          }
          const vector = state.update(streamRecord(event, true));
          expect(Array.from(vector)).toEqual(rowOf(batch.values, i, batch.columns));
        });
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('labels recorded later (recordLabel with their label time) give the batch values too', () => {
    fc.assert(
      fc.property(
        specArbitrary.map((spec) => ({
          ...spec,
          columns: { ...spec.columns, labelTime: 'labelTime' },
        })),
        streamArbitrary(60),
        (spec, events) => {
          const features = fittedOn(spec, events);
          const batch = computeFeatures(streamTable(events), features);
          const state = new OnlineFeatureState(features, { maxGapSeconds: null });
          // Each label is recorded once some transaction at or after its label time arrives
          // (or right away when there is none): late, but before any window could count it.
          const pending = new Set<number>();
          events.forEach((event, i) => {
            for (const j of [...pending]) {
              const labelTime = events[j]!.labelTime;
              if (labelTime <= event.t) {
                recordIfHeld(state, events[j]!);
                pending.delete(j);
              }
            }
            const vector = state.update(streamRecord(event, false));
            expect(Array.from(vector)).toEqual(rowOf(batch.values, i, batch.columns));
            if (Number.isFinite(event.labelTime)) pending.add(i);
          });
        },
      ),
      { numRuns: 150, seed: 8 },
    );
  });

  it('arrivals shuffled within the lateness give what batch gives on the time-sorted arrivals', () => {
    fc.assert(
      fc.property(
        specArbitrary,
        streamArbitrary(40),
        fc.constantFrom(0.3 * DAY, DAY, 2 * DAY),
        fc.integer({ min: 1, max: 1_000_000 }),
        (spec, events, lateness, seed) => {
          const features = fittedOn(spec, events);
          const arrivals = lateArrivals(events, lateness, seed);
          const state = new OnlineFeatureState(features, {
            allowedLatenessSeconds: lateness,
            maxGapSeconds: null,
          });
          arrivals.forEach((event, k) => {
            const vector = state.update(streamRecord(event, true));
            // Batch over what has arrived so far, in time order (equal times: arrival order).
            const sofar = sortedByTime(arrivals.slice(0, k + 1));
            const batch = computeFeatures(streamTable(sofar), features);
            const row = sofar.indexOf(event);
            expect(Array.from(vector)).toEqual(rowOf(batch.values, row, batch.columns));
          });
        },
      ),
      { numRuns: 100, seed: 9 },
    );
  });
});

/** Records an event's label (with its label time) unless no label-reading entity holds it. */
function recordIfHeld(state: OnlineFeatureState, event: StreamEvent): void {
  try {
    state.recordLabel(event.id, event.fraud, event.labelTime);
  } catch (error) {
    if ((error as { code?: string }).code !== 'NOT_FOUND') throw error;
  }
}
