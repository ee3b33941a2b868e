import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DimensionMismatchError,
  encodeTypedArray,
  InvalidArgumentError,
  InvalidDataError,
  ManifestInvalidError,
  NotFittedError,
  toMatrix,
  writeArtifact,
} from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { GradientBoostingClassifier, rocAuc } from '../src/index.js';
import { accuracy, logistic, makeData, mean } from './gbdt-data.js';

const xor = (row: Float64Array) => (row[0]! > 0 !== row[1]! > 0 ? 0.97 : 0.03);

describe('GradientBoostingClassifier: learning', () => {
  it('learns an XOR interaction that single-split trees cannot', async () => {
    const train = makeData(4000, 4, xor, 1);
    const test = makeData(2000, 4, xor, 2);
    const model = await new GradientBoostingClassifier({ maxIter: 60 }).fit(train.X, train.y);
    expect(accuracy(test.y, model.predictProba(test.X))).toBeGreaterThan(0.92);
    const stumps = await new GradientBoostingClassifier({ maxIter: 60, maxDepth: 1 }).fit(
      train.X,
      train.y,
    );
    expect(rocAuc(test.y, stumps.predictProba(test.X))).toBeLessThan(0.6);
  });

  it('ranks rows in the direction of a monotone effect and stays calibrated', async () => {
    const { X, y } = makeData(5000, 3, (row) => logistic(2 * row[0]! - 1), 3);
    const model = await new GradientBoostingClassifier({ maxIter: 50 }).fit(X, y);
    const grid = [-2, -1, 0, 1, 2];
    const probe = toMatrix(Float64Array.from(grid.flatMap((x) => [x, 0, 0])), grid.length, 3);
    const p = model.predictProba(probe);
    for (let k = 1; k < grid.length; k++) expect(p[k]!).toBeGreaterThan(p[k - 1]!);
    expect(p[0]!).toBeLessThan(0.1);
    expect(p[4]!).toBeGreaterThan(0.85);
    // Log-loss training keeps the mean prediction at the positive rate.
    expect(Math.abs(mean(model.predictProba(X)) - mean(y))).toBeLessThan(0.01);
    const importances = model.featureImportances;
    expect(importances[0]!).toBeGreaterThan(0.8);
    expect(mean(importances) * 3).toBeCloseTo(1, 12);
  });

  it('respects maxLeafNodes and maxDepth', async () => {
    const { X, y } = makeData(3000, 4, (row) => logistic(row[0]! * row[1]! + row[2]!), 4);
    for (const options of [{ maxLeafNodes: 5 }, { maxLeafNodes: null, maxDepth: 2 }]) {
      const model = await new GradientBoostingClassifier({ maxIter: 10, ...options }).fit(X, y);
      expect(model.nIter).toBe(10);
      const leaves = leafCounts(model);
      const depths = treeDepths(model);
      if ('maxDepth' in options) {
        expect(Math.max(...depths)).toBe(2);
        expect(Math.max(...leaves)).toBe(4);
      } else {
        expect(Math.max(...leaves)).toBe(5);
      }
    }
  });

  it('does not split below minSamplesLeaf rows', async () => {
    const { X, y } = makeData(1000, 2, (row) => logistic(3 * row[0]!), 5);
    const model = await new GradientBoostingClassifier({ maxIter: 5, minSamplesLeaf: 150 }).fit(
      X,
      y,
    );
    const counts = nodeField(model, 'count');
    const features = nodeField(model, 'feature');
    for (let k = 0; k < counts.length; k++) {
      if (features[k]! < 0) expect(counts[k]!).toBeGreaterThanOrEqual(150);
    }
  });
});

describe('GradientBoostingClassifier: weights', () => {
  const data = makeData(3000, 3, (row) => logistic(row[0]! - 3), 6);

  it('raises the scores of the rare class with balanced or explicit class weights', async () => {
    const plain = await new GradientBoostingClassifier({ maxIter: 30 }).fit(data.X, data.y);
    const balanced = await new GradientBoostingClassifier({
      maxIter: 30,
      classWeight: 'balanced',
    }).fit(data.X, data.y);
    const explicit = await new GradientBoostingClassifier({
      maxIter: 30,
      classWeight: { 0: 1, 1: 5 },
    }).fit(data.X, data.y);
    const base = mean(plain.predictProba(data.X));
    expect(base).toBeCloseTo(mean(data.y), 2);
    expect(mean(explicit.predictProba(data.X))).toBeGreaterThan(2 * base);
    // Balanced weights put half the weight on each class: the mean score moves towards 0.5.
    expect(mean(balanced.predictProba(data.X))).toBeGreaterThan(3 * base);
  });

  it('treats an integer sample weight like repeating the row', async () => {
    // Few distinct values so the bin edges cannot depend on the repetitions.
    const n = 600;
    const { X: xs, y } = makeData(n, 2, (row) => logistic(row[0]! + row[1]!), 7);
    const X = toMatrix(
      xs.data.map((v) => Math.round(v * 4) / 4),
      n,
      2,
    );
    const weight = Float64Array.from({ length: n }, (_, i) => 1 + (i % 3));
    const repeatedRows: number[] = [];
    weight.forEach((w, i) => {
      for (let r = 0; r < w; r++) repeatedRows.push(i);
    });
    const repeated = toMatrix(
      Float64Array.from(repeatedRows.flatMap((i) => [X.data[2 * i]!, X.data[2 * i + 1]!])),
      repeatedRows.length,
      2,
    );
    const repeatedY = Uint8Array.from(repeatedRows, (i) => y[i]!);
    const options = { maxIter: 15, minSamplesLeaf: 1, earlyStopping: false } as const;
    const weighted = await new GradientBoostingClassifier(options).fit(X, y, {
      sampleWeight: weight,
    });
    const copies = await new GradientBoostingClassifier(options).fit(repeated, repeatedY);
    const a = weighted.predictProba(X);
    const b = copies.predictProba(X);
    for (let i = 0; i < n; i++) expect(a[i]!).toBeCloseTo(b[i]!, 9);
  });
});

describe('GradientBoostingClassifier: early stopping', () => {
  it('stops on a held-out fraction when the validation loss stalls', async () => {
    const { X, y } = makeData(3000, 4, (row) => logistic(row[0]!), 8);
    const model = await new GradientBoostingClassifier({
      maxIter: 400,
      earlyStopping: true,
      nIterNoChange: 5,
      learningRate: 0.3,
    }).fit(X, y);
    expect(model.nIter).toBeLessThan(100);
    const losses = model.validationLoss;
    expect(losses.length).toBe(model.nIter + 1);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    const last = [...losses.slice(-6)];
    expect(Math.min(...last.slice(1))).toBeGreaterThan(last[0]! - 1e-7);
  });

  it('stops on an explicit validation set, and runs every iteration without early stopping', async () => {
    const train = makeData(2000, 3, () => 0.2, 9);
    const validation = makeData(1000, 3, () => 0.2, 10);
    const stopped = await new GradientBoostingClassifier({ maxIter: 200 }).fit(train.X, train.y, {
      validation,
    });
    expect(stopped.nIter).toBeLessThan(40);
    const full = await new GradientBoostingClassifier({ maxIter: 25, earlyStopping: false }).fit(
      train.X,
      train.y,
    );
    expect(full.nIter).toBe(25);
    expect(full.validationLoss.length).toBe(0);
  });
});

describe('GradientBoostingClassifier: bins and thresholds agree', () => {
  it('scores validation rows on bins exactly as predictProba scores raw values', async () => {
    const { X, y } = makeData(1500, 3, (row) => logistic(row[0]! + row[1]! * row[2]!), 16);
    for (let i = 0; i < X.data.length; i += 7) X.data[i] = Number.NaN;
    const model = await new GradientBoostingClassifier({
      maxIter: 15,
      rowSubsample: 0.7,
      earlyStopping: false,
    }).fit(X, y, { validation: { X, y } });
    const p = model.predictProba(X);
    let loss = 0;
    for (let i = 0; i < y.length; i++) loss -= Math.log(y[i] === 1 ? p[i]! : 1 - p[i]!);
    const losses = model.validationLoss;
    expect(losses.length).toBe(16);
    expect(losses[15]!).toBeCloseTo(loss / y.length, 10);
  });
});

describe('GradientBoostingClassifier: randomness', () => {
  const { X, y } = makeData(2000, 6, (row) => logistic(row[0]! + row[1]! * row[2]!), 11);
  const options = { maxIter: 20, rowSubsample: 0.6, columnSubsample: 0.5 };

  it('is identical for the same seed and differs for another', async () => {
    const a = await new GradientBoostingClassifier({ ...options, seed: 3 }).fit(X, y);
    const b = await new GradientBoostingClassifier({ ...options, seed: 3 }).fit(X, y);
    const c = await new GradientBoostingClassifier({ ...options, seed: 4 }).fit(X, y);
    expect([...a.predictProba(X)]).toEqual([...b.predictProba(X)]);
    expect([...a.predictProba(X)]).not.toEqual([...c.predictProba(X)]);
    expect(rocAuc(y, a.predictProba(X))).toBeGreaterThan(0.75);
  });

  it('splits only on the sampled columns of each tree', async () => {
    const model = await new GradientBoostingClassifier({
      maxIter: 10,
      columnSubsample: 1 / 6,
    }).fit(X, y);
    const features = nodeField(model, 'feature');
    const starts = nodeField(model, 'treeStarts');
    for (let t = 0; t + 1 < starts.length; t++) {
      const used = new Set<number>();
      for (let k = starts[t]!; k < starts[t + 1]!; k++)
        if (features[k]! >= 0) used.add(features[k]!);
      expect(used.size).toBeLessThanOrEqual(1);
    }
  });
});

describe('GradientBoostingClassifier: missing values', () => {
  it('learns from NaN as its own bin and sends it the learned way', async () => {
    const { X, y } = makeData(3000, 2, () => 0.5, 12);
    // Fraud rows often lack feature 0; present values carry no signal.
    for (let i = 0; i < y.length; i++) if (y[i] === 1 && i % 4 !== 0) X.data[2 * i] = Number.NaN;
    const model = await new GradientBoostingClassifier({ maxIter: 20 }).fit(X, y);
    const probe = toMatrix(new Float64Array([Number.NaN, 0, 0.1, 0]), 2, 2);
    const [missing, present] = model.predictProba(probe);
    expect(missing!).toBeGreaterThan(0.9);
    expect(present!).toBeLessThan(0.35);
  });

  it('predicts NaN it never saw at fit by following the larger child', async () => {
    const { X, y } = makeData(2001, 1, (row) => (row[0]! > 1 ? 0.9 : 0.1), 13);
    // With stumps, the larger child of any split is the side holding the median row.
    const median = X.data.slice().sort()[1000]!;
    const model = await new GradientBoostingClassifier({ maxIter: 10, maxDepth: 1 }).fit(X, y);
    const p = model.predictProba(toMatrix(new Float64Array([Number.NaN, median, 2]), 3, 1));
    expect(p[0]!).toBe(p[1]!);
    expect(p[2]!).toBeGreaterThan(0.6);
    expect(p[1]!).toBeLessThan(0.25);
  });
});

describe('GradientBoostingClassifier: persistence', () => {
  const { X, y } = makeData(1500, 3, (row) => logistic(row[0]! - row[1]!), 14);
  X.data[5] = Number.NaN;

  it('round-trips through JSON and through an artifact folder with identical predictions', async () => {
    const model = await new GradientBoostingClassifier({ maxIter: 15, rowSubsample: 0.8 }).fit(
      X,
      y,
    );
    const fromJson = GradientBoostingClassifier.fromJSON(JSON.parse(JSON.stringify(model)));
    expect([...fromJson.predictProba(X)]).toEqual([...model.predictProba(X)]);

    const dir = await mkdtemp(join(tmpdir(), 'gbdt-'));
    try {
      const manifest = await model.save(join(dir, 'model'));
      expect(manifest.kind).toBe('gbdt');
      const loaded = await GradientBoostingClassifier.load(join(dir, 'model'));
      expect([...loaded.predictProba(X)]).toEqual([...model.predictProba(X)]);
      expect([...loaded.featureImportances]).toEqual([...model.featureImportances]);
      expect(loaded.params).toEqual(model.params);

      await writeArtifact(join(dir, 'other'), { kind: 'ann-index', formatVersion: 1 });
      await expect(GradientBoostingClassifier.load(join(dir, 'other'))).rejects.toBeInstanceOf(
        ManifestInvalidError,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses JSON whose trees would not end at a leaf', async () => {
    const model = await new GradientBoostingClassifier({ maxIter: 2 }).fit(X, y);
    const json = JSON.parse(JSON.stringify(model)) as { state: Record<string, unknown> };
    const left = model.trees.left;
    left[0] = 0; // the root pointing at itself
    json.state.left = encodeTypedArray(left);
    expect(() => GradientBoostingClassifier.fromJSON(json)).toThrow(/corrupt trees: node 0/);
    json.state.left = { dtype: 'float64', data: 'AAAA' };
    expect(() => GradientBoostingClassifier.fromJSON(json)).toThrow(InvalidArgumentError);
  });
});

describe('GradientBoostingClassifier: bad input', () => {
  const { X, y } = makeData(100, 2, () => 0.3, 15);

  it('throws typed errors a person can act on', async () => {
    const model = new GradientBoostingClassifier();
    expect(() => model.predictProba(X)).toThrow(NotFittedError);
    await expect(model.fit(X, y.subarray(0, 50))).rejects.toBeInstanceOf(DimensionMismatchError);
    const bad = Uint8Array.from(y);
    bad[7] = 2;
    await expect(model.fit(X, bad)).rejects.toThrow(/row 7 is 2/);
    await expect(model.fit(X, new Uint8Array(100))).rejects.toBeInstanceOf(InvalidDataError);
    await expect(model.fit(X, y, { sampleWeight: new Float64Array(3) })).rejects.toBeInstanceOf(
      InvalidDataError,
    );
    expect(() => new GradientBoostingClassifier({ learningRate: -1 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new GradientBoostingClassifier({ maxBins: 300 })).toThrow(/maxBins/);
    expect(() => new GradientBoostingClassifier({ maxDepht: 3 } as never)).toThrow(
      InvalidArgumentError,
    );
    await model.fit(X, y);
    expect(() => model.predictProba(toMatrix(new Float64Array(6), 2, 3))).toThrow(
      DimensionMismatchError,
    );
  });
});

type NodeField = 'feature' | 'count' | 'left' | 'right' | 'treeStarts';

function nodeField(model: GradientBoostingClassifier, field: NodeField): Int32Array | Float64Array {
  return model.trees[field];
}

function leafCounts(model: GradientBoostingClassifier): number[] {
  const { feature, treeStarts } = model.trees;
  const out: number[] = [];
  for (let t = 0; t + 1 < treeStarts.length; t++) {
    let leaves = 0;
    for (let k = treeStarts[t]!; k < treeStarts[t + 1]!; k++) if (feature[k]! < 0) leaves++;
    out.push(leaves);
  }
  return out;
}

function treeDepths(model: GradientBoostingClassifier): number[] {
  const { feature, left, right, treeStarts } = model.trees;
  const depthOf = (node: number): number =>
    feature[node]! < 0 ? 0 : 1 + Math.max(depthOf(left[node]!), depthOf(right[node]!));
  const out: number[] = [];
  for (let t = 0; t + 1 < treeStarts.length; t++) out.push(depthOf(treeStarts[t]!));
  return out;
}
