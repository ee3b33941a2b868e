import { describe, expect, it } from 'vitest';
import { resolveSampleWeights } from '../src/index.js';

describe('resolveSampleWeights', () => {
  const y = new Uint8Array([0, 0, 0, 1]);

  it('gives every row 1 without class weighting', () => {
    expect([...resolveSampleWeights(y)]).toEqual([1, 1, 1, 1]);
  });

  it('balances as scikit-learn: n / (2 · count)', () => {
    expect([...resolveSampleWeights(y, { classWeight: 'balanced' })]).toEqual([
      4 / 6,
      4 / 6,
      4 / 6,
      2,
    ]);
  });

  it('multiplies explicit class weights with sample weights', () => {
    const weights = resolveSampleWeights(y, {
      classWeight: { 0: 1, 1: 10 },
      sampleWeight: [1, 2, 0, 0.5],
    });
    expect([...weights]).toEqual([1, 2, 0, 5]);
  });

  it('rejects labels other than 0/1, a length mismatch and negative weights', () => {
    expect(() => resolveSampleWeights([0, 2])).toThrow(/row 1 is 2/);
    expect(() => resolveSampleWeights(y, { sampleWeight: [1] })).toThrow(
      /1 values but there are 4/,
    );
    expect(() => resolveSampleWeights(y, { sampleWeight: [1, -1, 1, 1] })).toThrow(
      /sampleWeight\[1\]/,
    );
    expect(() => resolveSampleWeights([0, 0], { classWeight: 'balanced' })).toThrow(/both classes/);
  });
});
