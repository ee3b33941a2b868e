/** One line of a {@link lineChart}. */
export interface ChartSeries {
  x: readonly number[];
  y: readonly number[];
  label: string;
  color: string;
  /** Draw as a dashed line (reference lines such as chance). */
  dashed?: boolean;
}

/** Options of {@link lineChart} and {@link barChart}. */
export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Axis ranges; default [0, 1] for both. */
  xDomain?: [number, number];
  yDomain?: [number, number];
}

const MARGIN = { top: 32, right: 16, bottom: 44, left: 52 };

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function frame(options: ChartOptions, body: string, xTicks: string, legend: string): string {
  const width = options.width ?? 420;
  const height = options.height ?? 320;
  const [y0, y1] = options.yDomain ?? [0, 1];
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const yTicks = [0, 0.25, 0.5, 0.75, 1]
    .map((t) => {
      const value = y0 + t * (y1 - y0);
      const y = MARGIN.top + plotH * (1 - t);
      return `<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${y}" y2="${y}" stroke="#e5e5e5"/><text x="${MARGIN.left - 6}" y="${y + 4}" text-anchor="end">${value.toFixed(2)}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">
<text x="${width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(options.title)}</text>
${yTicks}${xTicks}
<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${height - MARGIN.bottom}" stroke="#333"/>
<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${height - MARGIN.bottom}" y2="${height - MARGIN.bottom}" stroke="#333"/>
<text x="${width / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(options.xLabel)}</text>
<text x="14" y="${height / 2}" text-anchor="middle" transform="rotate(-90 14 ${height / 2})">${escapeXml(options.yLabel)}</text>
${body}${legend}
</svg>`;
}

/** A self-contained SVG line chart (no scripts, no external files), for offline HTML reports. */
export function lineChart(series: readonly ChartSeries[], options: ChartOptions): string {
  const width = options.width ?? 420;
  const height = options.height ?? 320;
  const [x0, x1] = options.xDomain ?? [0, 1];
  const [y0, y1] = options.yDomain ?? [0, 1];
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const sy = (y: number) => MARGIN.top + (1 - (y - y0) / (y1 - y0 || 1)) * plotH;
  const body = series
    .map((s) => {
      const points = s.x.map((x, i) => `${sx(x).toFixed(1)},${sy(s.y[i]!).toFixed(1)}`).join(' ');
      return `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''} points="${points}"/>`;
    })
    .join('\n');
  const xTicks = [0, 0.25, 0.5, 0.75, 1]
    .map((t) => {
      const x = MARGIN.left + t * plotW;
      return `<text x="${x}" y="${height - MARGIN.bottom + 16}" text-anchor="middle">${(x0 + t * (x1 - x0)).toFixed(2)}</text>`;
    })
    .join('');
  const legend = series
    .map(
      (s, i) =>
        `<rect x="${MARGIN.left + 10}" y="${MARGIN.top + 8 + i * 16}" width="12" height="3" fill="${s.color}"/><text x="${MARGIN.left + 28}" y="${MARGIN.top + 12 + i * 16}">${escapeXml(s.label)}</text>`,
    )
    .join('');
  return frame(options, body, xTicks, legend);
}

/** A self-contained SVG bar chart with one bar per category. */
export function barChart(
  bars: readonly { label: string; value: number }[],
  options: ChartOptions & { color?: string },
): string {
  const width = options.width ?? 420;
  const height = options.height ?? 320;
  const [y0, y1] = options.yDomain ?? [0, 1];
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const slot = plotW / Math.max(1, bars.length);
  const body = bars
    .map((bar, i) => {
      const h = Math.max(0, ((bar.value - y0) / (y1 - y0 || 1)) * plotH);
      const x = MARGIN.left + i * slot + slot * 0.15;
      return `<rect x="${x.toFixed(1)}" y="${(MARGIN.top + plotH - h).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="${options.color ?? '#3b6fd1'}"><title>${escapeXml(bar.label)}: ${bar.value.toFixed(3)}</title></rect><text x="${(x + slot * 0.35).toFixed(1)}" y="${(MARGIN.top + plotH - h - 4).toFixed(1)}" text-anchor="middle">${bar.value.toFixed(2)}</text>`;
    })
    .join('\n');
  const xTicks = bars
    .map(
      (bar, i) =>
        `<text x="${(MARGIN.left + (i + 0.5) * slot).toFixed(1)}" y="${height - MARGIN.bottom + 16}" text-anchor="middle">${escapeXml(bar.label)}</text>`,
    )
    .join('');
  return frame(options, body, xTicks, '');
}
