import { InvalidArgumentError, InvalidDataError, toMatrix } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import {
  LogisticRegression,
  randomOversample,
  randomUndersample,
  takeResampledRows,
} from '../src/index.js';

/** 1,000 rows, 1 in 20 positive (rows 0, 20, 40, ...). */
const y = Uint8Array.from({ length: 1000 }, (_, i) => (i % 20 === 0 ? 1 : 0));

function countLabels(rows: Int32Array): { positives: number; negatives: number } {
  let positives = 0;
  for (const row of rows) positives += y[row]!;
  return { positives, negatives: rows.length - positives };
}

describe('randomUndersample', () => {
  it('keeps every positive and enough distinct negatives for the ratio, ascending', () => {
    const rows = randomUndersample(y, { seed: 3 });
    expect(countLabels(rows)).toEqual({ positives: 50, negatives: 50 });
    expect(new Set(rows).size).toBe(rows.length);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!).toBeGreaterThan(rows[i - 1]!);
    const quarter = randomUndersample(y, { ratio: 0.25, seed: 3 });
    expect(countLabels(quarter)).toEqual({ positives: 50, negatives: 200 });
  });

  it('is seeded: same seed, same rows; another seed, other negatives', () => {
    expect(randomUndersample(y, { seed: 1 })).toEqual(randomUndersample(y, { seed: 1 }));
    expect(randomUndersample(y, { seed: 1 })).not.toEqual(randomUndersample(y, { seed: 2 }));
  });

  it('draws negatives uniformly (each kept about 50 / 950 of the time over many seeds)', () => {
    const kept = new Float64Array(1000);
    const draws = 400;
    for (let seed = 0; seed < draws; seed++)
      for (const row of randomUndersample(y, { seed })) kept[row]!++;
    const p = 50 / 950;
    const sd = Math.sqrt(draws * p * (1 - p));
    let worst = 0;
    for (let i = 0; i < 1000; i++) {
      if (y[i] === 1) expect(kept[i]).toBe(draws);
      else worst = Math.max(worst, Math.abs(kept[i]! - draws * p) / sd);
    }
    expect(worst).toBeLessThan(5);
  });
});

describe('randomOversample', () => {
  it('repeats positives with replacement up to the ratio and keeps every row', () => {
    const rows = randomOversample(y, { seed: 4 });
    expect(countLabels(rows)).toEqual({ positives: 950, negatives: 950 });
    expect(new Set(rows).size).toBe(1000);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!).toBeGreaterThanOrEqual(rows[i - 1]!);
    for (let i = 1; i < rows.length; i++) if (rows[i] === rows[i - 1]) expect(y[rows[i]!]).toBe(1);
    const half = randomOversample(y, { ratio: 0.5, seed: 4 });
    expect(countLabels(half)).toEqual({ positives: 475, negatives: 950 });
  });

  it('adds nothing when the minority already reaches the ratio', () => {
    expect(randomOversample(y, { ratio: 0.05 })).toHaveLength(1000);
  });
});

describe('takeResampledRows', () => {
  it('gathers X, y and sample weights by row', () => {
    const X = toMatrix(
      Float64Array.from({ length: 6 }, (_, i) => i),
      3,
      2,
    );
    const out = takeResampledRows(Int32Array.of(2, 0, 2), X, [0, 1, 1], [0.5, 1, 2]);
    expect(Array.from(out.X.data)).toEqual([4, 5, 0, 1, 4, 5]);
    expect(Array.from(out.y)).toEqual([1, 0, 1]);
    expect(Array.from(out.sampleWeight!)).toEqual([2, 0.5, 2]);
    expect(() => takeResampledRows(Int32Array.of(0), X, [1, 0])).toThrow(/3 rows but y has 2/);
  });

  it('undersampling and oversampling both raise the predicted probability of the minority', async () => {
    // One informative feature; positives rare.
    const n = 2000;
    const data = new Float64Array(n);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 25 === 0 ? 1 : 0;
      data[i] = (labels[i] === 1 ? 1 : -1) + Math.sin(i * 12.9898) * 1.5;
    }
    const X = toMatrix(data, n, 1);
    const meanPositive = (proba: Float64Array) => {
      let sum = 0;
      for (let i = 0; i < n; i += 25) sum += proba[i]!;
      return sum / (n / 25);
    };
    const plain = meanPositive((await new LogisticRegression().fit(X, labels)).predictProba(X));
    for (const rows of [
      randomUndersample(labels, { seed: 1 }),
      randomOversample(labels, { seed: 1 }),
    ]) {
      const sample = takeResampledRows(rows, X, labels);
      const model = await new LogisticRegression().fit(sample.X, sample.y);
      expect(meanPositive(model.predictProba(X))).toBeGreaterThan(plain + 0.2);
    }
  });
});

describe('bad input', () => {
  it('refuses a single class, non-0/1 labels and bad ratios', () => {
    expect(() => randomUndersample([0, 0, 0])).toThrow(InvalidDataError);
    expect(() => randomOversample([1, 1])).toThrow(/only class 1/);
    expect(() => randomUndersample([0, 2, 1])).toThrow(InvalidDataError);
    expect(() => randomUndersample(y, { ratio: 0 })).toThrow(InvalidArgumentError);
    expect(() => randomOversample(y, { ratio: 1.5 })).toThrow(InvalidArgumentError);
  });
});
