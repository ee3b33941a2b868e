/**
 * A minimal line chart as SVG text (no dependencies): recall on x, stretched towards 1 (the axis
 * is −log10(1 − recall), as the interesting points crowd between 0.95 and 1), queries per second
 * on a log y axis, one polyline per series, and horizontal reference lines (the exact baseline).
 */

/** One line of the chart. */
export interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  points: { x: number; y: number }[];
}

/** A horizontal line across the chart. */
export interface ReferenceLine {
  name: string;
  y: number;
  color: string;
}

const WIDTH = 760;
const HEIGHT = 480;
const MARGIN = { left: 80, right: 200, top: 40, bottom: 56 };

/** Recall 1 is drawn at 0.9999. */
const MAX_NINES = 4;
const RECALL_TICKS = [0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9995, 0.9999];

/** Position of a recall on the stretched axis: the number of nines, −log10(1 − recall). */
function nines(recall: number): number {
  return Math.min(MAX_NINES, -Math.log10(Math.max(1 - recall, 10 ** -MAX_NINES)));
}

/** Renders the chart; x is −log10(1 − recall), y is log10 over the data's decades. */
export function recallQpsSvg(title: string, series: Series[], references: ReferenceLine[]): string {
  const xs = series.flatMap((s) => s.points.map((p) => nines(p.x)));
  const ys = [...series.flatMap((s) => s.points.map((p) => p.y)), ...references.map((r) => r.y)];
  const xMin = Math.floor(Math.min(...xs) * 2) / 2;
  const xMax = Math.min(MAX_NINES, Math.ceil(Math.max(...xs) * 2) / 2 + 0.25);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (recall: number) =>
    MARGIN.left + ((nines(recall) - xMin) / (xMax - xMin || 1)) * plotW;
  const sy = (y: number) =>
    MARGIN.top + plotH - ((Math.log10(y) - Math.log10(yMin)) / Math.log10(yMax / yMin)) * plotH;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  );
  for (let decade = yMin; decade <= yMax; decade *= 10) {
    for (const step of [1, 2, 5]) {
      const y = decade * step;
      if (y > yMax) break;
      const py = sy(y);
      parts.push(
        `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${py}" y2="${py}" stroke="${step === 1 ? '#ccc' : '#eee'}"/>`,
        `<text x="${MARGIN.left - 6}" y="${py + 4}" text-anchor="end">${formatQps(y)}</text>`,
      );
    }
  }
  for (const recall of RECALL_TICKS) {
    if (nines(recall) < xMin - 1e-9 || nines(recall) > xMax + 1e-9) continue;
    const px = sx(recall);
    parts.push(
      `<line x1="${px}" x2="${px}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`,
      `<text x="${px}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${recall}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 14}" text-anchor="middle">recall@10 (axis stretched towards 1)</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">queries per second (log scale, one thread)</text>`,
  );
  let legendY = MARGIN.top + 10;
  const legendX = MARGIN.left + plotW + 16;
  for (const line of references) {
    const py = sy(line.y);
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${py}" y2="${py}" stroke="${line.color}" stroke-dasharray="2 3"/>`,
      `<line x1="${legendX}" x2="${legendX + 24}" y1="${legendY}" y2="${legendY}" stroke="${line.color}" stroke-dasharray="2 3"/>`,
      `<text x="${legendX + 30}" y="${legendY + 4}">${escapeXml(line.name)}</text>`,
    );
    legendY += 20;
  }
  for (const s of series) {
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const path = s.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    for (const p of s.points) {
      parts.push(
        `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${s.color}"/>`,
      );
    }
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 24}" y1="${legendY}" y2="${legendY}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${legendX + 30}" y="${legendY + 4}">${escapeXml(s.name)}</text>`,
    );
    legendY += 20;
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function formatQps(value: number): string {
  return value >= 1000 ? `${value / 1000}k` : String(value);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
