import { describe, expect, it } from 'vitest';
import { ExactIndex, HnswIndex, neighbourLists, recallAtK } from '../src/index.js';
import { randomVectors, rowOf } from './random-vectors.js';

const dim = 32;
const n = 2000;
const data = randomVectors(n, dim, 'hnsw-train');
const queries = randomVectors(100, dim, 'hnsw-queries');
const ids = Array.from({ length: n }, (_, i) => String(i));

function truthIds(k: number): string[][] {
  const exact = new ExactIndex({ dim });
  exact.addBatch(ids, data);
  return neighbourLists(exact.searchRows(queries, k)).map((row) => Array.from(row, String));
}

describe('HnswIndex', () => {
  it('reaches recall@10 ≥ 0.95 against exact search on 2,000 vectors, more with a larger ef', () => {
    const index = new HnswIndex({ dim, M: 16, efConstruction: 100, ef: 10 });
    index.addBatch(ids, data);
    const truth = truthIds(10);
    const recallAt = (ef: number) => {
      index.ef = ef;
      return recallAtK(
        index.searchBatch(queries, 10).map((r) => r.ids),
        truth,
        10,
      );
    };
    const low = recallAt(10);
    const high = recallAt(200);
    expect(high).toBeGreaterThanOrEqual(0.95);
    expect(high).toBeGreaterThanOrEqual(low);
    expect(index.ef).toBe(200);
  });

  it('grows past its initial capacity by doubling', () => {
    const index = new HnswIndex({ dim, capacity: 10 });
    for (let i = 0; i < 25; i++) index.add(`v${i}`, rowOf(data, i, dim));
    expect(index.size).toBe(25);
    expect(index.capacity).toBe(40);
    expect(index.search(rowOf(data, 24, dim), 1).ids).toEqual(['v24']);
  });

  it('reuses the space of deleted items instead of growing', () => {
    const index = new HnswIndex({ dim, capacity: 100 });
    index.addBatch(ids.slice(0, 100), data.subarray(0, 100 * dim));
    for (let i = 0; i < 40; i++) index.delete(String(i));
    for (let i = 0; i < 40; i++) index.add(`new-${i}`, rowOf(data, 500 + i, dim));
    expect(index.capacity).toBe(100);
    expect(index.size).toBe(100);
    for (let i = 0; i < 40; i += 7) {
      expect(index.search(rowOf(data, 500 + i, dim), 1).ids).toEqual([`new-${i}`]);
      expect(index.search(rowOf(data, i, dim), 100).ids).not.toContain(String(i));
    }
  });

  it('returns the stored vector of an item', () => {
    const index = new HnswIndex({ dim });
    index.add('x', rowOf(data, 3, dim));
    expect(Array.from(index.getVector('x'))).toEqual(Array.from(rowOf(data, 3, dim)));
  });

  it('filters during the graph search, so k matches come back even for a rare label', () => {
    const index = new HnswIndex<{ label: number }>({ dim, ef: 50 });
    index.addBatch(
      ids,
      data,
      ids.map((_, i) => ({ label: i % 100 === 0 ? 1 : 0 })),
    );
    const result = index.search(rowOf(queries, 0, dim), 10, {
      filter: (_id, metadata) => metadata?.label === 1,
    });
    expect(result.ids).toHaveLength(10);
    for (const id of result.ids) expect(Number(id) % 100).toBe(0);
  });

  it('validates its options', () => {
    expect(() => new HnswIndex({ dim: 0 })).toThrow(/dim/);
    expect(() => new HnswIndex({ dim: 4, M: 1 })).toThrow(/M/);
    expect(() => new HnswIndex({ dim: 4, space: 'hamming' as 'l2' })).toThrow(/space/);
    const index = new HnswIndex({ dim: 4 });
    expect(() => {
      index.ef = 0;
    }).toThrow(/ef/);
  });
});
