import { readFileSync } from 'node:fs';
import { DimensionMismatchError, InvalidDataError } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { chiSquareHomogeneity } from '../src/chi-square.js';
import { benjaminiHochberg, bonferroni } from '../src/corrections.js';
import { chiSquareSf } from '../src/gamma.js';
import { jensenShannonDistance, jensenShannonSamples } from '../src/jensen-shannon.js';
import { populationStabilityIndex, psiBand } from '../src/psi.js';
import { wassersteinDistance } from '../src/wasserstein.js';

const scipy = JSON.parse(
  readFileSync(new URL('./fixtures/companions-scipy.json', import.meta.url), 'utf8'),
) as {
  scipy: string;
  chi2: {
    reference: number[];
    current: number[];
    statistic: number;
    pvalue: number;
    dof: number;
  }[];
  chi2sf: { x: number; dof: number; sf: number }[];
  wasserstein: { a: number[]; b: number[]; distance: number }[];
  js: { p: number[]; q: number[]; distance: number }[];
};

describe(`drift companions equal scipy ${scipy.scipy}`, () => {
  it('chi-square survival function', () => {
    for (const c of scipy.chi2sf) {
      expect(Math.abs(chiSquareSf(c.x, c.dof) - c.sf)).toBeLessThan(
        1e-12 * Math.max(1, c.sf) + 1e-300,
      );
      expect(chiSquareSf(c.x, c.dof) / c.sf).toBeCloseTo(1, 10);
    }
  });

  it('chi-square homogeneity test (chi2_contingency without correction)', () => {
    for (const c of scipy.chi2) {
      const result = chiSquareHomogeneity(c.reference, c.current);
      expect(result.statistic).toBeCloseTo(c.statistic, 10);
      expect(result.pvalue).toBeCloseTo(c.pvalue, 12);
      expect(result.dof).toBe(c.dof);
    }
  });

  it('Wasserstein-1 distance', () => {
    for (const c of scipy.wasserstein)
      expect(wassersteinDistance(c.a, c.b).distance).toBeCloseTo(c.distance, 12);
  });

  it('Jensen–Shannon distance (base 2)', () => {
    for (const c of scipy.js) expect(jensenShannonDistance(c.p, c.q)).toBeCloseTo(c.distance, 12);
  });
});

describe('population stability index', () => {
  const reference = Float64Array.from({ length: 10_000 }, (_, i) => (i % 1000) / 10);

  it('is ~0 for the same distribution and grows with a shift', () => {
    expect(populationStabilityIndex(reference, reference).psi).toBeCloseTo(0, 12);
    const shifted = reference.map((x) => x + 20);
    const result = populationStabilityIndex(reference, shifted);
    expect(result.psi).toBeGreaterThan(0.25);
    expect(result.band).toBe('significant');
    expect(result.referenceShares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('matches a hand computation on two bins', () => {
    // reference median 1.5: bins (-inf, 1.5], (1.5, inf); shares .5/.5 vs .75/.25
    const result = populationStabilityIndex([1, 1, 2, 2], [1, 1, 1, 2], { bins: 2 });
    expect(result.psi).toBeCloseTo(
      (0.75 - 0.5) * Math.log(0.75 / 0.5) + (0.25 - 0.5) * Math.log(0.25 / 0.5),
      15,
    );
  });

  it('reads the usual bands', () => {
    expect([psiBand(0.05), psiBand(0.1), psiBand(0.25), psiBand(0.3)]).toEqual([
      'stable',
      'moderate',
      'moderate',
      'significant',
    ]);
  });

  it('rejects NaN and empty samples, naming them', () => {
    expect(() => populationStabilityIndex([1, Number.NaN], [1])).toThrow('reference[1] is NaN');
    expect(() => populationStabilityIndex([1, 2], [])).toThrow(InvalidDataError);
  });
});

describe('chi-square details', () => {
  it('reports categories unseen in the reference', () => {
    const result = chiSquareHomogeneity(['a', 'a', 'b'], ['a', 'b', 'c', 'c']);
    expect(result.unseenCategories).toEqual(['c']);
    expect(result.unseenShare).toBe(0.5);
    expect(result.pvalue).toBeLessThan(1);
  });

  it('gives p = 1 for one category and rejects missing values', () => {
    expect(chiSquareHomogeneity(['a'], ['a', 'a']).pvalue).toBe(1);
    expect(() => chiSquareHomogeneity(['a', undefined as unknown as string], ['a'])).toThrow(
      /count missing values/,
    );
  });
});

describe('Jensen–Shannon and Wasserstein details', () => {
  it('JS is 0 for equal and 1 for disjoint distributions', () => {
    expect(jensenShannonDistance([1, 2], [2, 4])).toBe(0);
    expect(jensenShannonDistance([1, 0], [0, 1])).toBeCloseTo(1, 15);
    expect(() => jensenShannonDistance([1], [1, 2])).toThrow(DimensionMismatchError);
    expect(jensenShannonSamples([1, 2, 3, 4], [1, 2, 3, 4], 2)).toBe(0);
  });

  it('normalises Wasserstein by the reference std', () => {
    const result = wassersteinDistance([0, 2], [1, 3]);
    expect(result.distance).toBe(1);
    expect(result.normalized).toBe(1);
    expect(wassersteinDistance([5, 5], [6]).normalized).toBeNaN();
  });
});

describe('multiple-testing corrections', () => {
  it('Bonferroni multiplies by m and caps at 1', () => {
    expect([...bonferroni([0.01, 0.2, 0.5])]).toEqual([0.03, 0.6000000000000001, 1]);
  });

  it('Benjamini–Hochberg matches the step-up definition', () => {
    // sorted p: .01 .02 .03 .5 (m=4) -> m·p/rank: .04 .04 .04 .5 -> running min from the top
    expect([...benjaminiHochberg([0.5, 0.01, 0.03, 0.02])]).toEqual([0.5, 0.04, 0.04, 0.04]);
    expect(() => benjaminiHochberg([1.2])).toThrow(InvalidDataError);
  });
});
