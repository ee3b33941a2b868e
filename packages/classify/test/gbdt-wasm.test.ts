import { Rng } from '@mlsd/core';
import { describe, expect, it, vi } from 'vitest';
import initWabt from 'wabt';
import { buildHistogram, histogramLength } from '../src/models/gbdt/histogram.js';
import { partitionRows } from '../src/models/gbdt/partition-rows.js';
import { TrainingMemory } from '../src/models/gbdt/training-memory.js';
import { fixedKernelsModule, KERNEL_FALLBACK } from '../src/models/gbdt/wasm-kernels.js';
import { makeData } from './gbdt-data.js';

describe('per-fit kernels', () => {
  it('read as this text for a small fit (a change to the generator reviews as a diff)', async () => {
    const wabt = await initWabt();
    const bytes = fixedKernelsModule({
      bins: 1024,
      rows: 100,
      rowBins: 4096,
      stride: 8,
      histogram: 64,
      slots: 4,
      cols: 2,
    });
    const module = wabt.readWasm(bytes, { readDebugNames: true });
    module.applyNames();
    await expect(module.toText({ foldExprs: false, inlineExport: true })).toMatchFileSnapshot(
      './__snapshots__/fixed-kernels.wat',
    );
    module.destroy();
  });
});

/** Random binned data in a wasm-backed and a JS-backed memory, with identical contents. */
function twinMemories(rows: number, cols: number, slots: number, seed: number) {
  const rng = new Rng(seed);
  const wasm = new TrainingMemory(rows, cols, slots);
  const js = new TrainingMemory(rows, cols, slots, false);
  for (let k = 0; k < rows * cols; k++) {
    // Skewed bins, so some slots collect many rows, plus the missing bin now and then; in
    // feature 0 bin 3 holds ~95 % of the rows and in feature 1 bin 0 ~99 %.
    const u = rng.uniform(0, 1);
    const feature = Math.floor(k / rows);
    if (feature === 0) wasm.bins[k] = u < 0.95 ? 3 : rng.integer(0, slots);
    else if (feature === 1) wasm.bins[k] = u < 0.99 ? 0 : rng.integer(1, slots);
    else wasm.bins[k] = u < 0.05 ? slots - 1 : Math.floor(u * u * (slots - 1));
  }
  js.bins.set(wasm.bins);
  wasm.binsChanged();
  js.binsChanged();
  for (let k = 0; k < 2 * rows; k++) {
    wasm.gradHess[k] = k % 2 === 0 ? rng.normal() : rng.uniform(0, 0.25);
  }
  js.gradHess.set(wasm.gradHess);
  return { rng, wasm, js };
}

describe('TrainingMemory (WebAssembly kernels against the JavaScript loops)', () => {
  const rows = 3000;
  const cols = 7;
  const slots = 33;

  it('runs the WebAssembly kernels on Node', () => {
    expect(new TrainingMemory(10, 2, 4).accelerated).toBe(true);
    expect(new TrainingMemory(10, 2, 4, false).accelerated).toBe(false);
  });

  it('builds identical histograms for random row subsets, feature subsets and the root', () => {
    const { rng, wasm, js } = twinMemories(rows, cols, slots, 5);
    const size = histogramLength(cols, slots);
    const used = cols * slots * 3;
    const all = Int32Array.from({ length: cols }, (_, f) => f);
    for (let trial = 0; trial < 6; trial++) {
      const count = rng.integer(1, rows);
      const picked = rng.sample(rows, count).sort();
      wasm.rowIndices.set(picked);
      js.rowIndices.set(picked);
      const features = trial % 2 === 0 ? all : rng.sample(cols, 1 + trial).sort();
      const start = rng.integer(0, count);
      const a = new Float64Array(size).fill(7);
      const b = new Float64Array(size).fill(7);
      wasm.buildHistogram(a, features, start, count);
      js.buildHistogram(b, features, start, count);
      expect(a.subarray(0, used)).toEqual(b.subarray(0, used));
      // And both equal direct per-row sums, in the same order, so to the bit.
      for (const feature of features) {
        const expected = new Float64Array(slots * 3);
        for (let k = start; k < count; k++) {
          const row = picked[k]!;
          const at = wasm.bins[feature * rows + row]! * 3;
          expected[at] = expected[at]! + js.gradHess[2 * row]!;
          expected[at + 1] = expected[at + 1]! + js.gradHess[2 * row + 1]!;
          expected[at + 2] = expected[at + 2]! + 1;
        }
        expect(a.subarray(feature * slots * 3, (feature + 1) * slots * 3)).toEqual(expected);
      }
      if (features.length < cols) {
        // Features not listed are left untouched.
        const skipped = all.find((f) => !features.includes(f))!;
        expect(a[skipped * slots * 3]).toBe(7);
      }
    }
    // The root of a tree on all rows: sums without indirection, counts from an earlier pass.
    const identity = Uint32Array.from({ length: rows }, (_, k) => k);
    wasm.rowIndices.set(identity);
    js.rowIndices.set(identity);
    const counts = new Float64Array(size);
    js.buildHistogram(counts, all, 0, rows);
    const a = new Float64Array(size);
    const b = new Float64Array(size);
    wasm.buildHistogram(a, all, 0, rows, counts);
    buildHistogram(b, js.source, all, identity, 0, rows, counts);
    expect(a.subarray(0, used)).toEqual(b.subarray(0, used));
    expect(a.subarray(0, used)).toEqual(counts.subarray(0, used));
  });

  it('partitions rows identically, both sides in their original order', () => {
    const { rng, wasm, js } = twinMemories(rows, cols, slots, 6);
    const goesLeft = new Uint8Array(256);
    for (let trial = 0; trial < 8; trial++) {
      const picked = rng.sample(rows, rng.integer(2, rows)).sort();
      wasm.rowIndices.set(picked);
      js.rowIndices.set(picked);
      const feature = rng.integer(0, cols);
      const cut = rng.integer(0, slots - 1);
      for (let b = 0; b < 256; b++) goesLeft[b] = b <= cut ? 1 : 0;
      goesLeft[slots - 1] = trial % 2;
      const start = rng.integer(0, picked.length - 1);
      const end = rng.integer(start + 1, picked.length + 1);
      const column = wasm.bins.subarray(feature * rows, (feature + 1) * rows);
      let left = 0;
      for (let k = start; k < end; k++) left += goesLeft[column[picked[k]!]!]!;
      const split = wasm.partition(start, end, feature, goesLeft, left);
      expect(split).toBe(start + left);
      expect(js.partition(start, end, feature, goesLeft, left)).toBe(split);
      expect(wasm.rowIndices).toEqual(js.rowIndices);
      const expectedLeft = [...picked.slice(start, end)].filter((r) => goesLeft[column[r]!] === 1);
      expect([...wasm.rowIndices.subarray(start, split)]).toEqual(expectedLeft);
      // Rows outside [start, end) stay where they were.
      expect([...wasm.rowIndices.subarray(0, start)]).toEqual([...picked.subarray(0, start)]);
      // The JS loop with the other direction hint agrees too.
      const again = Uint32Array.from(picked);
      const scratch = new Uint32Array(rows);
      const other = partitionRows(again, start, end, column, goesLeft, end - start - left, scratch);
      expect(other).toBe(split);
      expect(again.subarray(0, picked.length)).toEqual(wasm.rowIndices.subarray(0, picked.length));
    }
  });
});

describe('GradientBoostingClassifier with and without WebAssembly', () => {
  it('grows the same trees, bit for bit, on the JavaScript loops', async () => {
    const { X, y } = makeData(
      4000,
      6,
      (row) => (row[0]! * row[1]! > 0.2 || row[2]! > 1.5 ? 0.8 : 0.1),
      9,
    );
    // Some missing values, so the missing bin and its direction are exercised too.
    for (let k = 0; k < X.data.length; k += 13) X.data[k] = Number.NaN;
    const options = { maxIter: 12, rowSubsample: 0.7, columnSubsample: 0.8, seed: 2 };
    const withWasm = await import('../src/models/gbdt/gradient-boosting-classifier.js');
    const fast = await new withWasm.GradientBoostingClassifier(options).fit(X, y);
    vi.resetModules();
    vi.stubGlobal('WebAssembly', undefined);
    try {
      const withoutWasm = await import('../src/models/gbdt/gradient-boosting-classifier.js');
      const memory = await import('../src/models/gbdt/training-memory.js');
      const core = await import('@mlsd/core');
      const before = core.fallbackCounts()[KERNEL_FALLBACK] ?? 0;
      expect(new memory.TrainingMemory(10, 2, 4).accelerated).toBe(false);
      // The JavaScript loops run instead, and that is logged and counted, never silent.
      expect(core.fallbackCounts()[KERNEL_FALLBACK]).toBe(before + 1);
      const plain = await new withoutWasm.GradientBoostingClassifier(options).fit(X, y);
      expect(plain.trees).toEqual(fast.trees);
      expect(plain.predictProba(X)).toEqual(fast.predictProba(X));
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});
