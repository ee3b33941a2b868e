import { type Matrix, Rng, Table } from '@mlsd/core';
import { DriftMonitor, type DriftReport, ksTwoSample } from '@mlsd/drift';
import { describe, expect, it } from 'vitest';
import { DriftWatch, EXACT_KS_MAX_CELLS } from '../src/index.js';
import { eventually } from './http-helpers.js';

const NAMES = ['amount', 'count', 'night'];

/** `rows` × 3 features: normal amounts (scaled), Poisson counts, 0/1 night flags. */
function rowsOf(rng: Rng, rows: number, amountScale = 1): Float32Array {
  const data = new Float32Array(rows * NAMES.length);
  for (let i = 0; i < rows; i++) {
    data[i * 3] = (50 + 20 * rng.normal()) * amountScale;
    data[i * 3 + 1] = rng.poisson(3);
    data[i * 3 + 2] = rng.uniform() < 0.2 ? 1 : 0;
  }
  return data;
}

function referenceMatrix(rng: Rng, rows: number): Matrix<Float32Array> {
  return { data: rowsOf(rng, rows), rows, cols: NAMES.length } as Matrix<Float32Array>;
}

function asTable(data: Float32Array, rows: number): Table {
  const columns: Record<string, Float64Array> = {};
  NAMES.forEach((name, j) => {
    columns[name] = Float64Array.from({ length: rows }, (_, i) => data[i * 3 + j]!);
  });
  return new Table(columns);
}

describe('DriftWatch', () => {
  it('gives the verdict of one DriftMonitor.check over all features', () => {
    const rng = new Rng(11);
    const reference = referenceMatrix(rng, 1_500);
    const watch = new DriftWatch(reference, NAMES, { windowRows: 400, onReport: () => {} });
    const current = rowsOf(rng, 400, 1.4);
    for (let i = 0; i < 400; i++) watch.push(current.subarray(i * 3, i * 3 + 3));
    const ours = watch.check();
    const theirs = new DriftMonitor(asTable(reference.data, reference.rows)).check(
      asTable(current, 400),
    );
    expect(ours.rows).toBe(400);
    expect(ours.datasetDrift).toBe(theirs.datasetDrift);
    expect(ours.driftedShare).toBe(theirs.driftedShare);
    for (const [j, column] of ours.columns.entries()) {
      const other = theirs.columns[j]!;
      expect(column.column).toBe(other.column);
      expect(column.statistic).toBeCloseTo(other.statistic, 12);
      expect(column.correctedPValue).toBeCloseTo(other.correctedPValue, 12);
      expect(column.drifted).toBe(other.drifted);
    }
    expect(ours.columns.map((c) => c.drifted)).toEqual([true, false, false]);
  });

  it('checks in the background every `checkEvery` rows, at most once per `minIntervalMs`', async () => {
    const rng = new Rng(5);
    const reports: DriftReport[] = [];
    const watch = new DriftWatch(referenceMatrix(rng, 800), NAMES, {
      windowRows: 200,
      checkEvery: 100,
      minIntervalMs: 60_000,
      onReport: (report) => reports.push(report),
    });
    const rows = rowsOf(rng, 350);
    for (let i = 0; i < 99; i++) watch.push(rows.subarray(i * 3, i * 3 + 3));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reports).toHaveLength(0);
    watch.push(rows.subarray(99 * 3, 100 * 3));
    // Not on the caller's turn: the check runs one feature per setImmediate.
    expect(reports).toHaveLength(0);
    await eventually(async () => (reports.length > 0 ? true : undefined));
    expect(reports).toHaveLength(1);
    expect(reports[0]!.rows).toBe(100);
    expect(reports[0]!.datasetDrift).toBe(false);
    // 250 more rows: due twice by count, but the interval holds the next check back.
    for (let i = 100; i < 350; i++) watch.push(rows.subarray(i * 3, i * 3 + 3));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reports).toHaveLength(1);
    expect(watch.last).toBe(reports[0]);
  });

  it('uses the asymptotic KS p-value when reference × window is large, the exact one when small (issue 13, item 3)', () => {
    const rng = new Rng(3);
    const reference = referenceMatrix(rng, 6_700);
    const watch = new DriftWatch(reference, NAMES, { windowRows: 2_000, onReport: () => {} });
    expect(6_700 * 2_000).toBeGreaterThan(EXACT_KS_MAX_CELLS);
    expect(watch.ksMethod).toBe('asymp');
    const current = rowsOf(rng, 2_000, 1.02);
    for (let i = 0; i < 2_000; i++) watch.push(current.subarray(i * 3, i * 3 + 3));
    const report = watch.check();
    const column = (data: Float32Array, rows: number, j: number) =>
      Float64Array.from({ length: rows }, (_, i) => data[i * 3 + j]!);
    for (const [j, drift] of report.columns.entries()) {
      const a = column(reference.data, 6_700, j);
      const b = column(current, 2_000, j);
      const asymp = ksTwoSample(a, b, { method: 'asymp' });
      expect(drift.pvalue).toBe(asymp.pvalue);
      // The exact p-value is what scipy's auto method gives; the two agree to about 1%.
      const exact = ksTwoSample(a, b);
      expect(exact.method).toBe('exact');
      expect(Math.abs(drift.pvalue - exact.pvalue)).toBeLessThan(0.02 * exact.pvalue + 1e-12);
    }
    const small = new DriftWatch(referenceMatrix(rng, 400), NAMES, {
      windowRows: 200,
      onReport: () => {},
    });
    expect(small.ksMethod).toBe('auto');
  });
});
