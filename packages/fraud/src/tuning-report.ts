import { formatParams, reliabilityChart, renderSearchSection } from '@mlsd/classify';
import { writeFileAtomic } from '@mlsd/core';
import type { TunedFraudModel } from './tune-fraud-model.js';

function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const number = (value: number, digits = 4) =>
  Number.isFinite(value) ? value.toFixed(digits) : String(value);

/**
 * A self-contained HTML page of a tuning run (no scripts, inline SVG): the search's results
 * table and chart (mean ± std over the validation folds), the chosen model, its calibration
 * (Brier score and reliability curve before and after, on the validation folds), and its two
 * thresholds — the daily card budget and the cost optimum — with what each does on the most
 * recent validation fold.
 */
export function renderTuningReport(tuned: TunedFraudModel): string {
  const { model, calibration, thresholds, validation, best } = tuned;
  const folds = tuned.folds
    .map(
      (f) =>
        `train from day ${f.trainStartDay}, validate days ${f.testStartDay}–${f.testStartDay + model.protocol.testDays - 1}`,
    )
    .join('; ');
  const crossFold =
    calibration.crossFoldBrier === undefined
      ? ''
      : ` Chosen by cross-fold Brier score (each fold calibrated by a calibrator fitted on the others): none ${calibration.crossFoldBrier.none.toExponential(4)}, Platt ${calibration.crossFoldBrier.platt.toExponential(4)}, isotonic ${calibration.crossFoldBrier.isotonic.toExponential(4)}.`;
  const applied =
    calibration.method === 'none'
      ? 'Scores are not calibrated.'
      : `${calibration.method === 'platt' ? 'Platt scaling' : 'Isotonic regression'} fitted on the chosen candidate's scores of the validation folds (never the test period).`;
  const calibrationSection = `<p class="note">${applied}${crossFold} Brier score on the validation folds: ${calibration.brierBefore.toExponential(4)} before, ${calibration.brierAfter.toExponential(4)} after.</p>
${reliabilityChart([
  { label: 'before', curve: calibration.before },
  ...(calibration.method === 'none'
    ? []
    : [{ label: `after (${calibration.method})`, curve: calibration.after }]),
])}`;
  const { budget, cost } = thresholds;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mlsd fraud tuning — ${escapeHtml(best.kind)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1320px;margin:24px auto;padding:0 16px;color:#1f2937}
h1{font-size:22px} h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse} td,th{padding:4px 10px;border-bottom:1px solid #e5e7eb;text-align:right} th{text-align:left}
td.params{text-align:left;font-family:ui-monospace,monospace;font-size:12px} td.error{color:#b91c1c;text-align:left}
.note{color:#4b5563;font-size:13px}
</style></head><body>
<h1>Fraud model tuning: ${escapeHtml(best.kind)} chosen</h1>
<p class="note">Prequential validation folds before the test period (${escapeHtml(folds)}), each keeping the ${model.protocol.delayDays}-day label delay. The chosen candidate was refitted on the training window from ${escapeHtml(model.protocol.trainStart)}. Tuning took ${tuned.seconds.toFixed(1)} s.</p>
<p><b>${escapeHtml(best.kind)}</b> <code>${escapeHtml(formatParams(best.params))}</code></p>
${renderSearchSection(tuned.search)}
<h2>Calibration</h2>
${calibrationSection}
<h2>Thresholds (chosen on the most recent validation fold)</h2>
<table>
<tr><th>policy</th><th>threshold</th><th>what it does on validation</th></tr>
<tr><th>daily budget: ${model.protocol.dailyBudget} cards a day${model.metrics.thresholdPolicy === 'daily-budget' ? ' (the model’s)' : ''}</th><td>${number(budget.threshold)}</td><td>transaction precision ${number(budget.precision, 3)}, recall ${number(budget.recall, 3)}</td></tr>
<tr><th>cost: ${cost.costPerAlert} per alert, ${(100 * cost.recoveryRate).toFixed(0)} % of a caught fraud recovered${model.metrics.thresholdPolicy === 'cost' ? ' (the model’s)' : ''}</th><td>${number(cost.threshold)}</td><td>${cost.alerts.toLocaleString('en-US')} alerts, ${cost.caughtFrauds} frauds caught (${cost.caughtAmount.toFixed(2)}), net savings ${cost.netSavings.toFixed(2)}</td></tr>
</table>
<h2>The most recent validation fold, at the model’s threshold</h2>
<table>
<tr><th>ROC AUC</th><td>${number(validation.auc)}</td></tr>
<tr><th>average precision</th><td>${number(validation.ap)}</td></tr>
<tr><th>card precision@${validation.k}</th><td>${number(validation.cpAtK)}</td></tr>
<tr><th>recall at ${validation.k} cards a day</th><td>${number(validation.recallAtBudget)}</td></tr>
</table>
</body></html>
`;
}

/** Renders the tuning report and writes it atomically. */
export async function writeTuningReport(path: string, tuned: TunedFraudModel): Promise<void> {
  await writeFileAtomic(path, renderTuningReport(tuned));
}
