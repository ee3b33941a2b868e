import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHnswFile } from '../src/hnsw-builder.js';
import { HnswGraph } from '../src/hnsw-graph.js';
import { ExactIndex, HnswIndex, neighbourLists, recallAtK } from '../src/index.js';
import { randomVectors, rowOf } from './random-vectors.js';

const dim = 20;
const n = 2500;
const data = randomVectors(n, dim, 'builder-train');
const queries = randomVectors(80, dim, 'builder-queries');
const ids = Array.from({ length: n }, (_, i) => `x${i}`);
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlsd-ann-builder-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function truth(space: 'l2' | 'ip' | 'cosine', k: number): number[][] {
  const exact = new ExactIndex({ dim, space });
  exact.addBatch(ids, data);
  return neighbourLists(exact.searchRows(queries, k)).map((row) => Array.from(row));
}

describe('buildHnswFile', () => {
  for (const space of ['l2', 'ip', 'cosine'] as const) {
    it(`writes a file hnswlib-node loads and searches as our graph copy does (${space})`, async () => {
      const file = buildHnswFile(data, dim, {
        space,
        M: 12,
        efConstruction: 80,
        seed: 3,
        capacity: n + 100,
      });
      const path = join(root, `${space}.hnsw`);
      await writeFile(path, file);
      const native = new hnswlib.HierarchicalNSW(space, dim);
      native.readIndexSync(path, false);
      expect(native.getCurrentCount()).toBe(n);
      expect(native.getMaxElements()).toBe(n + 100);
      native.setEf(30);
      const graph = new HnswGraph(file, dim, space);
      const viaNative: number[][] = [];
      for (let q = 0; q < 80; q++) {
        const result = native.searchKnn(Array.from(rowOf(queries, q, dim)), 10);
        const found = graph.search(queries, q * dim, 10, 30);
        expect(Array.from(graph.resultLabels.subarray(0, found))).toEqual(result.neighbors);
        viaNative.push(result.neighbors);
      }
      // As good a graph as hnswlib's own insert builds with the same parameters.
      const reference = new hnswlib.HierarchicalNSW(space, dim);
      reference.initIndex(n, 12, 80, 3);
      for (let i = 0; i < n; i++) reference.addPoint(Array.from(rowOf(data, i, dim)), i);
      reference.setEf(30);
      const viaReference = Array.from(
        { length: 80 },
        (_, q) => reference.searchKnn(Array.from(rowOf(queries, q, dim)), 10).neighbors,
      );
      const exact = truth(space, 10);
      const ours = recallAtK(viaNative, exact, 10);
      const theirs = recallAtK(viaReference, exact, 10);
      expect(ours).toBeGreaterThan(theirs - 0.03);
      // The stored vectors are the inputs (normalised for cosine, as hnswlib stores them).
      const stored = native.getPoint(17);
      const input = Array.from(rowOf(data, 17, dim));
      const norm = space === 'cosine' ? Math.hypot(...input) : 1;
      stored.forEach((v, j) => {
        expect(v).toBeCloseTo(input[j]! / norm, 5);
      });
    });
  }

  it('handles one vector and a graph with upper levels', () => {
    const one = buildHnswFile(data.subarray(0, dim), dim, {
      space: 'l2',
      M: 4,
      efConstruction: 10,
      seed: 1,
      capacity: 1,
    });
    const graph = new HnswGraph(one, dim, 'l2');
    expect(graph.search(data, 0, 5, 10)).toBe(1);
    // M = 2 gives many levels (mult = 1/ln 2): the greedy descent runs.
    const tall = buildHnswFile(data.subarray(0, 300 * dim), dim, {
      space: 'l2',
      M: 2,
      efConstruction: 20,
      seed: 1,
      capacity: 300,
    });
    const tallGraph = new HnswGraph(tall, dim, 'l2');
    expect(tallGraph.search(data, 42 * dim, 1, 50)).toBe(1);
    expect(tallGraph.resultLabels[0]).toBe(42);
  });
});

describe('HnswIndex bulk build', () => {
  it('builds a large first batch itself, comes out optimised, and stays mutable', () => {
    const index = new HnswIndex<{ even: boolean }>({ dim, M: 12, efConstruction: 80, ef: 40 });
    const progress: number[] = [];
    index.addBatch(
      ids,
      data,
      ids.map((_, i) => ({ even: i % 2 === 0 })),
      { onProgress: (done) => progress.push(done) },
    );
    expect(progress.at(-1)).toBe(n);
    expect(index.optimizedForSearch).toBe(true);
    expect(index.size).toBe(n);
    const found = index.searchBatch(queries, 10).map((r) => r.ids.map((id) => Number(id.slice(1))));
    expect(recallAtK(found, truth('l2', 10), 10)).toBeGreaterThan(0.9);
    const filtered = index.search(rowOf(data, 3, dim), 5, { filter: (_, m) => m?.even === false });
    expect(filtered.ids[0]).toBe('x3');

    // hnswlib-node holds the graph: adds, deletes (with space reuse) and growth all work.
    const capacity = index.capacity;
    index.delete('x3');
    index.add('new', rowOf(data, 3, dim));
    expect(index.capacity).toBe(capacity);
    expect(index.optimizedForSearch).toBe(false);
    expect(index.search(rowOf(data, 3, dim), 1).ids).toEqual(['new']);
    for (let i = 0; i < capacity - n + 5; i++) index.add(`more-${i}`, rowOf(queries, i % 80, dim));
    expect(index.capacity).toBeGreaterThan(capacity);
    index.optimizeForSearch();
    expect(index.search(rowOf(data, 3, dim), 1).ids).toEqual(['new']);
  });

  it('can be switched off to insert through hnswlib', () => {
    const index = new HnswIndex({ dim, M: 12, efConstruction: 80, bulkBuild: false });
    index.addBatch(ids, data);
    expect(index.optimizedForSearch).toBe(false);
    expect(index.search(rowOf(data, 10, dim), 1).ids).toEqual(['x10']);
  });

  it('saves and loads a bulk-built index', async () => {
    const index = new HnswIndex({ dim, M: 8, efConstruction: 40 });
    index.addBatch(ids, data);
    await index.save(join(root, 'bulk'));
    const loaded = await HnswIndex.load(join(root, 'bulk'), { dim });
    expect(loaded.searchBatch(queries, 5).map((r) => r.ids)).toEqual(
      index.searchBatch(queries, 5).map((r) => r.ids),
    );
  });
});
