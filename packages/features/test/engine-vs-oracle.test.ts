import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeFeatures, FeatureSet, fitFeatureSet } from '../src/index.js';
import { oracleFeatures } from './helpers/oracle.js';
import { specArbitrary, streamArbitrary, streamTable } from './helpers/streams.js';

describe('computeFeatures against the definitions (property)', () => {
  it('every kind of feature equals a brute-force evaluation of its definition', () => {
    fc.assert(
      fc.property(specArbitrary, streamArbitrary(50), (spec, events) => {
        const table = streamTable(events);
        const features = fitFeatureSet(new FeatureSet(spec), table);
        const batch = computeFeatures(table, features);
        const oracle = oracleFeatures(table, features);
        const { names, columns } = batch;
        const rounded = features.spec.features.flatMap((definition) => {
          const approximate =
            (definition.kind === 'window' && definition.aggregate === 'std') ||
            (definition.kind === 'amount-relative' && definition.relative === 'z-score');
          return approximate ? [definition.name] : [];
        });
        for (let k = 0; k < batch.values.length; k++) {
          const name = names[k % columns]!;
          const actual = batch.values[k]!;
          const expected = oracle[k]!;
          if (rounded.includes(name)) {
            expect(Math.abs(actual - expected)).toBeLessThanOrEqual(
              1e-9 * Math.max(1, Math.abs(expected)),
            );
          } else if (!Object.is(actual, expected)) {
            throw new Error(
              `row ${Math.floor(k / columns)}, ${name}: batch ${actual}, definition ${expected}`,
            );
          }
        }
      }),
      { numRuns: 150, seed: 12 },
    );
  });
});
