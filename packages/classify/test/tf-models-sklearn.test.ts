import { readFileSync } from 'node:fs';
import { toMatrix } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { LogisticRegression, rocAuc } from '../src/index.js';

interface SklearnCase {
  name: string;
  C: number;
  classWeight: 'none' | 'balanced';
  useSampleWeight: boolean;
  standardizedCoefficients: number[];
  standardizedIntercept: number;
  coefficients: number[];
  intercept: number;
  proba: number[];
  auc: number;
}

interface Fixture {
  rows: number;
  cols: number;
  X: number[];
  y: number[];
  sampleWeight: number[];
  cases: SklearnCase[];
}

// Frozen by fixtures/make-tf-models-fixture.py (scikit-learn 1.2.1, lbfgs to tol 1e-10).
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/sklearn-logistic-regression.json', import.meta.url), 'utf8'),
) as Fixture;
const X = toMatrix(Float64Array.from(fixture.X), fixture.rows, fixture.cols);

/*
 * Tolerances: sklearn solves the convex problem to 1e-10 with L-BFGS; we run mini-batch Adam
 * (128 rows, step 0.02 dropped ×0.1 three times on plateaus), which ends within a few 1e-3 of the
 * optimum. Standardized coefficients (unit-free, O(1)) must agree to 0.03, every predicted
 * probability to 0.02, and the ranking (ROC AUC) to 1e-3.
 */
describe('LogisticRegression matches scikit-learn LogisticRegression', () => {
  const solvers = [
    // Newton solves the same convex problem to float32 precision.
    { solver: 'newton', coefficient: 1e-3, probability: 1e-4, auc: 1e-4 },
    { solver: 'adam', coefficient: 0.03, probability: 0.02, auc: 1e-3 },
  ] as const;
  for (const sk of fixture.cases) {
    for (const tolerance of solvers) {
      it(`${sk.name} (${tolerance.solver})`, async () => {
        const model = await new LogisticRegression({
          C: sk.C,
          classWeight: sk.classWeight,
          solver: tolerance.solver,
          batchSize: 128,
          learningRate: 0.02,
          seed: 3,
        }).fit(X, fixture.y, sk.useSampleWeight ? { sampleWeight: fixture.sampleWeight } : {});

        const beta = model.standardizedCoefficients;
        sk.standardizedCoefficients.forEach((expected, j) => {
          expect(Math.abs(beta[j]! - expected)).toBeLessThan(tolerance.coefficient);
        });
        // Raw-space coefficients are the standardized ones over each feature's population std,
        // and the intercept absorbs the means: compare against sklearn's converted ones.
        const stds = populationStds();
        sk.coefficients.forEach((expected, j) => {
          expect(model.coefficients[j]!).toBeCloseTo(beta[j]! / stds[j]!, 9);
          expect(Math.abs(model.coefficients[j]! - expected) * stds[j]!).toBeLessThan(
            tolerance.coefficient,
          );
        });
        // The raw intercept subtracts Σ β·mean/std (≈ 400 × β for the count column offset by
        // 1,000), so it is compared on the standardized scale.
        expect(Math.abs(model.standardizedIntercept - sk.standardizedIntercept)).toBeLessThan(
          tolerance.coefficient,
        );

        const proba = model.predictProba(X);
        let worst = 0;
        for (let i = 0; i < proba.length; i++) {
          worst = Math.max(worst, Math.abs(proba[i]! - sk.proba[i]!));
        }
        expect(worst).toBeLessThan(tolerance.probability);
        expect(Math.abs(rocAuc(fixture.y, proba) - sk.auc)).toBeLessThan(tolerance.auc);

        // σ(x·coefficients + intercept) is what predictProba computes on raw features.
        let z = model.intercept;
        for (let j = 0; j < fixture.cols; j++) z += model.coefficients[j]! * fixture.X[j]!;
        expect(1 / (1 + Math.exp(-z))).toBeCloseTo(proba[0]!, 6);
      });
    }
  }
});

function populationStds(): Float64Array {
  const { rows, cols } = fixture;
  const stds = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += fixture.X[i * cols + j]!;
    mean /= rows;
    let sum = 0;
    for (let i = 0; i < rows; i++) sum += (fixture.X[i * cols + j]! - mean) ** 2;
    stds[j] = Math.sqrt(sum / rows);
  }
  return stds;
}
