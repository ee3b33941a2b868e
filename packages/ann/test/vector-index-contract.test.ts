import { isMlsdError } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { ExactIndex, HnswIndex, type VectorIndex } from '../src/index.js';
import { randomVectors, referenceDistance, rowOf } from './random-vectors.js';

/** Both implementations must behave the same on everything but recall. */
type Label = { label: number };
const implementations: [
  string,
  (dim: number, space?: 'l2' | 'ip' | 'cosine') => VectorIndex<Label>,
][] = [
  ['HnswIndex', (dim, space = 'l2') => new HnswIndex<Label>({ dim, space, capacity: 8, ef: 64 })],
  ['ExactIndex', (dim, space = 'l2') => new ExactIndex<Label>({ dim, space, capacity: 8 })],
];

function expectCode(action: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(isMlsdError(thrown), `expected an MlsdError ${code}, got ${String(thrown)}`).toBe(true);
  expect((thrown as { code: string }).code).toBe(code);
}

describe.each(implementations)('%s (VectorIndex contract)', (_name, create) => {
  const dim = 8;
  const data = randomVectors(50, dim, 'contract');
  const ids = Array.from({ length: 50 }, (_, i) => `item-${i}`);
  const labels = ids.map((_, i) => ({ label: i % 3 }));

  function filled(space: 'l2' | 'ip' | 'cosine' = 'l2'): VectorIndex<Label> {
    const index = create(dim, space);
    index.addBatch(ids, data, labels);
    return index;
  }

  it('finds an indexed vector as its own nearest neighbour at distance 0', () => {
    const index = filled();
    expect(index.size).toBe(50);
    for (const row of [0, 17, 49]) {
      const result = index.search(rowOf(data, row, dim), 3);
      expect(result.ids[0]).toBe(`item-${row}`);
      expect(result.distances[0]).toBeCloseTo(0, 4);
      expect(result.distances[1]!).toBeGreaterThanOrEqual(result.distances[0]!);
    }
  });

  it('reports distances in its space', () => {
    for (const space of ['l2', 'ip', 'cosine'] as const) {
      const index = filled(space);
      const query = rowOf(data, 3, dim).map((v) => v * 0.5 + 0.1);
      const result = index.search(query, 5);
      result.ids.forEach((id, i) => {
        const row = Number(id.slice(5));
        expect(result.distances[i]).toBeCloseTo(
          referenceDistance(query, rowOf(data, row, dim), space),
          3,
        );
      });
    }
  });

  it('adds one at a time, keeps metadata, and answers has()', () => {
    const index = create(dim);
    index.add('a', [1, 0, 0, 0, 0, 0, 0, 0], { label: 7 });
    index.add('b', new Float32Array(dim).fill(1));
    expect(index.has('a')).toBe(true);
    expect(index.has('zzz')).toBe(false);
    expect(index.getMetadata('a')).toEqual({ label: 7 });
    expect(index.getMetadata('b')).toBeUndefined();
  });

  it('returns what it has when k exceeds the size, and nothing when empty', () => {
    const empty = create(dim);
    expect(empty.search(new Float32Array(dim), 5).ids).toEqual([]);
    const index = create(dim);
    index.addBatch(ids.slice(0, 3), data.subarray(0, 3 * dim));
    const result = index.search(rowOf(data, 0, dim), 100);
    expect(result.ids.slice().sort()).toEqual(['item-0', 'item-1', 'item-2']);
    expect(result.distances).toHaveLength(3);
  });

  it('delete-then-search never returns the deleted item', () => {
    const index = filled();
    index.delete('item-10');
    expect(index.size).toBe(49);
    expect(index.has('item-10')).toBe(false);
    const result = index.search(rowOf(data, 10, dim), 49);
    expect(result.ids).not.toContain('item-10');
    expect(result.ids).toHaveLength(49);
  });

  it('re-adds a deleted id with a new vector', () => {
    const index = filled();
    index.delete('item-5');
    const moved = rowOf(data, 30, dim).map((v) => v + 1e-3);
    index.add('item-5', moved, { label: 9 });
    const result = index.search(moved, 2);
    expect(result.ids).toContain('item-5');
    expect(index.getMetadata('item-5')).toEqual({ label: 9 });
    expect(index.size).toBe(50);
  });

  it('upsert replaces the vector and metadata of a live id, or adds a new one', () => {
    const index = filled();
    const target = rowOf(data, 40, dim);
    index.upsert('item-0', target, { label: 2 });
    expect(index.size).toBe(50);
    const result = index.search(target, 2);
    expect(result.ids.slice().sort()).toEqual(['item-0', 'item-40']);
    expect(index.getMetadata('item-0')).toEqual({ label: 2 });
    index.upsert('new', new Float32Array(dim).fill(3));
    expect(index.size).toBe(51);
  });

  it('filters on metadata', () => {
    const index = filled();
    const result = index.search(rowOf(data, 1, dim), 10, {
      filter: (_id, metadata) => metadata?.label === 2,
    });
    expect(result.ids).toHaveLength(10);
    for (const id of result.ids) expect(index.getMetadata(id)?.label).toBe(2);
    expect(result.ids).not.toContain('item-1'); // label 1
    const byId = index.search(rowOf(data, 1, dim), 10, { filter: (id) => id === 'item-33' });
    expect(byId.ids).toEqual(['item-33']);
  });

  it('searchBatch gives the same answers as search, row by row', () => {
    const index = filled();
    const queries = randomVectors(6, dim, 'batch');
    const batch = index.searchBatch(queries, 4);
    expect(batch).toHaveLength(6);
    batch.forEach((result, q) => {
      const single = index.search(rowOf(queries, q, dim), 4);
      expect(result.ids).toEqual(single.ids);
    });
    expect(index.searchBatch(new Float32Array(0), 4)).toEqual([]);
  });

  it('refuses bad input with typed errors', () => {
    const index = filled();
    expectCode(() => index.add('x', new Float32Array(dim + 1)), 'DIMENSION_MISMATCH');
    expectCode(() => index.search(new Float32Array(3), 1), 'DIMENSION_MISMATCH');
    expectCode(() => index.searchBatch(new Float32Array(dim + 2), 1), 'DIMENSION_MISMATCH');
    const withNaN = new Float32Array(dim);
    withNaN[4] = Number.NaN;
    expectCode(() => index.add('x', withNaN), 'INVALID_DATA');
    expectCode(() => index.search(withNaN, 1), 'INVALID_DATA');
    expectCode(() => index.upsert('item-1', [1, 2, 3, 4, 5, 6, 7, Infinity]), 'INVALID_DATA');
    expectCode(() => index.add('item-1', new Float32Array(dim)), 'INVALID_ARGUMENT');
    expectCode(() => index.add('', new Float32Array(dim)), 'INVALID_ARGUMENT');
    expectCode(() => index.search(new Float32Array(dim), 0), 'INVALID_ARGUMENT');
    expectCode(() => index.search(new Float32Array(dim), 2.5), 'INVALID_ARGUMENT');
    expectCode(() => index.delete('never-added'), 'NOT_FOUND');
    index.delete('item-2');
    expectCode(() => index.delete('item-2'), 'NOT_FOUND');
    expectCode(() => index.getMetadata('item-2'), 'NOT_FOUND');
    expectCode(() => index.addBatch(['p', 'p'], new Float32Array(2 * dim)), 'INVALID_ARGUMENT');
    expectCode(() => index.addBatch(['p', 'q'], new Float32Array(dim)), 'DIMENSION_MISMATCH');
    // A failed batch adds nothing.
    expect(index.has('p')).toBe(false);
    expect(index.size).toBe(49);
  });

  it('refuses an all-zero vector under cosine', () => {
    const index = create(dim, 'cosine');
    expectCode(() => index.add('zero', new Float32Array(dim)), 'INVALID_DATA');
    index.add('one', new Float32Array(dim).fill(1));
    expectCode(() => index.search(new Float32Array(dim), 1), 'INVALID_DATA');
  });
});
