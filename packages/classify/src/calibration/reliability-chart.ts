import { lineChart } from '@mlsd/core';
import type { ReliabilityCurve } from '../metrics/calibration-metrics.js';

const COLORS = ['#3b6fd1', '#c2410c', '#15803d', '#7c3aed'];

/**
 * A reliability diagram (SVG): each curve's mean prediction per bin against the observed share
 * of positives, with the diagonal a calibrated model follows. The axes stop a little above the
 * largest value shown, so rare-positive scores (all below 0.1, say) are not squeezed into a corner.
 */
export function reliabilityChart(
  curves: readonly { label: string; curve: ReliabilityCurve }[],
  title = 'Reliability (calibration) curve',
): string {
  let top = 0;
  for (const { curve } of curves) {
    for (const v of curve.meanPredicted) top = Math.max(top, v);
    for (const v of curve.fractionPositive) top = Math.max(top, v);
  }
  // Round the axis up to 1, 2 or 5 times a power of ten.
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(top, 1e-6)));
  const limit = Math.min(1, ([1, 2, 5, 10].find((m) => m * magnitude >= top) ?? 10) * magnitude);
  return lineChart(
    [
      { x: [0, limit], y: [0, limit], label: 'perfectly calibrated', color: '#999', dashed: true },
      ...curves.map(({ label, curve }, i) => ({
        x: [...curve.meanPredicted],
        y: [...curve.fractionPositive],
        label,
        color: COLORS[i % COLORS.length]!,
      })),
    ],
    {
      title,
      xLabel: 'mean predicted probability (per bin)',
      yLabel: 'observed fraud share',
      xDomain: [0, limit],
      yDomain: [0, limit],
    },
  );
}
