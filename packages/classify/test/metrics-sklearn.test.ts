import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { averagePrecision, precisionRecallCurve } from '../src/metrics/precision-recall.js';
import { rocAuc, rocCurve } from '../src/metrics/roc.js';

interface Case {
  name: string;
  labels: number[];
  scores: number[];
  weights?: number[];
  auc: number;
  ap: number;
  rocFpr?: number[];
  rocTpr?: number[];
  prPrecision?: number[];
  prRecall?: number[];
  prThresholds?: number[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/sklearn-metrics.json', import.meta.url), 'utf8'),
) as { sklearn: string; cases: Case[] };

function expectClose(actual: ArrayLike<number>, expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, 12);
}

describe(`ranking metrics equal scikit-learn ${fixture.sklearn}`, () => {
  it('has a broad fixture', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(20);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      expect(rocAuc(c.labels, c.scores, c.weights)).toBeCloseTo(c.auc, 12);
      expect(averagePrecision(c.labels, c.scores, c.weights)).toBeCloseTo(c.ap, 12);
      if (c.rocFpr && c.rocTpr) {
        const roc = rocCurve(c.labels, c.scores, c.weights);
        expectClose(roc.fpr, c.rocFpr);
        expectClose(roc.tpr, c.rocTpr);
      }
      if (c.prPrecision && c.prRecall && c.prThresholds) {
        const pr = precisionRecallCurve(c.labels, c.scores, c.weights);
        expectClose(pr.precision, c.prPrecision);
        expectClose(pr.recall, c.prRecall);
        expectClose(pr.thresholds, c.prThresholds);
      }
    });
  }
});
