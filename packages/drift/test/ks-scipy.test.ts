import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kolmogorovSf, ksTwoSample, ksTwoSampleSorted, smirnovSf } from '../src/ks/index.js';
import { buildSample, type KsFixture } from './ks-fixture-data.js';

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/ks-scipy.json', import.meta.url), 'utf8'),
) as KsFixture;

const TOLERANCE = 1e-10;

describe(`ksTwoSample equals scipy ${fixture.scipy} ks_2samp`, () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const a = buildSample(c.a);
      const b = buildSample(c.b);
      // The first combination goes through the public entry point (validation, copy, sort);
      // the others reuse one sort so the million-value cases stay fast.
      const sortedA = a.slice().sort();
      const sortedB = b.slice().sort();
      c.results.forEach((expected, index) => {
        const label = `${c.name} ${expected.alternative} ${expected.method}`;
        const got =
          index === 0
            ? ksTwoSample(a, b, { alternative: expected.alternative, method: expected.method })
            : ksTwoSampleSorted(sortedA, sortedB, expected.alternative, expected.method);
        expect(got.statistic, label).toBe(expected.statistic);
        if (expected.pvalue === null) expect(got.pvalue, label).toBeNaN();
        else expect(Math.abs(got.pvalue - expected.pvalue), label).toBeLessThanOrEqual(TOLERANCE);
        expect(got.statisticLocation, label).toBe(expected.location);
        expect(got.statisticSign, label).toBe(expected.sign);
        expect(got.fallbackReason !== undefined, label).toBe(expected.fellBack);
        expect(got.method, label).toBe(
          expected.method === 'asymp' ||
            expected.fellBack ||
            (expected.method === 'auto' && Math.max(a.length, b.length) > 10_000)
            ? 'asymp'
            : 'exact',
        );
      });
    });
  }
});

describe('finite-n Kolmogorov and Smirnov laws equal scipy', () => {
  it('kstwo.sf on a grid covering every branch', () => {
    for (const { n, x, sf } of fixture.kstwo) {
      expect(Math.abs(kolmogorovSf(n, x) - sf!), `n=${n} x=${x}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });
  it('smirnov on a grid', () => {
    for (const { n, x, sf } of fixture.smirnov) {
      expect(Math.abs(smirnovSf(n, x) - sf!), `n=${n} x=${x}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });
});
