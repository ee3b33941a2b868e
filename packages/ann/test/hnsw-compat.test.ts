import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMlsdError, Rng } from '@mlsd/core';
import type { HierarchicalNSW } from 'hnswlib-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HnswGraph } from '../src/hnsw-graph.js';
import { ExactIndex, HnswIndex, neighbourLists, recallAtK } from '../src/index.js';
import { nativeAvailable } from './native-engine.js';
import { rowOf } from './random-vectors.js';

/**
 * hnswlib-node and our engine read each other's graphs and search them alike: a graph built by
 * one engine, searched by both, gives the same ids and distances. The vectors are small
 * integers, so every distance is exact in float32 whatever the summation order, and the two
 * searches must agree to the bit.
 */
const dim = 32;
const n = 1500;
const M = 8;
const efConstruction = 60;
const ef = 30;
const k = 10;

function integerVectors(count: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: count * dim }, () => Math.floor(rng.next() * 256));
}

const data = integerVectors(n, 11);
const queries = integerVectors(60, 12);
/** New vectors for updates (fresh draws: no two nodes share a vector, so no tied distances). */
const moved = integerVectors(n, 13);

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlsd-ann-compat-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function nativeModule() {
  return (await import('hnswlib-node')).default;
}

/** Writes bytes where hnswlib-node can read them (it reads paths only) and loads them. */
async function nativeFromFile(
  file: Uint8Array,
  space: 'l2' | 'ip' | 'cosine',
  name: string,
): Promise<HierarchicalNSW> {
  const path = join(root, name);
  await writeFile(path, file);
  const native = new (await nativeModule()).HierarchicalNSW(space, dim);
  native.readIndexSync(path, false);
  native.setEf(ef);
  return native;
}

function expectSameSearches(native: HierarchicalNSW, graph: HnswGraph, exact: boolean): void {
  for (let q = 0; q < queries.length / dim; q++) {
    const theirs = native.searchKnn(Array.from(rowOf(queries, q, dim)), k);
    const found = graph.search(queries, q * dim, k, ef);
    expect(Array.from(graph.resultLabels.subarray(0, found))).toEqual(theirs.neighbors);
    const ours = Array.from(graph.resultDistances.subarray(0, found));
    if (exact) expect(ours).toEqual(theirs.distances.map((d) => Math.fround(d)));
    else
      ours.forEach((d, i) => {
        expect(d).toBeCloseTo(theirs.distances[i]!, 4);
      });
  }
}

// Registered only where hnswlib-node imports (native-engine.ts says so on stderr otherwise).
if (nativeAvailable)
  describe('graphs move between hnswlib-node and our engine', () => {
    for (const space of ['l2', 'ip', 'cosine'] as const) {
      // Cosine normalises, so its distances are no longer integers: compared to 1e-4.
      const exact = space !== 'cosine';

      it(`hnswlib-node builds, ours searches: same ids and distances (${space})`, async () => {
        const native = new (await nativeModule()).HierarchicalNSW(space, dim);
        native.initIndex(n, M, efConstruction, 5);
        for (let i = 0; i < n; i++) native.addPoint(Array.from(rowOf(data, i, dim)), i);
        for (let i = 0; i < n; i += 9) native.markDelete(i);
        native.setEf(ef);
        const path = join(root, `native-${space}.hnsw`);
        native.writeIndexSync(path);
        const graph = HnswGraph.fromFile(await readFile(path), dim, space);
        expect(graph.count).toBe(n);
        expect(graph.isDeleted(9)).toBe(true);
        expectSameSearches(native, graph, exact);
      });

      it(`ours builds, hnswlib-node searches: same ids and distances (${space})`, async () => {
        const graph = new HnswGraph({ dim, space, M, efConstruction, seed: 5, capacity: 100 });
        for (let i = 0; i < n; i++) graph.insert(data, i * dim);
        for (let i = 0; i < n; i += 9) graph.markDeleted(i);
        // Updates and a deleted node brought back exercise updatePoint's repairs too.
        for (let i = 1; i < n; i += 50) graph.update(i, moved, i * dim);
        graph.update(18, data, 18 * dim);
        const native = await nativeFromFile(graph.toFile(), space, `ours-${space}.hnsw`);
        expect(native.getCurrentCount()).toBe(n);
        expect(native.getMaxElements()).toBe(graph.capacity);
        expectSameSearches(native, graph, exact);
        // The stored vectors are the inputs (normalised for cosine, as hnswlib stores them).
        const input = Array.from(rowOf(data, 17, dim));
        const norm = space === 'cosine' ? Math.hypot(...input) : 1;
        native.getPoint(17).forEach((v, j) => {
          expect(v).toBeCloseTo(input[j]! / norm, 5);
        });
      });
    }

    it('our insert builds as good a graph as hnswlib-node’s addPoint', async () => {
      const exactIndex = new ExactIndex({ dim });
      exactIndex.addBatch(
        Array.from({ length: n }, (_, i) => String(i)),
        data,
      );
      const truth = neighbourLists(exactIndex.searchRows(queries, k)).map((row) => Array.from(row));
      const graph = new HnswGraph({ dim, space: 'l2', M, efConstruction, seed: 3, capacity: n });
      for (let i = 0; i < n; i++) graph.insert(data, i * dim);
      const native = new (await nativeModule()).HierarchicalNSW('l2', dim);
      native.initIndex(n, M, efConstruction, 3);
      for (let i = 0; i < n; i++) native.addPoint(Array.from(rowOf(data, i, dim)), i);
      native.setEf(ef);
      const ours: number[][] = [];
      const theirs: number[][] = [];
      for (let q = 0; q < queries.length / dim; q++) {
        const found = graph.search(queries, q * dim, k, ef);
        ours.push(Array.from(graph.resultLabels.subarray(0, found)));
        theirs.push(native.searchKnn(Array.from(rowOf(queries, q, dim)), k).neighbors);
      }
      expect(recallAtK(ours, truth, k)).toBeGreaterThan(recallAtK(theirs, truth, k) - 0.03);
    });

    it('an HnswIndex on hnswlib-node builds in bulk, stays mutable, and saves for our engine', async () => {
      const ids = Array.from({ length: n }, (_, i) => `x${i}`);
      const index = await HnswIndex.create({ dim, M, efConstruction, ef, engine: 'hnswlib-node' });
      expect(index.engine).toBe('hnswlib-node');
      index.addBatch(ids, data);
      expect(index.optimizedForSearch).toBe(true);
      const capacity = index.capacity;
      index.delete('x3');
      index.add('new', rowOf(data, 3, dim));
      expect(index.capacity).toBe(capacity);
      expect(index.optimizedForSearch).toBe(false);
      expect(index.search(rowOf(data, 3, dim), 1).ids).toEqual(['new']);
      index.optimizeForSearch();
      await index.save(join(root, 'native-index'));
      const ours = await HnswIndex.load(join(root, 'native-index'), { engine: 'wasm' });
      expect(ours.engine).toBe('wasm');
      expect(ours.searchBatch(queries, k)).toEqual(index.searchBatch(queries, k));
    });
  });
else
  describe('without hnswlib-node', () => {
    it('asking for it by option says how to install it; the default engine needs nothing', async () => {
      const error = await HnswIndex.create({ dim, engine: 'hnswlib-node' }).catch(
        (e: unknown) => e,
      );
      expect(isMlsdError(error) && error.code).toBe('NOT_FOUND');
      expect(String(error)).toMatch(/npm install hnswlib-node/);
      expect(new HnswIndex({ dim }).engine).toBe('wasm');
    });
  });
