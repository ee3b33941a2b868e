import { formatParams, type ModelSearchTable } from './search-table.js';

const PALETTE = ['#3b6fd1', '#c2410c', '#15803d', '#7c3aed', '#b91c1c', '#0e7490'];

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * An SVG of every candidate's metric, best first: a dot at the mean over the folds and a bar of
 * ± one standard deviation, coloured by model kind — so a reader sees how far the winner is
 * from the runners-up against the spread over folds. Self-contained (no scripts, no links).
 */
export function searchChart(table: ModelSearchTable, size = { width: 640, height: 320 }): string {
  const { width, height } = size;
  const margin = { top: 32, right: 16, bottom: 44, left: 56 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const shown = table.candidates.filter((c) => Number.isFinite(c.mean));
  const lows = shown.map((c) => c.mean - c.std);
  const highs = shown.map((c) => c.mean + c.std);
  let y0 = Math.min(...lows);
  let y1 = Math.max(...highs);
  if (!(y1 > y0)) {
    y0 -= 0.01;
    y1 += 0.01;
  }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const sx = (rank: number) =>
    margin.left + (shown.length <= 1 ? plotW / 2 : ((rank - 1) / (shown.length - 1)) * plotW);
  const sy = (value: number) => margin.top + (1 - (value - y0) / (y1 - y0)) * plotH;
  const kinds = [...new Set(table.candidates.map((c) => c.kind))];
  const color = (kind: string) => PALETTE[kinds.indexOf(kind) % PALETTE.length]!;

  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((t) => {
      const value = y0 + t * (y1 - y0);
      const y = sy(value).toFixed(1);
      return `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/><text x="${margin.left - 6}" y="${Number(y) + 4}" text-anchor="end">${value.toFixed(3)}</text>`;
    })
    .join('');
  const marks = shown
    .map((c) => {
      const x = sx(c.rank).toFixed(1);
      const title = `<title>#${c.rank} ${escapeXml(c.kind)} ${escapeXml(formatParams(c.params))}: ${c.mean.toFixed(4)} ± ${c.std.toFixed(4)}</title>`;
      return `<g>${title}<line x1="${x}" x2="${x}" y1="${sy(c.mean - c.std).toFixed(1)}" y2="${sy(c.mean + c.std).toFixed(1)}" stroke="${color(c.kind)}" stroke-width="1.5" opacity="0.6"/><circle cx="${x}" cy="${sy(c.mean).toFixed(1)}" r="3" fill="${color(c.kind)}"/></g>`;
    })
    .join('');
  const legend = kinds
    .map(
      (kind, i) =>
        `<circle cx="${width - margin.right - 110}" cy="${margin.top + 8 + i * 16}" r="4" fill="${color(kind)}"/><text x="${width - margin.right - 100}" y="${margin.top + 12 + i * 16}">${escapeXml(kind)}</text>`,
    )
    .join('');
  const title = `${table.metric}: mean ± std over ${table.folds.length} folds, by rank`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">
<text x="${width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(title)}</text>
${ticks}
<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${height - margin.bottom}" stroke="#333"/>
<line x1="${margin.left}" x2="${width - margin.right}" y1="${height - margin.bottom}" y2="${height - margin.bottom}" stroke="#333"/>
<text x="${width / 2}" y="${height - 8}" text-anchor="middle">candidate rank (1 = selected)</text>
<text x="14" y="${height / 2}" text-anchor="middle" transform="rotate(-90 14 ${height / 2})">${escapeXml(table.metric)}</text>
${marks}${legend}
</svg>`;
}

/**
 * An HTML section (no `<html>` around it) with the search's summary, the chart and the table of
 * the `top` best candidates (default 15): kind, hyperparameters, mean ± std, per-fold values,
 * fit time, halving rounds.
 */
export function renderSearchSection(table: ModelSearchTable, top = 15): string {
  const rows = table.candidates
    .slice(0, top)
    .map((c) => {
      const folds = c.scores.map((s) => (Number.isFinite(s) ? s.toFixed(3) : '–')).join(' / ');
      return `<tr><td>${c.rank}</td><td>${escapeXml(c.kind)}</td><td class="params">${escapeXml(formatParams(c.params))}</td><td>${Number.isFinite(c.mean) ? c.mean.toFixed(4) : '–'} ± ${Number.isFinite(c.std) ? c.std.toFixed(4) : '–'}</td><td>${folds}</td><td>${c.fitSeconds.toFixed(2)}</td><td>${c.rounds}</td>${c.error === undefined ? '<td></td>' : `<td class="error">${escapeXml(c.error)}</td>`}</tr>`;
    })
    .join('\n');
  const rounds =
    table.strategy === 'halving'
      ? ` Rounds (${escapeXml(table.resource)}): ${table.rounds.map((r) => `${r.candidates} × ${Number.isInteger(r.resource) ? r.resource : r.resource.toFixed(3)}`).join(' → ')}.`
      : '';
  return `<section class="model-search">
<h2>Model selection</h2>
<p class="note">${escapeXml(table.strategy)} search, ${table.candidates.length} candidates × ${table.folds.length} validation folds (${table.fits} fits${table.failedFits > 0 ? `, ${table.failedFits} failed` : ''}) in ${table.seconds.toFixed(1)} s on ${table.workers === 0 ? 'the calling thread' : `${table.workers} worker threads`}, chosen by ${escapeXml(table.metric)}.${rounds} Validation folds (train rows / test rows / test positives): ${table.folds.map((f) => `${f.trainRows} / ${f.testRows} / ${f.testPositives}`).join('; ')}.</p>
${searchChart(table)}
<table>
<tr><th>rank</th><th>kind</th><th>hyperparameters</th><th>${escapeXml(table.metric)} mean ± std</th><th>per fold</th><th>fit s</th><th>rounds</th><th></th></tr>
${rows}
</table>
</section>`;
}
