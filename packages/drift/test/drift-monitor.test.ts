import { CategoryColumn, Rng, Table } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { DriftMonitor, ksTwoSample, QualityTracker } from '../src/index.js';

function sample(n: number, seed: number, shift = 0, scale = 1): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => shift + scale * rng.normal());
}

function channels(n: number, seed: number, webShare: number): CategoryColumn {
  const rng = new Rng(seed);
  return CategoryColumn.fromValues(
    Array.from({ length: n }, () => (rng.next() < webShare ? 'web' : 'pos')),
  );
}

const reference = new Table({
  amount: sample(5_000, 1),
  hour: sample(5_000, 2, 12, 4),
  channel: channels(5_000, 3, 0.3),
});

describe('DriftMonitor', () => {
  it('computes KS p-values with the method asked for (ksMethod)', () => {
    const current = new Table({
      amount: sample(2_000, 21, 0.05),
      hour: sample(2_000, 22, 12, 4),
      channel: channels(2_000, 23, 0.3),
    });
    const asymp = new DriftMonitor(reference, { ksMethod: 'asymp' }).check(current);
    const auto = new DriftMonitor(reference).check(current);
    const a = Float64Array.from(reference.numeric('amount'));
    const b = Float64Array.from(current.numeric('amount'));
    expect(asymp.columns[0]!.pvalue).toBe(ksTwoSample(a, b, { method: 'asymp' }).pvalue);
    expect(auto.columns[0]!.pvalue).toBe(ksTwoSample(a, b).pvalue);
    expect(asymp.columns[0]!.pvalue).not.toBe(auto.columns[0]!.pvalue);
  });

  it('stays quiet on data from the reference distribution', () => {
    const monitor = new DriftMonitor(reference);
    const report = monitor.check(
      new Table({
        amount: sample(2_000, 11),
        hour: sample(2_000, 12, 12, 4),
        channel: channels(2_000, 13, 0.3),
      }),
    );
    expect(report.columns.map((c) => c.test)).toEqual(['ks', 'ks', 'chi-square']);
    expect(report.columns.every((c) => !c.drifted)).toBe(true);
    expect(report.datasetDrift).toBe(false);
  });

  it('flags a shifted numeric column and a changed category mix, with corrected p-values', () => {
    const monitor = new DriftMonitor(reference, { datasetDriftShare: 0.5 });
    const report = monitor.check(
      new Table({
        amount: sample(2_000, 21, 0.5),
        hour: sample(2_000, 22, 12, 4),
        channel: channels(2_000, 23, 0.6),
      }),
    );
    const [amount, hour, channel] = report.columns;
    expect(amount!.drifted).toBe(true);
    expect(amount!.effectSize).toBeGreaterThan(0.15);
    expect(amount!.correctedPValue).toBeGreaterThanOrEqual(amount!.pvalue);
    expect(hour!.drifted).toBe(false);
    expect(channel!.drifted).toBe(true);
    expect(channel!.effectSize).toBeGreaterThan(0.1);
    expect(report.driftedShare).toBeCloseTo(2 / 3, 12);
    expect(report.datasetDrift).toBe(true);
  });

  it('does not call a tiny but significant shift drift: the effect size must pass its threshold', () => {
    const big = new Table({ amount: sample(200_000, 31) });
    const monitor = new DriftMonitor(big, { minEffect: { ks: 0.05 } });
    const report = monitor.check(new Table({ amount: sample(200_000, 32, 0.03) }));
    const [amount] = report.columns;
    expect(amount!.correctedPValue).toBeLessThan(1e-6);
    expect(amount!.effectSize).toBeLessThan(0.05);
    expect(amount!.drifted).toBe(false);
  });

  it('counts missing values, skips windows below minSamples, and reports unseen categories', () => {
    const monitor = new DriftMonitor(reference, { minSamples: 50 });
    const amount = sample(40, 41);
    amount[0] = Number.NaN;
    const report = monitor.check(
      new Table({
        amount,
        hour: sample(40, 42, 12, 4),
        channel: CategoryColumn.fromValues(Array(40).fill('atm')),
      }),
    );
    expect(report.columns[0]).toMatchObject({ missing: 1, currentCount: 39, drifted: false });
    expect(report.columns[0]!.skipped).toMatch(/39 values < minSamples 50/);
    const wide = new DriftMonitor(reference, { minSamples: 10 });
    const channel = wide.check(
      new Table({
        amount,
        hour: sample(40, 42, 12, 4),
        channel: CategoryColumn.fromValues(Array(40).fill('atm')),
      }),
    ).columns[2]!;
    expect(channel.unseenCategories).toEqual(['atm']);
    expect(channel.drifted).toBe(true);
  });

  it('windows a stream by time (tumbling) and finds the window where drift starts', () => {
    const monitor = new DriftMonitor(new Table({ amount: reference.numeric('amount') }));
    const n = 6_000;
    const time = Float64Array.from({ length: n }, (_, i) => i);
    const stream = new Table({
      time,
      amount: Float64Array.from(
        { length: n },
        (_, i) => (i < 4_000 ? 0 : 0.8) + sample(1, 100 + i)[0]!,
      ),
    });
    const reports = monitor.checkWindows(stream.select(['time', 'amount']), {
      by: 'time',
      column: 'time',
      size: 1_000,
    });
    expect(reports).toHaveLength(6);
    expect(reports.map((r) => r.columns.find((c) => c.column === 'amount')!.drifted)).toEqual([
      false,
      false,
      false,
      false,
      true,
      true,
    ]);
    const byRows = monitor.checkWindows(stream.select(['amount']), { by: 'rows', size: 3_000 });
    expect(byRows.map((r) => r.window)).toEqual(['rows 0–2999', 'rows 3000–5999']);
  });

  it('refuses an unknown column and a reference without values', () => {
    expect(() => new DriftMonitor(reference, { columns: ['amuont'] })).toThrow(/amount/);
    expect(() => new DriftMonitor(new Table({ x: new Float64Array([Number.NaN]) }))).toThrow(
      /no finite values/,
    );
  });
});

describe('QualityTracker', () => {
  it('flags a window whose metric falls below (1 − tolerance) of its baseline', () => {
    const tracker = new QualityTracker({ ap: 0.6, cpAt100: 0.3 }, 0.2);
    expect(tracker.record('w1', { ap: 0.55, cpAt100: 0.29 }).degraded).toBe(false);
    const bad = tracker.record('w2', { ap: 0.4, cpAt100: 0.3 });
    expect(bad.degraded).toBe(true);
    expect(bad.relative.ap).toBeCloseTo(0.4 / 0.6, 12);
    expect(tracker.history.map((w) => w.window)).toEqual(['w1', 'w2']);
    expect(() => tracker.record('w3', { ap: 0.5 })).toThrow(/cpAt100 is missing/);
    expect(() => new QualityTracker({ ap: 0 })).toThrow(/positive/);
  });
});
