import {
  barChart,
  CategoryColumn,
  type Column,
  isNumericColumn,
  lineChart,
  type Table,
  writeFileAtomic,
} from '@mlsd/core';
import type { DriftReport } from './drift-report.js';

const ECDF_POINTS = 200;

function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Up to ECDF_POINTS (value, share ≤ value) pairs of a sample, for plotting. */
function ecdf(column: Column): { x: number[]; y: number[] } {
  const values = Float64Array.from(column as ArrayLike<number>)
    .filter(Number.isFinite)
    .sort();
  const x: number[] = [];
  const y: number[] = [];
  if (values.length === 0) return { x, y };
  const step = Math.max(1, Math.floor(values.length / ECDF_POINTS));
  for (let i = 0; i < values.length; i += step) {
    x.push(values[i]!);
    y.push((i + 1) / values.length);
  }
  x.push(values[values.length - 1]!);
  y.push(1);
  return { x, y };
}

/** How a chart title names a test's effect size. */
function effectLabel(test: string): string {
  if (test === 'ks') return 'KS D';
  if (test === 'chi-square') return "Cramér's V";
  return `${test} effect`;
}

function categoryShares(column: Column): Map<string, number> {
  const counts = new Map<string, number>();
  let total = 0;
  const add = (value: string) => {
    counts.set(value, (counts.get(value) ?? 0) + 1);
    total++;
  };
  if (column instanceof CategoryColumn) {
    for (const code of column.codes) if (code >= 0) add(column.levels[code]!);
  } else if (Array.isArray(column)) {
    for (const value of column) if (value !== undefined && value !== '') add(String(value));
  } else if (isNumericColumn(column)) {
    for (const value of column) if (Number.isFinite(value)) add(String(value));
  }
  for (const [key, count] of counts) counts.set(key, count / Math.max(1, total));
  return counts;
}

/**
 * A self-contained HTML page (inline SVG, no scripts) for one drift check: a table of every
 * column's test, statistic, corrected p-value, effect size and verdict, then for each drifted
 * column the reference and current ECDFs (numeric) or category shares (categorical).
 */
export function renderDriftReport(report: DriftReport, reference: Table, current: Table): string {
  const rows = report.columns
    .map(
      (c) =>
        `<tr class="${c.drifted ? 'drift' : ''}"><th>${escapeHtml(c.column)}</th><td>${escapeHtml(c.test)}</td><td>${c.currentCount}</td><td>${c.missing}</td><td>${Number.isNaN(c.statistic) ? '–' : c.statistic.toPrecision(4)}</td><td>${Number.isNaN(c.correctedPValue) ? '–' : c.correctedPValue.toExponential(2)}</td><td>${Number.isNaN(c.effectSize) ? '–' : c.effectSize.toFixed(3)}</td><td>${c.skipped ? escapeHtml(`not tested: ${c.skipped}`) : c.drifted ? 'DRIFT' : 'ok'}</td></tr>`,
    )
    .join('\n');
  const charts = report.columns
    .filter((c) => c.drifted)
    .map((c) => {
      if (c.input === 'numeric') {
        const ref = ecdf(reference.column(c.column));
        const cur = ecdf(current.column(c.column));
        const all = [...ref.x, ...cur.x];
        const lo = Math.min(...all);
        const hi = Math.max(...all);
        return lineChart(
          [
            { ...ref, label: 'reference', color: '#3b6fd1' },
            { ...cur, label: 'current', color: '#c2410c' },
          ],
          {
            title: `${c.column}: ECDFs (${effectLabel(c.test)} ${c.effectSize.toFixed(3)})`,
            xLabel: c.column,
            yLabel: 'share ≤ value',
            xDomain: [lo, hi === lo ? lo + 1 : hi],
          },
        );
      }
      const ref = categoryShares(reference.column(c.column));
      const cur = categoryShares(current.column(c.column));
      const categories = [...new Set([...ref.keys(), ...cur.keys()])].slice(0, 12);
      const top = Math.max(...categories.map((k) => Math.max(ref.get(k) ?? 0, cur.get(k) ?? 0)));
      const shares = (from: Map<string, number>, which: string, color: string) =>
        barChart(
          categories.map((category) => ({ label: category, value: from.get(category) ?? 0 })),
          {
            title: `${c.column}: ${which} shares (${effectLabel(c.test)} ${c.effectSize.toFixed(3)})`,
            xLabel: 'category',
            yLabel: 'share',
            yDomain: [0, Math.max(0.01, top)],
            color,
          },
        );
      return shares(ref, 'reference', '#3b6fd1') + shares(cur, 'current', '#c2410c');
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mlsd drift report — ${escapeHtml(report.window)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1320px;margin:24px auto;padding:0 16px;color:#1f2937}
table{border-collapse:collapse} td,th{padding:4px 10px;border-bottom:1px solid #e5e7eb;text-align:right} th{text-align:left}
tr.drift{background:#fee2e2} .charts{display:flex;flex-wrap:wrap;gap:12px} .verdict{font-size:18px}
</style></head><body>
<h1>Drift report: ${escapeHtml(report.window)}</h1>
<p class="verdict">${report.rows} rows; ${(100 * report.driftedShare).toFixed(0)} % of tested columns drifted → <strong>${report.datasetDrift ? 'dataset drift' : 'no dataset drift'}</strong></p>
<table><tr><th>column</th><th>test</th><th>n</th><th>missing</th><th>statistic</th><th>corrected p</th><th>effect</th><th>verdict</th></tr>
${rows}
</table>
<h2>Drifted columns</h2>
<div class="charts">${charts || '<p>None.</p>'}</div>
</body></html>
`;
}

/** Renders {@link renderDriftReport} and writes it atomically. */
export async function writeDriftReport(
  path: string,
  report: DriftReport,
  reference: Table,
  current: Table,
): Promise<void> {
  await writeFileAtomic(path, renderDriftReport(report, reference, current));
}
