import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { Rng } from '../src/rng.js';

function draw(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.next());
}

function meanAndVariance(values: ArrayLike<number>): { mean: number; variance: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - mean) ** 2;
  return { mean, variance: squares / (values.length - 1) };
}

/** Pearson's statistic of observed counts against equal expected counts. */
function chiSquareUniform(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const expected = total / counts.length;
  let statistic = 0;
  for (let i = 0; i < counts.length; i++) statistic += (counts[i]! - expected) ** 2 / expected;
  return statistic;
}

describe('Rng determinism', () => {
  it('gives the same first 1000 values for the same seed', () => {
    expect(draw(new Rng(7), 1000)).toEqual(draw(new Rng(7), 1000));
    expect(draw(new Rng('fraud-sim'), 1000)).toEqual(draw(new Rng('fraud-sim'), 1000));
  });

  it('gives different streams for different seeds', () => {
    const seeds: (number | string)[] = [0, 1, 2, -1, 0.5, 2 ** 40, 'a', 'b', '', '0', '1'];
    const firsts = seeds.map((seed) => draw(new Rng(seed), 4).join(','));
    expect(new Set(firsts).size).toBe(seeds.length);
  });

  it('treats 0 and -0 as the same seed', () => {
    expect(draw(new Rng(-0), 5)).toEqual(draw(new Rng(0), 5));
  });

  // Frozen: if these change, the algorithm changed and every seeded result in the repo moves.
  it('matches the frozen first values of new Rng(42)', () => {
    expect(draw(new Rng(42), 5)).toEqual([
      0.6541060284321686, 0.8941090137524839, 0.7323348371577693, 0.14263947543079425,
      0.8516883016188662,
    ]);
    const rng = new Rng(42);
    expect([0, 1, 2, 3].map(() => rng.nextUint32())).toEqual([
      2809364002, 31220457, 3840168978, 1761706025,
    ]);
  });

  it('matches frozen normal, poisson, integer and sample draws', () => {
    const rng = new Rng(42);
    expect([
      rng.normal(),
      rng.normal(),
      rng.normal(),
      rng.poisson(3),
      rng.poisson(500),
      rng.integer(0, 1000),
      rng.integer(-5, 5),
    ]).toEqual([0.2975008144106269, 0.7608252172272466, 0.43549884628094593, 8, 484, 871, -3]);
    expect(Array.from(new Rng('fraud-sim').sample(100, 5))).toEqual([44, 59, 82, 92, 17]);
    expect(Array.from(new Rng(42).fork('a').sample(10, 3))).toEqual([5, 4, 7]);
  });

  it('rejects seeds that are not finite numbers or strings', () => {
    for (const seed of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => new Rng(seed)).toThrow(InvalidArgumentError);
    }
    expect(() => new Rng(undefined as unknown as number)).toThrow(InvalidArgumentError);
    expect(() => new Rng(Number.NaN)).toThrow(/finite number or a string, got NaN/);
  });
});

describe('Rng ranges', () => {
  it('next() stays in [0, 1)', () => {
    const rng = new Rng(1);
    let min = 1;
    let max = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = rng.next();
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(min).toBeLessThan(1e-3);
    expect(max).toBeLessThan(1);
    expect(max).toBeGreaterThan(1 - 1e-3);
  });

  it('uniform(low, high) stays in [low, high) and handles low = high', () => {
    const rng = new Rng(2);
    const values = Array.from({ length: 10_000 }, () => rng.uniform(-3, 5));
    expect(values.every((x) => x >= -3 && x < 5)).toBe(true);
    expect(rng.uniform(2, 2)).toBe(2);
    // A range one ulp wide: rounding would often land on `high` without the redraw.
    const high = 1 + Number.EPSILON;
    expect(Array.from({ length: 1000 }, () => rng.uniform(1, high)).every((x) => x === 1)).toBe(
      true,
    );
  });

  it('rejects bad uniform and normal arguments', () => {
    const rng = new Rng(3);
    expect(() => rng.uniform(1, 0)).toThrow(InvalidArgumentError);
    expect(() => rng.uniform(0, Number.POSITIVE_INFINITY)).toThrow(InvalidArgumentError);
    expect(() => rng.uniform(Number.NaN, 1)).toThrow(InvalidArgumentError);
    expect(() => rng.normal(0, -1)).toThrow(/std ≥ 0/);
    expect(() => rng.normal(Number.NaN, 1)).toThrow(InvalidArgumentError);
    expect(rng.normal(5, 0)).toBe(5);
  });

  it('integer(low, high) stays in [low, high) and hits every value', () => {
    const rng = new Rng(4);
    const values = Array.from({ length: 5000 }, () => rng.integer(-3, 4));
    expect(values.every((x) => Number.isInteger(x) && x >= -3 && x < 4)).toBe(true);
    expect([...new Set(values)].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    expect(rng.integer(9, 10)).toBe(9);
  });

  it('integer() covers ranges wider than 2^32', () => {
    const rng = new Rng(5);
    const high = 2 ** 40;
    const values = Float64Array.from({ length: 20_000 }, () => rng.integer(0, high));
    expect(values.every((x) => Number.isInteger(x) && x >= 0 && x < high)).toBe(true);
    // Mean of a uniform on [0, 2^40) is 2^39; standard error ~ 2^40 / sqrt(12 · 20000).
    expect(Math.abs(meanAndVariance(values).mean / high - 0.5)).toBeLessThan(0.01);
    expect(rng.integer(Number.MIN_SAFE_INTEGER, 0)).toBeLessThan(0);
  });

  it('rejects bad integer bounds', () => {
    const rng = new Rng(6);
    expect(() => rng.integer(3, 3)).toThrow(InvalidArgumentError);
    expect(() => rng.integer(0, 1.5)).toThrow(/need integers low < high/);
    expect(() => rng.integer(0, 2 ** 60)).toThrow(InvalidArgumentError);
    expect(() => rng.integer(-(2 ** 53) + 1, 2 ** 53 - 1)).toThrow(/wider than 2\^53/);
  });
});

describe('Rng moments', () => {
  const n = 200_000;

  it('uniform draws have mean 1/2 and variance 1/12', () => {
    const values = new Rng(10).fillUniform(new Float64Array(n));
    const { mean, variance } = meanAndVariance(values);
    // Standard errors: 6.5e-4 for the mean, 1.7e-4 for the variance.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.003);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.0008);
  });

  it('normal draws have the requested mean and variance', () => {
    const standard = meanAndVariance(new Rng(11).fillNormal(new Float64Array(n)));
    // Standard errors: 2.2e-3 for the mean, 3.2e-3 for the variance.
    expect(Math.abs(standard.mean)).toBeLessThan(0.01);
    expect(Math.abs(standard.variance - 1)).toBeLessThan(0.015);
    const shifted = meanAndVariance(new Rng(12).fillNormal(new Float64Array(n), 100, 15));
    expect(Math.abs(shifted.mean - 100)).toBeLessThan(0.15);
    expect(Math.abs(shifted.variance / 225 - 1)).toBeLessThan(0.015);
  });

  it('normal draws have Gaussian tails', () => {
    const values = new Rng(13).fillNormal(new Float64Array(n));
    let beyond2 = 0;
    for (const x of values) if (Math.abs(x) > 2) beyond2++;
    // P(|Z| > 2) = 0.0455; standard error of the fraction ~ 4.7e-4.
    expect(Math.abs(beyond2 / n - 0.0455)).toBeLessThan(0.002);
  });

  it.each([0.5, 3, 29.5, 30, 50, 1000])('poisson(%d) has mean and variance lambda', (lambda) => {
    const rng = new Rng(`poisson-${lambda}`);
    const count = 100_000;
    const values = new Float64Array(count);
    for (let i = 0; i < count; i++) values[i] = rng.poisson(lambda);
    expect(values.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    const { mean, variance } = meanAndVariance(values);
    // Five standard errors: sqrt(lambda / n) for the mean, ~lambda·sqrt(2/n) for the variance.
    expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / count));
    expect(Math.abs(variance - lambda)).toBeLessThan(
      5 * Math.sqrt((2 * lambda * lambda + lambda) / count),
    );
  });

  it('poisson(50) (the PTRS path) follows the Poisson pmf', () => {
    const lambda = 50;
    const rng = new Rng(14);
    const count = 100_000;
    const low = 30;
    const high = 72;
    const observed = new Float64Array(high - low + 2); // last bin: everything outside [low, high)
    for (let i = 0; i < count; i++) {
      const k = rng.poisson(lambda);
      observed[k >= low && k < high ? k - low : high - low + 1]! += 1;
    }
    let logPmf = -lambda; // ln P(0)
    const expected = new Float64Array(observed.length);
    let inside = 0;
    for (let k = 1; k < high; k++) {
      logPmf += Math.log(lambda / k);
      if (k >= low) {
        expected[k - low] = Math.exp(logPmf) * count;
        inside += Math.exp(logPmf);
      }
    }
    expected[high - low + 1] = (1 - inside) * count;
    let statistic = 0;
    for (let i = 0; i < observed.length; i++) {
      if (expected[i]! > 0) statistic += (observed[i]! - expected[i]!) ** 2 / expected[i]!;
    }
    // 43 bins (42 dof): the 99.99th percentile of chi-square(42) is about 83.
    expect(statistic).toBeLessThan(83);
  });

  it('poisson(0) is 0 and bad lambdas are rejected', () => {
    const rng = new Rng(15);
    expect(rng.poisson(0)).toBe(0);
    for (const lambda of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => rng.poisson(lambda)).toThrow(InvalidArgumentError);
    }
    expect(() => rng.poisson(-0.5)).toThrow(/lambda must be a finite number ≥ 0, got -0.5/);
    // Very large means stay O(1) and sensible.
    const big = rng.poisson(1e9);
    expect(Math.abs(big - 1e9)).toBeLessThan(6 * Math.sqrt(1e9));
  });
});

describe('Rng.integer uniformity', () => {
  it('spreads integer(0, 10) evenly (chi-square)', () => {
    const rng = new Rng(20);
    const counts = new Float64Array(10);
    for (let i = 0; i < 100_000; i++) counts[rng.integer(0, 10)]! += 1;
    // 9 degrees of freedom: the 99.99th percentile is 33.7.
    expect(chiSquareUniform(counts)).toBeLessThan(33.7);
  });

  it('has no modulo bias for a range just above 2^31', () => {
    // With plain modulo, values below 2^32 mod range would be twice as likely: the low
    // third would get half the draws instead of a third.
    const range = 2 ** 31 + 2 ** 30;
    const rng = new Rng(21);
    let low = 0;
    const n = 60_000;
    for (let i = 0; i < n; i++) if (rng.integer(0, range) < range / 3) low++;
    expect(Math.abs(low / n - 1 / 3)).toBeLessThan(0.01);
  });
});

describe('Rng.choice, shuffle, sample', () => {
  it('choice picks each item about equally often', () => {
    const rng = new Rng(30);
    const items = ['a', 'b', 'c', 'd'];
    const counts = new Float64Array(4);
    for (let i = 0; i < 40_000; i++) counts[items.indexOf(rng.choice(items))]! += 1;
    expect(chiSquareUniform(counts)).toBeLessThan(21.1); // 3 dof, 99.99th percentile
    expect(rng.choice(new Float32Array([2.5]))).toBe(2.5);
    expect(() => rng.choice([])).toThrow(InvalidArgumentError);
  });

  it('shuffle permutes arrays and typed arrays in place', () => {
    const rng = new Rng(31);
    const array = Array.from({ length: 100 }, (_, i) => i);
    const result = rng.shuffle(array);
    expect(result).toBe(array);
    expect(array).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...array].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));

    const typed = Int32Array.from({ length: 50 }, (_, i) => i);
    expect(rng.shuffle(typed)).toBe(typed);
    expect(Array.from(typed).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    expect(rng.shuffle([])).toEqual([]);
    expect(rng.shuffle(['x'])).toEqual(['x']);
  });

  it('shuffle makes all 24 orders of 4 items equally likely', () => {
    const rng = new Rng(32);
    const counts = new Map<string, number>();
    const n = 48_000;
    for (let i = 0; i < n; i++) {
      const key = rng.shuffle([0, 1, 2, 3]).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    expect(chiSquareUniform([...counts.values()])).toBeLessThan(55.5); // 23 dof, 99.99th pct
  });

  it.each([
    [1000, 10], // Floyd
    [1000, 500], // partial shuffle
    [20, 20],
    [7, 0],
    [0, 0],
  ])('sample(%d, %d) returns distinct indices in range', (n, k) => {
    const indices = new Rng(33).sample(n, k);
    expect(indices).toBeInstanceOf(Int32Array);
    expect(indices.length).toBe(k);
    expect(new Set(indices).size).toBe(k);
    expect(indices.every((index) => index >= 0 && index < n)).toBe(true);
  });

  it('sample(n, n) is a permutation of 0..n-1', () => {
    const indices = new Rng(34).sample(50, 50);
    expect(Array.from(indices).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  it.each([
    [100, 5],
    [12, 6],
  ])('sample(%d, %d) includes every index equally often', (n, k) => {
    const rng = new Rng(35);
    const counts = new Float64Array(n);
    const firsts = new Float64Array(n);
    for (let rep = 0; rep < 20_000; rep++) {
      const indices = rng.sample(n, k);
      for (const index of indices) counts[index]! += 1;
      firsts[indices[0]!]! += 1;
    }
    // dof n - 1: 99.99th percentiles are 153 (99 dof) and 35.7 (11 dof).
    const limit = n === 100 ? 153 : 35.7;
    expect(chiSquareUniform(counts)).toBeLessThan(limit);
    // The order is random too, not only the set.
    expect(chiSquareUniform(firsts)).toBeLessThan(limit);
  });

  it('rejects impossible samples', () => {
    const rng = new Rng(36);
    expect(() => rng.sample(5, 6)).toThrow(InvalidArgumentError);
    expect(() => rng.sample(5, 6)).toThrow(/cannot draw more distinct indices/);
    expect(() => rng.sample(5, -1)).toThrow(InvalidArgumentError);
    expect(() => rng.sample(5.5, 1)).toThrow(InvalidArgumentError);
    expect(() => rng.sample(2 ** 31, 1)).toThrow(InvalidArgumentError);
  });
});

describe('Rng.fork', () => {
  it('is deterministic and does not advance the parent', () => {
    const parent = new Rng(40);
    const child = parent.fork('customers');
    expect(draw(parent, 10)).toEqual(draw(new Rng(40), 10));
    expect(draw(child, 10)).toEqual(draw(new Rng(40).fork('customers'), 10));
  });

  it('depends on the seed and key, not on how far the parent has drawn', () => {
    const parent = new Rng(41);
    draw(parent, 123);
    parent.normal();
    expect(draw(parent.fork(7), 10)).toEqual(draw(new Rng(41).fork(7), 10));
  });

  it('gives distinct streams for distinct keys, seeds and depths', () => {
    const root = new Rng(42);
    const streams = [
      draw(root, 4),
      draw(new Rng(42).fork(0), 4),
      draw(new Rng(42).fork(1), 4),
      draw(new Rng(42).fork('1'), 4),
      draw(new Rng(43).fork(1), 4),
      draw(new Rng(1), 4),
      draw(new Rng(42).fork(1).fork(1), 4),
      draw(new Rng(42).fork(1).fork(2), 4),
    ].map((values) => values.join(','));
    expect(new Set(streams).size).toBe(streams.length);
  });

  it('gives children uncorrelated with the parent and with each other', () => {
    const n = 50_000;
    const parent = new Rng(44);
    const a = parent.fork('a').fillNormal(new Float64Array(n));
    const b = parent.fork('b').fillNormal(new Float64Array(n));
    const p = parent.fillNormal(new Float64Array(n));
    const correlation = (x: Float64Array, y: Float64Array) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += x[i]! * y[i]!;
      return sum / n;
    };
    // Standard error of a correlation of independent normals: 1/sqrt(n) ≈ 0.0045.
    expect(Math.abs(correlation(a, b))).toBeLessThan(0.025);
    expect(Math.abs(correlation(a, p))).toBeLessThan(0.025);
  });

  it('rejects bad keys', () => {
    expect(() => new Rng(1).fork(Number.NaN)).toThrow(/Rng.fork key/);
  });
});

describe('Rng.fillUniform and fillNormal', () => {
  it('fillUniform gives the values repeated uniform() calls give', () => {
    const filled = new Rng(50).fillUniform(new Float64Array(100), -2, 3);
    const rng = new Rng(50);
    expect(Array.from(filled)).toEqual(Array.from({ length: 100 }, () => rng.uniform(-2, 3)));
  });

  it('fillNormal gives the values repeated normal() calls give', () => {
    const filled = new Rng(51).fillNormal(new Float64Array(101), 1, 2);
    const rng = new Rng(51);
    expect(Array.from(filled)).toEqual(Array.from({ length: 101 }, () => rng.normal(1, 2)));
  });

  it('keeps float32 values below high after rounding', () => {
    const out = new Rng(52).fillUniform(new Float32Array(100_000), 0, 1);
    let max = 0;
    for (const x of out) max = Math.max(max, x);
    expect(max).toBeLessThan(1);
    expect(new Rng(53).fillUniform(new Float32Array(3), 4, 4)).toEqual(new Float32Array([4, 4, 4]));
    // 1 - 1e-10 rounds to 1 in float32: no float32 lies in [1 - 1e-10, 1).
    expect(() => new Rng(54).fillUniform(new Float32Array(2), 1 - 1e-10, 1)).toThrow(
      /no float32 value/,
    );
    expect(() => new Rng(55).fillNormal(new Float32Array(2), 0, -1)).toThrow(InvalidArgumentError);
  });
});
