import { barChart, lineChart, writeFileAtomic } from '@mlsd/core';
import type { FraudEvaluation } from './evaluate-fraud-model.js';
import type { FraudModel } from './fraud-model.js';
import { dayNumber } from './fraud-protocol.js';

function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function dateOf(origin: string, day: number): string {
  return new Date(Date.parse(`${origin}T00:00:00Z`) + day * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A self-contained HTML report of a fraud model's test-period evaluation: headline metrics with
 * intervals, ROC and precision–recall curves, card precision per day, and what the chosen
 * threshold costs (frauds missed, alerts raised). Inline SVG, no scripts: readable offline.
 */
export function renderFraudReport(model: FraudModel, evaluation: FraudEvaluation): string {
  const m = evaluation.metrics;
  const { origin } = model.protocol;
  const interval = (i: { low: number; high: number } | undefined) =>
    i === undefined ? '' : ` <span class="ci">[${i.low.toFixed(3)}, ${i.high.toFixed(3)}]</span>`;
  const fraudShare = m.frauds / Math.max(1, m.transactions);
  const roc = lineChart(
    [
      {
        x: evaluation.roc.fpr,
        y: evaluation.roc.tpr,
        label: `${model.kind} (AUC ${m.auc.toFixed(3)})`,
        color: '#3b6fd1',
      },
      { x: [0, 1], y: [0, 1], label: 'chance', color: '#999', dashed: true },
    ],
    { title: 'ROC curve', xLabel: 'false positive rate', yLabel: 'true positive rate' },
  );
  const pr = lineChart(
    [
      {
        x: evaluation.pr.recall,
        y: evaluation.pr.precision,
        label: `${model.kind} (AP ${m.ap.toFixed(3)})`,
        color: '#c2410c',
      },
      {
        x: [0, 1],
        y: [fraudShare, fraudShare],
        label: `fraud share ${(100 * fraudShare).toFixed(2)} %`,
        color: '#999',
        dashed: true,
      },
    ],
    { title: 'Precision–recall curve', xLabel: 'recall', yLabel: 'precision' },
  );
  const daily = barChart(
    m.daily.map((d) => ({ label: dateOf(origin, d.day).slice(5), value: d.cardPrecision })),
    {
      title: `Card precision@${m.k} per test day`,
      xLabel: 'day',
      yLabel: `card precision@${m.k}`,
      color: '#15803d',
    },
  );
  const flagged = m.truePositives + m.falsePositives;
  const [first, last] = evaluation.testDays;
  const trainStartDay = dayNumber(origin, model.protocol.trainStart);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mlsd fraud report — ${escapeHtml(model.kind)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1320px;margin:24px auto;padding:0 16px;color:#1f2937}
h1{font-size:22px} h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse} td,th{padding:4px 10px;border-bottom:1px solid #e5e7eb;text-align:right} th{text-align:left}
.ci{color:#6b7280;font-size:12px} .charts{display:flex;flex-wrap:wrap;gap:12px}
.note{color:#4b5563;font-size:13px}
</style></head><body>
<h1>Fraud model report: ${escapeHtml(model.kind)}, class weight ${escapeHtml(JSON.stringify(model.classWeight))}</h1>
<p class="note">Trained on ${model.protocol.trainDays} days from ${escapeHtml(model.protocol.trainStart)} (day ${trainStartDay}), ${model.protocol.delayDays}-day label delay, tested on ${dateOf(origin, first)} – ${dateOf(origin, last)}; cards already known to be compromised are left out of the test days (${evaluation.droppedKnownCompromised} rows). Intervals: 95 % bootstrap.</p>
<h2>Headline</h2>
<table>
<tr><th>test transactions</th><td>${m.transactions.toLocaleString('en-US')}</td></tr>
<tr><th>frauds</th><td>${m.frauds.toLocaleString('en-US')} (${(100 * fraudShare).toFixed(2)} %)</td></tr>
<tr><th>ROC AUC</th><td>${m.auc.toFixed(4)}${interval(m.aucInterval)}</td></tr>
<tr><th>average precision</th><td>${m.ap.toFixed(4)}${interval(m.apInterval)}</td></tr>
<tr><th>card precision@${m.k}</th><td>${m.cpAtK.toFixed(4)}</td></tr>
<tr><th>recall at ${m.k} cards a day</th><td>${m.recallAtBudget.toFixed(4)}</td></tr>
</table>
<h2>The threshold and what it costs</h2>
<p class="note">The threshold was chosen on the validation period (before the training window), never on the test week, so that about ${m.k} cards a day are alerted.</p>
<table>
<tr><th>threshold</th><td>${m.threshold.toPrecision(4)}</td></tr>
<tr><th>transactions flagged</th><td>${flagged.toLocaleString('en-US')} (${((flagged / Math.max(1, m.transactions)) * 100).toFixed(2)} %)</td></tr>
<tr><th>frauds caught (TP)</th><td>${m.truePositives.toLocaleString('en-US')}</td></tr>
<tr><th>false alarms (FP)</th><td>${m.falsePositives.toLocaleString('en-US')}</td></tr>
<tr><th>frauds missed (FN)</th><td>${m.falseNegatives.toLocaleString('en-US')} — ${m.missedFraudAmount.toFixed(2)} in fraud amount</td></tr>
</table>
<h2>Curves</h2>
<div class="charts">${roc}${pr}${daily}</div>
</body></html>
`;
}

/** Renders the report and writes it atomically. */
export async function writeFraudReport(
  path: string,
  model: FraudModel,
  evaluation: FraudEvaluation,
): Promise<void> {
  await writeFileAtomic(path, renderFraudReport(model, evaluation));
}
