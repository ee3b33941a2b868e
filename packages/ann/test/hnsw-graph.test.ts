import { isMlsdError } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { HnswGraph } from '../src/hnsw-graph.js';
import { HnswIndex, loadHnswlibNode } from '../src/index.js';
import {
  createDistanceKernels,
  paddedStride,
  ROWS_PER_PASS,
  runKernels,
} from '../src/wasm-distances.js';
import { nativeAvailable } from './native-engine.js';
import { randomVectors, referenceDistance, rowOf } from './random-vectors.js';

const dim = 24;
const n = 1500;
const data = randomVectors(n, dim, 'graph-train');
const queries = randomVectors(60, dim, 'graph-queries');
const ids = Array.from({ length: n }, (_, i) => `v${i}`);

/** An index on hnswlib-node built by its own addPoint, so it starts unoptimised. */
function build(space: 'l2' | 'ip' | 'cosine', M = 12): HnswIndex<{ group: number }> {
  const index = new HnswIndex<{ group: number }>({
    dim,
    space,
    M,
    efConstruction: 60,
    ef: 30,
    engine: 'hnswlib-node',
    bulkBuild: false,
  });
  index.addBatch(
    ids,
    data,
    ids.map((_, i) => ({ group: i % 7 })),
  );
  return index;
}

/** Searches with hnswlib-node, then with the optimised copy, and returns both. */
function bothWays(
  index: HnswIndex<{ group: number }>,
  k: number,
  filter?: (id: string, m: { group: number } | undefined) => boolean,
) {
  const options = filter === undefined ? {} : { filter };
  const native = index.searchBatch(queries, k, options);
  expect(index.optimizeForSearch()).toBe(true);
  expect(index.optimizedForSearch).toBe(true);
  const optimised = index.searchBatch(queries, k, options);
  return { native, optimised };
}

function expectSameResults(
  native: { ids: string[]; distances: Float32Array }[],
  optimised: { ids: string[]; distances: Float32Array }[],
): void {
  optimised.forEach((result, q) => {
    expect(result.ids).toEqual(native[q]!.ids);
    result.distances.forEach((d, i) => {
      expect(d).toBeCloseTo(native[q]!.distances[i]!, 4);
    });
  });
}

describe('WebAssembly distance kernels (JavaScript reference as the oracle)', () => {
  it('compute L2 and 1 − inner product for listed rows, any count, and dot4', () => {
    const stride = paddedStride(dim);
    expect(stride % 64).toBe(0);
    const rows = 10;
    const kernels = createDistanceKernels(4096 + rows * stride);
    const memory = kernels.memory.buffer;
    const query = new Float32Array(memory, 0, dim);
    query.set(rowOf(queries, 0, dim));
    const base = 4096;
    for (let r = 0; r < rows; r++) {
      new Float32Array(memory, base + r * stride, dim).set(rowOf(data, r, dim));
    }
    const picked = [7, 0, 3, 9, 9, 1, 2, 5, 6, 8, 4, 0, 1, 2, 3, 4];
    expect(picked.length % ROWS_PER_PASS).toBe(0);
    new Int32Array(memory, 1024, picked.length).set(picked);
    const out = new Float32Array(memory, 2048, picked.length);
    kernels.l2(0, base, 1024, picked.length, stride, 2048);
    picked.forEach((row, i) => {
      expect(out[i]).toBeCloseTo(referenceDistance(query, rowOf(data, row, dim), 'l2'), 4);
    });
    kernels.ip(0, base, 1024, picked.length, stride, 2048);
    picked.forEach((row, i) => {
      expect(out[i]).toBeCloseTo(referenceDistance(query, rowOf(data, row, dim), 'ip'), 4);
    });
    // Any count through the widest kernels that fit (8, 4, 2, 1 rows per pass).
    for (let count = 1; count <= 15; count++) {
      for (const space of ['l2', 'ip'] as const) {
        out.fill(-1);
        runKernels(kernels, space, 0, base, 1024, count, stride, 2048);
        picked.slice(0, count).forEach((row, i) => {
          expect(out[i]).toBeCloseTo(referenceDistance(query, rowOf(data, row, dim), space), 4);
        });
        if (count < picked.length) expect(out[count]).toBe(-1);
      }
    }
    // dot4: queries at rows 0..3 of the block, against 5 rows of the block.
    kernels.dot4(base, base + stride, base + 2 * stride, base + 3 * stride, base, 5, stride, 2048);
    const dots = new Float32Array(memory, 2048, 20);
    for (let r = 0; r < 5; r++) {
      for (let q = 0; q < 4; q++) {
        expect(dots[4 * r + q]).toBeCloseTo(
          1 - referenceDistance(rowOf(data, q, dim), rowOf(data, r, dim), 'ip'),
          4,
        );
      }
    }
  });
});

// hnswlib-node engine only (registered where it imports; see native-engine.ts).
if (nativeAvailable)
  describe('HnswIndex.optimizeForSearch on hnswlib-node', () => {
    for (const space of ['l2', 'ip', 'cosine'] as const) {
      it(`returns what hnswlib-node's searchKnn returns (${space})`, () => {
        const { native, optimised } = bothWays(build(space), 10);
        expectSameResults(native, optimised);
      });
    }

    it('matches with deleted nodes, a filter, and k above ef', () => {
      const index = build('l2');
      for (let i = 0; i < n; i += 5) index.delete(`v${i}`);
      const deleted = bothWays(index, 10);
      expectSameResults(deleted.native, deleted.optimised);
      for (const result of deleted.optimised) {
        for (const id of result.ids) expect(Number(id.slice(1)) % 5).not.toBe(0);
      }
      const filtered = bothWays(index, 10, (_id, m) => m?.group === 3);
      expectSameResults(filtered.native, filtered.optimised);
      for (const result of filtered.optimised) {
        expect(result.ids).toHaveLength(10);
        for (const id of result.ids) expect(Number(id.slice(1)) % 7).toBe(3);
      }
      const wide = bothWays(index, 80);
      expectSameResults(wide.native, wide.optimised);
      expect(wide.optimised[0]!.ids).toHaveLength(80);
    });

    it('returns every item when k exceeds the size', () => {
      const index = new HnswIndex({ dim, engine: 'hnswlib-node' });
      index.addBatch(ids.slice(0, 5), data.subarray(0, 5 * dim));
      index.optimizeForSearch();
      expect(
        index
          .search(rowOf(data, 2, dim), 50)
          .ids.slice()
          .sort(),
      ).toEqual(ids.slice(0, 5).sort());
      const empty = new HnswIndex({ dim, engine: 'hnswlib-node' });
      expect(empty.optimizeForSearch()).toBe(true);
      expect(empty.search(rowOf(data, 0, dim), 3).ids).toEqual([]);
    });

    it('is dropped by any change, so searches never see a stale graph', () => {
      const index = build('l2');
      index.optimizeForSearch();
      const moved = rowOf(data, 9, dim).map((v) => v + 1e-4);
      index.upsert('v1', moved);
      expect(index.optimizedForSearch).toBe(false);
      expect(index.search(moved, 2).ids).toContain('v1');
      index.optimizeForSearch();
      index.delete('v9');
      expect(index.optimizedForSearch).toBe(false);
      index.optimizeForSearch();
      index.add('new', moved);
      expect(index.optimizedForSearch).toBe(false);
      index.optimizeForSearch();
      expect(index.search(moved, 2).ids.sort()).toEqual(['new', 'v1']);
    });

    it('follows ef changes', () => {
      const index = build('l2');
      index.optimizeForSearch();
      index.ef = 10;
      const narrow = index.searchBatch(queries, 10);
      index.ef = 200;
      const wide = index.searchBatch(queries, 10);
      expect(index.optimizedForSearch).toBe(true);
      // A wider beam finds results at least as near, and for some query strictly nearer.
      let better = 0;
      wide.forEach((result, q) => {
        expect(result.distances[9]!).toBeLessThanOrEqual(narrow[q]!.distances[9]! + 1e-5);
        if (result.distances[9]! < narrow[q]!.distances[9]! - 1e-5) better++;
      });
      expect(better).toBeGreaterThan(0);
    });
  });

describe('HnswGraph', () => {
  it('refuses bytes that are not an hnswlib index file of that dimension', () => {
    const codeOf = (action: () => unknown) => {
      try {
        action();
      } catch (error) {
        return isMlsdError(error) ? error.code : String(error);
      }
      return 'no error';
    };
    expect(codeOf(() => HnswGraph.fromFile(new Uint8Array(10), dim, 'l2'))).toBe('CORRUPT_FILE');
    expect(codeOf(() => HnswGraph.fromFile(new Uint8Array(200), dim, 'l2'))).toBe('CORRUPT_FILE');
    const file = graphOf(200, 8).toFile();
    expect(codeOf(() => HnswGraph.fromFile(file, dim + 1, 'l2'))).toBe('CORRUPT_FILE');
    expect(codeOf(() => HnswGraph.fromFile(file.subarray(0, file.length - 9), dim, 'l2'))).toBe(
      'CORRUPT_FILE',
    );
  });

  it('searches one node, and a tall graph (M = 2: many levels, greedy descent)', () => {
    const one = graphOf(1, 4);
    expect(one.search(data, 0, 5, 10)).toBe(1);
    const tall = graphOf(300, 2);
    expect(tall.search(data, 42 * dim, 1, 50)).toBe(1);
    expect(tall.resultLabels[0]).toBe(42);
  });

  it('writes a file it reads back to the same searches, and keeps growing after', () => {
    const graph = graphOf(700, 8);
    for (let i = 0; i < 700; i += 7) graph.markDeleted(i);
    const copy = HnswGraph.fromFile(graph.toFile(), dim, 'l2', 1);
    // The same bytes after the header's capacity (room: the copy has just what it holds).
    expect(copy.toFile().subarray(16)).toEqual(graph.toFile().subarray(16));
    for (let q = 0; q < 20; q++) {
      const found = graph.search(queries, q * dim, 10, 40);
      expect(copy.search(queries, q * dim, 10, 40)).toBe(found);
      expect(copy.resultLabels.subarray(0, found)).toEqual(graph.resultLabels.subarray(0, found));
    }
    // Growing moves the vectors to a larger WebAssembly memory: they must come along.
    for (let i = 700; i < n; i++) copy.insert(data, i * dim);
    expect(copy.capacity).toBeGreaterThanOrEqual(n);
    for (const node of [3, 699, 701, n - 1]) {
      expect(copy.getVector(node)).toEqual(rowOf(data, node, dim));
      copy.search(data, node * dim, 1, 40);
      expect(copy.resultLabels[0]).toBe(node);
    }
  });

  it('keeps its recall through updates that move many vectors', () => {
    const graph = graphOf(n, 12);
    // Move every third node onto another's vector plus a little, as upserts do.
    const moved = Float32Array.from(data);
    for (let i = 0; i < n; i += 3) {
      for (let j = 0; j < dim; j++) moved[i * dim + j] = data[((i * 7) % n) * dim + j]! + 0.01;
      graph.update(i, moved, i * dim);
    }
    let hits = 0;
    for (let i = 0; i < n; i += 3) {
      graph.search(moved, i * dim, 1, 50);
      if (graph.resultLabels[0] === i) hits++;
    }
    expect(hits / Math.ceil(n / 3)).toBeGreaterThan(0.97);
  });
});

function graphOf(count: number, M: number): HnswGraph {
  const graph = new HnswGraph({ dim, space: 'l2', M, efConstruction: 40, seed: 1, capacity: 16 });
  for (let i = 0; i < count; i++) graph.insert(data, i * dim);
  return graph;
}

// The engine switch: MLSD_HNSW_ENGINE picks hnswlib-node for indexes without an `engine`
// option; when it is not loaded, the built-in engine runs instead, logged once and counted.
describe('MLSD_HNSW_ENGINE', () => {
  it('falls back to the built-in engine, never silently, when hnswlib-node is not loaded', async () => {
    const { fallbackCounts } = await import('@mlsd/core');
    const before = fallbackCounts()['@mlsd/ann HnswIndex'] ?? 0;
    process.env.MLSD_HNSW_ENGINE = 'hnswlib-node';
    try {
      const created = await HnswIndex.create({ dim });
      expect(created.engine).toBe(nativeAvailable ? 'hnswlib-node' : 'wasm');
      expect(await loadHnswlibNode()).toBe(nativeAvailable);
      process.env.MLSD_HNSW_ENGINE = 'bogus';
      expect(() => new HnswIndex({ dim })).toThrow(/MLSD_HNSW_ENGINE=bogus is not an HNSW engine/);
    } finally {
      delete process.env.MLSD_HNSW_ENGINE;
    }
    expect(new HnswIndex({ dim }).engine).toBe('wasm');
    expect(fallbackCounts()['@mlsd/ann HnswIndex'] ?? 0).toBe(before + (nativeAvailable ? 0 : 1));
  });
});
