import { encodeTypedArray, isMlsdError, Rng, toMatrix } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import {
  type BinaryClassifier,
  CalibratedClassifier,
  GradientBoostingClassifier,
  LogisticRegression,
} from '../src/index.js';
import { PackedTrees } from '../src/models/gbdt/packed-trees.js';
import { predictRaw, type TreeEnsemble } from '../src/models/gbdt/tree-ensemble.js';
import { makeData } from './gbdt-data.js';

/**
 * Values drawn for thresholds and for row cells alike, so rows land exactly on thresholds, on
 * signed zeros and infinities; NaN is a missing cell or (in a corrupt-looking but accepted
 * model) a threshold.
 */
const POOL = [-2, -0.5, -0, 0, 0.25, 1, 3, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];

function pick(rng: Rng, nanShare: number): number {
  if (rng.next() < nanShare) return Number.NaN;
  return rng.next() < 0.5 ? POOL[rng.integer(0, POOL.length)]! : rng.normal();
}

/** A random ensemble of `trees` trees up to `maxDepth` deep (children after their parent). */
function randomEnsemble(rng: Rng, trees: number, featureCount: number, maxDepth: number) {
  const feature: number[] = [];
  const threshold: number[] = [];
  const missingGoesLeft: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const treeStarts = [0];
  const grow = (depth: number): number => {
    const node = feature.length;
    const leaf = depth === maxDepth || rng.next() < 0.25;
    feature.push(leaf ? -1 : rng.integer(0, featureCount));
    threshold.push(leaf ? 0 : pick(rng, 0.05));
    missingGoesLeft.push(rng.next() < 0.5 ? 1 : 0);
    left.push(-1);
    right.push(-1);
    value.push(leaf ? (rng.next() < 0.1 ? -0 : rng.normal(0, 0.3)) : 0);
    if (!leaf) {
      left[node] = grow(depth + 1);
      right[node] = grow(depth + 1);
    }
    return node;
  };
  for (let t = 0; t < trees; t++) {
    grow(0);
    treeStarts.push(feature.length);
  }
  const nodes = feature.length;
  const ensemble: TreeEnsemble = {
    baseline: rng.normal(),
    treeStarts: Int32Array.from(treeStarts),
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    missingGoesLeft: Uint8Array.from(missingGoesLeft),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    gain: new Float64Array(nodes),
    count: new Float64Array(nodes),
  };
  return ensemble;
}

describe('PackedTrees (one row at a time)', () => {
  it('runs the WebAssembly walk on Node', () => {
    const ensemble = randomEnsemble(new Rng(1), 3, 2, 3);
    expect(PackedTrees.from(ensemble, 2).accelerated).toBe(true);
    expect(PackedTrees.from(ensemble, 2, false).accelerated).toBe(false);
  });

  it('gives predictRaw to the bit on random ensembles and rows, missing values included', () => {
    const rng = new Rng(2024);
    let compared = 0;
    for (let trial = 0; trial < 60; trial++) {
      const featureCount = rng.integer(1, 9);
      // Tree counts around multiples of four (the kernel walks four at a time), none included.
      const trees = trial === 0 ? 0 : rng.integer(1, 14);
      const ensemble = randomEnsemble(rng, trees, featureCount, rng.integer(0, 8));
      const walks = [
        PackedTrees.from(ensemble, featureCount),
        PackedTrees.from(ensemble, featureCount, false),
      ];
      for (let r = 0; r < 40; r++) {
        const row = new Float64Array(featureCount);
        const nanShare = r % 4 === 0 ? 0.6 : 0.15;
        for (let j = 0; j < featureCount; j++) row[j] = pick(rng, nanShare);
        const as32 = Float32Array.from(row);
        for (const input of [row, as32]) {
          const expected = predictRaw(ensemble, toMatrix(input, 1, featureCount))[0]!;
          for (const walk of walks) {
            const got = walk.predictRawRow(input);
            if (!Object.is(got, expected)) {
              expect({ trial, r, row: [...input], got }).toEqual({
                trial,
                r,
                row: [...input],
                got: expected,
              });
            }
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(60 * 40 * 2 * 2);
  });

  it('sends a missing value the learned way at thresholds no comparison can decide (NaN, +∞)', () => {
    // Tree 0 splits at NaN, tree 1 at +∞; each once with missing left, once right.
    for (const missingLeft of [1, 0]) {
      for (const split of [Number.NaN, Number.POSITIVE_INFINITY]) {
        const ensemble: TreeEnsemble = {
          baseline: 0,
          treeStarts: Int32Array.of(0, 3),
          feature: Int32Array.of(0, -1, -1),
          threshold: Float64Array.of(split, 0, 0),
          missingGoesLeft: Uint8Array.of(missingLeft, 0, 0),
          left: Int32Array.of(1, -1, -1),
          right: Int32Array.of(2, -1, -1),
          value: Float64Array.of(0, -1, 1),
          gain: new Float64Array(3),
          count: new Float64Array(3),
        };
        const packed = PackedTrees.from(ensemble, 1);
        for (const x of [Number.NaN, 5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
          const row = Float64Array.of(x);
          expect(packed.predictRawRow(row)).toBe(predictRaw(ensemble, toMatrix(row, 1, 1))[0]);
        }
      }
    }
  });
});

describe('GradientBoostingClassifier.predictProbaRow', () => {
  it('equals predictProba of a one-row matrix, before and after a JSON round trip', async () => {
    const data = makeData(600, 4, (row) => (row[0]! + row[1]! * row[2]! > 0 ? 0.9 : 0.1), 5);
    // Missing cells in training, so splits learn a side for them.
    for (let k = 0; k < data.X.data.length; k += 7) data.X.data[k] = Number.NaN;
    const model = await new GradientBoostingClassifier({ maxIter: 30, maxDepth: 4, seed: 3 }).fit(
      data.X,
      data.y,
    );
    const copy = GradientBoostingClassifier.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    const rows = data.X.rows;
    const batch = model.predictProba(data.X);
    for (let i = 0; i < rows; i++) {
      const row = Float32Array.from(data.X.data.subarray(i * 4, (i + 1) * 4));
      const expected = model.predictProba(toMatrix(row, 1, 4))[0]!;
      expect(model.predictProbaRow(row)).toBe(expected);
      expect(copy.predictProbaRow(row)).toBe(expected);
      expect(model.predictProbaRow(data.X.data.subarray(i * 4, (i + 1) * 4))).toBe(batch[i]);
    }
  });

  it('refuses a row of the wrong length', async () => {
    const data = makeData(200, 3, (row) => (row[0]! > 0 ? 0.8 : 0.2), 6);
    const model = await new GradientBoostingClassifier({ maxIter: 5, seed: 1 }).fit(data.X, data.y);
    let error: unknown;
    try {
      model.predictProbaRow(new Float64Array(2));
    } catch (caught) {
      error = caught;
    }
    expect(isMlsdError(error, 'DIMENSION_MISMATCH')).toBe(true);
    expect((error as Error).message).toMatch(/fitted on 3 features; the row has 2 values/);
  });

  it('refuses, on load, trees where two nodes share a child', async () => {
    const data = makeData(300, 3, (row) => (row[0]! + row[1]! > 0 ? 0.8 : 0.2), 7);
    const model = await new GradientBoostingClassifier({ maxIter: 2, maxDepth: 3, seed: 1 }).fit(
      data.X,
      data.y,
    );
    const { left, right } = model.trees;
    // A node whose children are both split nodes: its right child becomes its left child's
    // right child too, still after it in the same tree (the old check let that through).
    const inner = [...left.keys()].find((k) => left[k]! >= 0 && left[left[k]!]! >= 0);
    expect(inner).toBeDefined();
    const shared = right.slice();
    shared[inner!] = right[left[inner!]!]!;
    const json = JSON.parse(JSON.stringify(model)) as { state: Record<string, unknown> };
    json.state.right = encodeTypedArray(shared);
    expect(() => GradientBoostingClassifier.fromJSON(json)).toThrow(
      /corrupt trees: node \d+'s children .* are not its own/,
    );
  });
});

describe('CalibratedClassifier.predictProbaRow', () => {
  it('keeps the trees’ one-row path through either calibrator, to the bit', async () => {
    const train = makeData(500, 3, (row) => (row[0]! - row[2]! > 0 ? 0.85 : 0.15), 8);
    const held = makeData(300, 3, (row) => (row[0]! - row[2]! > 0 ? 0.85 : 0.15), 9);
    for (const method of ['platt', 'isotonic'] as const) {
      const base = new GradientBoostingClassifier({ maxIter: 20, maxDepth: 3, seed: 2 });
      const model = await new CalibratedClassifier(base, 'gbdt', method).fit(train.X, train.y, {
        calibration: held,
      });
      expect(model.predictProbaRow).toBeDefined();
      const batch = model.predictProba(held.X);
      for (let i = 0; i < held.X.rows; i++) {
        const row = held.X.data.subarray(i * 3, (i + 1) * 3);
        expect(model.predictProbaRow!(row)).toBe(batch[i]);
        expect(model.predictProbaRow!(Float32Array.from(row))).toBe(
          model.predictProba(toMatrix(Float32Array.from(row), 1, 3))[0],
        );
      }
    }
  });

  it('has none when the base has none', () => {
    const base: BinaryClassifier = new LogisticRegression();
    expect(base.predictProbaRow).toBeUndefined();
    expect(new CalibratedClassifier(base, 'logreg', 'platt').predictProbaRow).toBeUndefined();
  });
});
