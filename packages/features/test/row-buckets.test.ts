import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketByDestination } from '../src/row-buckets.js';

describe('bucketByDestination', () => {
  it('keeps every row with a destination once, with its values, grouped by block of 4,096 in source order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: -1, max: 20_000 }), { maxLength: 300 }),
        (width, destination) => {
          const source = Float64Array.from(
            { length: destination.length * width },
            (_, i) => i * 0.5 - 7,
          );
          const { rows, destinations } = bucketByDestination(
            source,
            width,
            Int32Array.from(destination),
            20_001,
          );
          const kept = destination.flatMap((to, j) => (to >= 0 ? [{ to, j }] : []));
          // Stable by block: sorting the kept rows by block gives the order written.
          const expected = [...kept].sort((a, b) => (a.to >> 12) - (b.to >> 12) || a.j - b.j);
          expect([...destinations]).toEqual(expected.map((row) => row.to));
          expected.forEach(({ j }, e) => {
            for (let f = 0; f < width; f++) expect(rows[e * width + f]).toBe(source[j * width + f]);
          });
        },
      ),
    );
  });
});
