import { CategoryColumn, InvalidArgumentError, Rng, Table } from '@mlsd/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DriftMonitor,
  driftTestNames,
  jensenShannonSamples,
  type NumericDriftTest,
  populationStabilityIndex,
  registerDriftTest,
  unregisterDriftTest,
  wassersteinDistance,
} from '../src/index.js';

function sample(n: number, seed: number, shift = 0, scale = 1): Float64Array {
  return new Rng(seed).fillNormal(new Float64Array(n), shift, scale);
}

const reference = new Table({ a: sample(3_000, 1), b: sample(3_000, 2, 10, 2) });
const quiet = new Table({ a: sample(1_000, 11), b: sample(1_000, 12, 10, 2) });
const shifted = new Table({ a: sample(1_000, 21, 0.6), b: sample(1_000, 22, 10, 2) });

/**
 * An outside test, written as a user would: the share of current values above the reference's
 * median, with a normal-approximation p-value of the sign test. Its effect size is how far that
 * share is from one half, doubled (0 to 1).
 */
const medianShift: NumericDriftTest<number> = {
  name: 'median-shift',
  input: 'numeric',
  description: 'share above the reference median (sign test); effect: 2·|share − ½|',
  defaultMinEffect: 0.2,
  prepare: (values) => {
    values.sort();
    const mid = values.length >> 1;
    return values.length % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  },
  compare: (median, current) => {
    let above = 0;
    for (const value of current) if (value > median) above++;
    const share = above / current.length;
    const z = Math.abs(share - 0.5) / Math.sqrt(0.25 / current.length);
    // Two-sided normal tail by the Abramowitz–Stegun 7.1.26 erfc approximation (|error| < 1.5e-7).
    const t = 1 / (1 + 0.3275911 * (z / Math.SQRT2));
    const poly =
      t *
      (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    const pvalue = poly * Math.exp(-(z * z) / 2);
    return { statistic: share, pvalue, effectSize: 2 * Math.abs(share - 0.5) };
  },
};

afterEach(() => {
  unregisterDriftTest('median-shift');
});

describe('drift test registry', () => {
  it('lists the built-in tests', () => {
    expect(driftTestNames()).toEqual(['ks', 'chi-square', 'psi', 'wasserstein', 'jensen-shannon']);
  });

  it('runs a monitor with an outside test registered by name, without editing @mlsd/drift', () => {
    registerDriftTest(medianShift);
    expect(driftTestNames()).toContain('median-shift');
    const monitor = new DriftMonitor(reference, { tests: { a: 'median-shift' } });
    const calm = monitor.check(quiet);
    expect(calm.columns.map((c) => c.test)).toEqual(['median-shift', 'ks']);
    expect(calm.columns[0]!.drifted).toBe(false);
    const moved = monitor.check(shifted);
    const [a, b] = moved.columns;
    // Its p-value takes part in the correction with KS's: two p-values, Benjamini–Hochberg.
    expect(a!.pvalue).toBeLessThan(1e-10);
    expect(a!.pvalue).toBeLessThan(b!.pvalue);
    expect(a!.correctedPValue).toBe(Math.min(2 * a!.pvalue, b!.pvalue));
    expect(a!.statistic).toBeGreaterThan(0.65);
    expect(a!.drifted).toBe(true);
    expect(b!.drifted).toBe(false);
  });

  it('takes an outside test as the default for numeric columns, with its threshold by name', () => {
    registerDriftTest(medianShift);
    const report = new DriftMonitor(reference, {
      defaultTests: { numeric: 'median-shift' },
      minEffect: { 'median-shift': 0.9 },
    }).check(shifted);
    expect(report.columns.map((c) => c.test)).toEqual(['median-shift', 'median-shift']);
    // Significant, but the effect (about 0.45) is below the 0.9 asked for.
    expect(report.columns[0]!.correctedPValue).toBeLessThan(0.05);
    expect(report.columns[0]!.drifted).toBe(false);
  });

  it('runs PSI, Wasserstein and Jensen–Shannon as the statistics compute them, on effect size alone', () => {
    const monitor = new DriftMonitor(
      new Table({
        p: reference.numeric('a'),
        w: reference.numeric('a'),
        j: reference.numeric('a'),
      }),
      {
        tests: { p: 'psi', w: 'wasserstein', j: 'jensen-shannon' },
      },
    );
    const current = shifted.numeric('a');
    const report = monitor.check(new Table({ p: current, w: current, j: current }));
    const [p, w, j] = report.columns;
    const ref = reference.numeric('a');
    expect(p!.statistic).toBe(populationStabilityIndex(ref, current).psi);
    expect(w!.statistic).toBe(wassersteinDistance(ref, current).distance);
    expect(w!.effectSize).toBe(wassersteinDistance(ref, current).normalized);
    expect(j!.statistic).toBe(jensenShannonSamples(ref, current, 10));
    for (const column of report.columns) {
      expect(column.pvalue).toBeNaN();
      expect(column.correctedPValue).toBeNaN();
      expect(column.drifted).toBe(column.effectSize >= 0.1);
    }
    expect(report.columns.every((c) => c.drifted)).toBe(true);
    const calm = monitor.check(
      new Table({ p: quiet.numeric('a'), w: quiet.numeric('a'), j: quiet.numeric('a') }),
    );
    expect(calm.columns.some((c) => c.drifted)).toBe(false);
  });

  it('leaves distances out of the multiple-testing correction', () => {
    const withPsi = new DriftMonitor(reference, { tests: { b: 'psi' } }).check(shifted);
    const alone = new DriftMonitor(new Table({ a: reference.numeric('a') })).check(
      new Table({ a: shifted.numeric('a') }),
    );
    expect(withPsi.columns[0]!.correctedPValue).toBe(alone.columns[0]!.correctedPValue);
  });

  it('refuses an unregistered name, a taken name and a numeric test on text', () => {
    expect(() => new DriftMonitor(reference, { tests: { a: 'kss' } })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new DriftMonitor(reference, { defaultTests: { categorical: 'nope' } })).toThrow(
      /No drift test "nope" is registered \(registered: ks, chi-square, psi, wasserstein, jensen-shannon\)/,
    );
    expect(() => registerDriftTest({ ...medianShift, name: 'ks' })).toThrow(/already registered/);
    expect(() => registerDriftTest({ ...medianShift, name: 'bad name' })).toThrow(
      /letters, digits/,
    );
    const text = new Table({ channel: CategoryColumn.fromValues(['web', 'pos', 'web']) });
    expect(() => new DriftMonitor(text, { tests: { channel: 'psi' } })).toThrow(
      /column "channel" is not numeric, and its test 'psi' compares numbers/,
    );
  });

  it('replaces a registered test only when asked', () => {
    registerDriftTest(medianShift);
    registerDriftTest({ ...medianShift, defaultMinEffect: 0.99 }, { replace: true });
    const report = new DriftMonitor(reference, { tests: { a: 'median-shift' } }).check(shifted);
    expect(report.columns[0]!.drifted).toBe(false);
  });
});
