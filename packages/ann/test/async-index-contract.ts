import { isMlsdError } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import type { AsyncVectorIndex } from '../src/index.js';
import { randomVectors, referenceDistance, rowOf } from './random-vectors.js';

type Label = { label: number };

async function expectCode(action: () => Promise<unknown>, code: string): Promise<void> {
  const thrown = await action().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(isMlsdError(thrown), `expected an MlsdError ${code}, got ${String(thrown)}`).toBe(true);
  expect((thrown as { code: string }).code).toBe(code);
}

/**
 * The contract every {@link AsyncVectorIndex} passes: the in-process indexes through
 * `toAsyncIndex`, and any outside backend (see `index-backends.test.ts` and the README's
 * "Adding a backend"). `create(dim, space)` makes an empty index.
 */
export function asyncVectorIndexContract(
  name: string,
  create: (dim: number, space: 'l2' | 'ip' | 'cosine') => Promise<AsyncVectorIndex<Label>>,
): void {
  describe(`${name} (AsyncVectorIndex contract)`, () => {
    const dim = 8;
    const data = randomVectors(50, dim, 'async-contract');
    const ids = Array.from({ length: 50 }, (_, i) => `item-${i}`);
    const labels = ids.map((_, i) => ({ label: i % 3 }));

    async function filled(space: 'l2' | 'ip' | 'cosine' = 'l2') {
      const index = await create(dim, space);
      await index.addBatch(ids, data, labels);
      return index;
    }

    it('finds each vector first, with distances in its space, nearest first', async () => {
      for (const space of ['l2', 'ip', 'cosine'] as const) {
        const index = await filled(space);
        expect(await index.size()).toBe(50);
        const query = rowOf(data, 3, dim).map((v) => v * 0.5 + 0.1);
        const result = await index.search(query, 5);
        result.ids.forEach((id, i) => {
          expect(result.distances[i]).toBeCloseTo(
            referenceDistance(query, rowOf(data, Number(id.slice(5)), dim), space),
            3,
          );
          if (i > 0) expect(result.distances[i]!).toBeGreaterThanOrEqual(result.distances[i - 1]!);
        });
      }
      const index = await filled();
      const own = await index.searchBatch(data.subarray(0, 3 * dim), 1);
      expect(own.map((r) => r.ids[0])).toEqual(['item-0', 'item-1', 'item-2']);
    });

    it('adds, upserts, deletes and filters', async () => {
      const index = await filled();
      await index.add('extra', rowOf(data, 7, dim), { label: 9 });
      expect(await index.has('extra')).toBe(true);
      expect(await index.getMetadata('extra')).toEqual({ label: 9 });
      await index.upsert('extra', rowOf(data, 20, dim), { label: 8 });
      expect((await index.search(rowOf(data, 20, dim), 2)).ids.sort()).toEqual([
        'extra',
        'item-20',
      ]);
      expect(await index.getMetadata('extra')).toEqual({ label: 8 });
      await index.delete('item-20');
      expect((await index.search(rowOf(data, 20, dim), 1)).ids).toEqual(['extra']);
      const ones = await index.search(rowOf(data, 0, dim), 100, {
        filter: (_, m) => m?.label === 1,
      });
      expect(ones.ids).toHaveLength(ids.filter((_, i) => i % 3 === 1 && i !== 20).length);
      expect(await index.size()).toBe(50);
    });

    it('returns what it has when k exceeds the size, and nothing when empty', async () => {
      const empty = await create(dim, 'l2');
      expect((await empty.search(rowOf(data, 0, dim), 3)).ids).toEqual([]);
      await empty.add('only', rowOf(data, 0, dim));
      expect((await empty.search(rowOf(data, 1, dim), 3)).ids).toEqual(['only']);
    });

    it('rejects bad input with typed errors', async () => {
      const index = await filled();
      await expectCode(() => index.add('x', new Float32Array(dim + 1)), 'DIMENSION_MISMATCH');
      await expectCode(() => index.add('item-1', new Float32Array(dim)), 'INVALID_ARGUMENT');
      await expectCode(() => index.search(new Float32Array(dim), 0), 'INVALID_ARGUMENT');
      await expectCode(() => index.delete('never-added'), 'NOT_FOUND');
      await expectCode(
        () => index.addBatch(['p', 'p'], new Float32Array(2 * dim)),
        'INVALID_ARGUMENT',
      );
      expect(await index.has('p')).toBe(false);
    });
  });
}
