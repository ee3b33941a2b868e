import { InvalidArgumentError, InvalidDataError } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import {
  asymptoticPValue,
  exactOneSidedPValue,
  exactTwoSidedPValue,
  ksStatistic,
  ksTwoSample,
  sortFloat64,
} from '../src/index.js';
import { buildSample } from './ks-fixture-data.js';

/** gcd for the brute-force lattice below. */
function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Null distribution of h⁺ = max(i·n₂ − j·n₁)/g and h⁻ over all C(n₁+n₂, n₁) orderings of two
 * samples without ties, by enumeration: an independent check of the exact recursions.
 */
function enumerateNull(n1: number, n2: number): { plus: number[]; minus: number[] } {
  const g = gcd(n1, n2);
  const plus: number[] = [];
  const minus: number[] = [];
  const total = n1 + n2;
  for (let mask = 0; mask < 1 << total; mask++) {
    let ones = 0;
    for (let bit = 0; bit < total; bit++) ones += (mask >> bit) & 1;
    if (ones !== n1) continue;
    let i = 0;
    let j = 0;
    let hPlus = 0;
    let hMinus = 0;
    for (let bit = 0; bit < total; bit++) {
      if ((mask >> bit) & 1) i++;
      else j++;
      const step = (i * n2 - j * n1) / g;
      hPlus = Math.max(hPlus, step);
      hMinus = Math.max(hMinus, -step);
    }
    plus.push(hPlus);
    minus.push(hMinus);
  }
  return { plus, minus };
}

describe('exact null distributions agree with brute-force enumeration', () => {
  for (const [n1, n2] of [
    [3, 5],
    [4, 6],
    [5, 5],
    [2, 9],
    [7, 4],
    [6, 8],
  ] as const) {
    it(`${n1} vs ${n2}`, () => {
      const g = gcd(n1, n2);
      const lcm = (n1 / g) * n2;
      const { plus, minus } = enumerateNull(n1, n2);
      const count = plus.length;
      for (let h = 1; h <= lcm; h++) {
        const oneSided = plus.filter((v) => v >= h).length / count;
        const twoSided = plus.filter((v, k) => Math.max(v, minus[k]!) >= h).length / count;
        expect(exactOneSidedPValue(n1, n2, g, h)).toBeCloseTo(oneSided, 13);
        expect(exactOneSidedPValue(n2, n1, g, h)).toBeCloseTo(oneSided, 13);
        expect(exactTwoSidedPValue(n1, n2, g, h)).toBeCloseTo(twoSided, 13);
      }
    });
  }
});

describe('ksTwoSample', () => {
  const a = buildSample({ kind: 'bell', n: 300, seed: 1 });
  const b = buildSample({ kind: 'bell', n: 250, seed: 2, shift: 0.25 });

  it('accepts number[] and Float64Array alike and leaves the input unsorted', () => {
    const before = a.slice();
    const fromTyped = ksTwoSample(a, b);
    const fromArray = ksTwoSample(Array.from(a), Array.from(b));
    expect(fromArray).toEqual(fromTyped);
    expect(a).toEqual(before);
    expect(fromTyped.method).toBe('exact');
    expect(fromTyped.pvalue).toBeLessThan(1e-3);
    expect(fromTyped.statisticSign).toBe(1);
  });

  it('swapping the samples swaps less and greater', () => {
    for (const method of ['exact', 'asymp'] as const) {
      const less = ksTwoSample(a, b, { alternative: 'less', method });
      const greater = ksTwoSample(b, a, { alternative: 'greater', method });
      expect(greater.statistic).toBe(less.statistic);
      expect(greater.pvalue).toBe(less.pvalue);
      const twoSided = ksTwoSample(a, b, { method });
      expect(ksTwoSample(b, a, { method }).pvalue).toBe(twoSided.pvalue);
    }
  });

  it('gives D = 0 and p = 1 for identical samples, D = 1 for disjoint ones', () => {
    const same = ksTwoSample(a, a);
    expect(same.statistic).toBe(0);
    expect(same.pvalue).toBe(1);
    expect(same.tiesAcrossSamples).toBe(true);
    const apart = ksTwoSample([1, 2, 3], [10, 11, 12, 13]);
    expect(apart.statistic).toBe(1);
    expect(apart.statisticLocation).toBe(3);
    // P(D = 1) = 2 / C(7, 3)
    expect(apart.pvalue).toBeCloseTo(2 / 35, 15);
    expect(apart.tiesAcrossSamples).toBe(false);
  });

  it('collapses ties into one ECDF step', () => {
    const stat = ksStatistic(Float64Array.from([0, 0, 1, 1]), Float64Array.from([0, 1, 1, 1]));
    // At 0: F₁ = 1/2, F₂ = 1/4 → D⁺ = 1/4; at 1 both are 1.
    expect(stat.dPlus).toBe(0.25);
    expect(stat.dPlusLocation).toBe(0);
    expect(stat.dMinus).toBe(0);
    expect(stat.hasTiesAcrossSamples).toBe(true);
  });

  it("switches 'auto' to the asymptotic method above 10,000 per side", () => {
    const big = buildSample({ kind: 'uniform', n: 10_001, seed: 3 });
    const small = buildSample({ kind: 'uniform', n: 50, seed: 4 });
    const result = ksTwoSample(big, small);
    expect(result.method).toBe('asymp');
    expect(result.requestedMethod).toBe('auto');
    expect(result.fallbackReason).toBeUndefined();
    expect(result.pvalue).toBe(asymptoticPValue(result.statistic, 10_001, 50, 'two-sided'));
  });

  it('falls back to asymp, saying why, when exact cannot be computed', () => {
    // One-sided counts overflow doubles for 881 vs 369, as in scipy.
    const x = buildSample({ kind: 'bell', n: 881, seed: 5 });
    const y = buildSample({ kind: 'bell', n: 369, seed: 6, shift: 0.05 });
    const oneSided = ksTwoSample(x, y, { alternative: 'greater', method: 'exact' });
    expect(oneSided.method).toBe('asymp');
    expect(oneSided.fallbackReason).toMatch(/overflows double precision/);
    expect(ksTwoSample(x, y, { method: 'exact' }).method).toBe('exact');

    // lcm(50000, 49999) is beyond scipy's int32 lattice limit.
    const u = buildSample({ kind: 'uniform', n: 50_000, seed: 7 });
    const v = buildSample({ kind: 'uniform', n: 49_999, seed: 8 });
    const lcm = ksTwoSample(u, v, { method: 'exact' });
    expect(lcm.method).toBe('asymp');
    expect(lcm.fallbackReason).toMatch(/lcm\(50000, 49999\)/);

    // A band as wide as the lattice (disjoint samples) would take 2·10¹⁰ steps.
    const low = buildSample({ kind: 'uniform', n: 200_000, seed: 9 });
    const high = buildSample({ kind: 'uniform', n: 100_000, seed: 10, shift: 2 });
    const wide = ksTwoSample(low, high, { method: 'exact' });
    expect(wide.method).toBe('asymp');
    expect(wide.fallbackReason).toMatch(/lattice path count/);
    expect(wide.statistic).toBe(1);
    expect(wide.pvalue).toBe(0);
  });

  it('returns NaN for the asymptotic two-sided test of one value against one, as scipy', () => {
    expect(ksTwoSample([1], [2], { method: 'asymp' }).pvalue).toBeNaN();
    expect(ksTwoSample([1], [2]).pvalue).toBe(1);
  });

  it('rejects empty, NaN, infinite and non-numeric input with the index', () => {
    expect(() => ksTwoSample([], [1, 2])).toThrow(InvalidDataError);
    expect(() => ksTwoSample([], [1, 2])).toThrow(/sample1 is empty/);
    expect(() => ksTwoSample([1, 2], [3, Number.NaN])).toThrow(/sample2\[1\] is NaN/);
    expect(() => ksTwoSample([1, Number.POSITIVE_INFINITY], [3])).toThrow(InvalidDataError);
    expect(() => ksTwoSample([1, '2' as unknown as number], [3])).toThrow(/sample1\[1\]/);
    expect(() => ksTwoSample(null as unknown as number[], [3])).toThrow(InvalidArgumentError);
  });

  it('rejects unknown options', () => {
    expect(() =>
      ksTwoSample([1], [2], { alternative: 'two_sided' as unknown as 'two-sided' }),
    ).toThrow(InvalidArgumentError);
    expect(() => ksTwoSample([1], [2], { method: 'fast' as unknown as 'auto' })).toThrow(
      /ksTwoSample options: method/,
    );
  });
});

describe('sortFloat64', () => {
  it('orders like Float64Array.prototype.sort, −0 before +0, short and long arrays', () => {
    const tricky = [
      -0, 0, 5e-324, -5e-324, 1e308, -1e308, 2.2250738585072014e-308, -1.5, 1.5, 3, -3,
    ];
    for (const n of [0, 1, 7, 4095, 4096, 50_000]) {
      const values = new Float64Array(n);
      const hashes = buildSample({ kind: 'uniform', n, seed: 40 + n });
      for (let i = 0; i < n; i++) {
        values[i] = i < tricky.length ? tricky[i]! : (hashes[i]! - 0.5) * 10 ** ((i % 40) - 20);
      }
      const expected = values.slice().sort();
      const sorted = sortFloat64(values);
      expect(sorted).toBe(values);
      let firstMismatch = -1;
      for (let i = 0; i < n && firstMismatch < 0; i++) {
        if (!Object.is(sorted[i], expected[i])) firstMismatch = i;
      }
      expect(firstMismatch, `length ${n}`).toBe(-1);
    }
  });

  it('sorts heavy ties and a subarray view in place', () => {
    const ints = buildSample({ kind: 'int', n: 20_000, seed: 3, levels: 4 });
    expect(sortFloat64(ints.slice())).toEqual(ints.slice().sort());
    const backing = buildSample({ kind: 'bell', n: 30_000, seed: 4 });
    const view = backing.subarray(1000, 25_000);
    const expected = view.slice().sort();
    sortFloat64(view);
    expect(view).toEqual(expected);
  });
});
