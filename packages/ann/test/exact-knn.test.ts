import { describe, expect, it, vi } from 'vitest';
import { exactKnn } from '../src/index.js';
import { squaredNorms, TopKHeaps } from '../src/internal.js';
import { randomVectors, referenceKnn, rowOf } from './random-vectors.js';

describe('TopKHeaps', () => {
  it('keeps the k smallest distances of each heap, sorted on drain', () => {
    const heaps = new TopKHeaps(2, 3);
    const values = [5, 1, 9, 3, 7, 2, 8];
    values.forEach((v, i) => {
      heaps.push(0, v, i);
      heaps.push(1, -v, i);
    });
    const indices = new Int32Array(6);
    const distances = new Float32Array(6);
    expect(heaps.drainSorted(0, indices, distances, 0)).toBe(3);
    heaps.drainSorted(1, indices, distances, 3);
    expect(Array.from(distances)).toEqual([1, 2, 3, -9, -8, -7]);
    expect(Array.from(indices)).toEqual([1, 5, 3, 2, 6, 4]);
  });

  it('pads a heap that holds fewer than k entries', () => {
    const heaps = new TopKHeaps(1, 4);
    heaps.push(0, 2, 7);
    expect(heaps.threshold(0)).toBe(Number.POSITIVE_INFINITY);
    const indices = new Int32Array(4);
    const distances = new Float32Array(4);
    expect(heaps.drainSorted(0, indices, distances, 0)).toBe(1);
    expect(Array.from(indices)).toEqual([7, -1, -1, -1]);
    expect(distances[3]).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('exactKnn', () => {
  const dim = 13; // odd, so the unrolled loops' remainders run
  const base = randomVectors(301, dim, 'base'); // 301: more than one base block, odd
  const queries = randomVectors(70, dim, 'queries'); // 70: more than one query block, not /4

  for (const space of ['l2', 'ip', 'cosine'] as const) {
    it(`matches sorting every distance (${space})`, () => {
      const result = exactKnn(base, queries, dim, 7, { space });
      expect(result.count).toBe(70);
      for (let q = 0; q < 70; q++) {
        const want = referenceKnn(base, rowOf(queries, q, dim), dim, 7, space);
        expect(Array.from(result.indices.subarray(q * 7, q * 7 + 7))).toEqual(want.indices);
        want.distances.forEach((d, i) => {
          expect(result.distances[q * 7 + i]).toBeCloseTo(d, 3);
        });
      }
    });
  }

  it('returns only allowed rows and pads when fewer than k qualify', () => {
    const allowed = new Uint8Array(301);
    allowed[5] = 1;
    allowed[200] = 1;
    const result = exactKnn(base, queries.subarray(0, dim), dim, 4, { allowed });
    expect(new Set(result.indices.subarray(0, 2))).toEqual(new Set([5, 200]));
    expect(Array.from(result.indices.subarray(2))).toEqual([-1, -1]);
  });

  it('handles k larger than the number of rows', () => {
    const small = base.subarray(0, 3 * dim);
    const result = exactKnn(small, queries.subarray(0, dim), dim, 5);
    expect(
      Array.from(result.indices)
        .filter((i) => i >= 0)
        .sort(),
    ).toEqual([0, 1, 2]);
  });

  it('gives the same neighbours one query at a time (JavaScript) as in a batch (WebAssembly)', () => {
    for (const d of [16, 13]) {
      const rows = randomVectors(500, d, `paths-${d}`);
      const batch = randomVectors(9, d, `paths-q-${d}`);
      const allowed = new Uint8Array(500).map((_, i) => (i % 3 === 0 ? 0 : 1));
      for (const space of ['l2', 'ip', 'cosine'] as const) {
        const together = exactKnn(rows, batch, d, 5, { space, allowed });
        for (let q = 0; q < 9; q++) {
          const alone = exactKnn(rows, batch.subarray(q * d, (q + 1) * d), d, 5, {
            space,
            allowed,
          });
          expect(Array.from(together.indices.subarray(q * 5, q * 5 + 5))).toEqual(
            Array.from(alone.indices),
          );
        }
      }
    }
  });

  it('falls back to JavaScript without WebAssembly, same neighbours, logged and counted', async () => {
    const rows = randomVectors(300, 12, 'fallback');
    const queries = randomVectors(6, 12, 'fallback-q');
    const withWasm = exactKnn(rows, queries, 12, 4);
    vi.resetModules();
    vi.stubGlobal('WebAssembly', undefined);
    try {
      const fresh = await import('../src/exact-knn.js');
      const core = await import('@mlsd/core');
      const before = core.fallbackCounts()['@mlsd/ann exactKnn'] ?? 0;
      const withoutWasm = fresh.exactKnn(rows, queries, 12, 4);
      expect(withoutWasm.indices).toEqual(withWasm.indices);
      expect(core.fallbackCounts()['@mlsd/ann exactKnn']).toBe(before + 1);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });

  it('handles more queries than one WebAssembly chunk holds', () => {
    const d = 4;
    const rows = randomVectors(40, d, 'chunk-base');
    const many = randomVectors(4100, d, 'chunk-queries');
    const progress: number[] = [];
    const result = exactKnn(rows, many, d, 3, { onProgress: (done) => progress.push(done) });
    expect(progress.at(-1)).toBe(4100);
    for (const q of [0, 4095, 4096, 4099]) {
      const want = referenceKnn(rows, rowOf(many, q, d), d, 3, 'l2');
      expect(Array.from(result.indices.subarray(q * 3, q * 3 + 3))).toEqual(want.indices);
    }
  });

  it('computes squared norms per row', () => {
    expect(Array.from(squaredNorms(new Float32Array([3, 4, 1, 0]), 2))).toEqual([25, 1]);
  });
});
