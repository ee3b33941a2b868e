import { describe, expect, it } from 'vitest';
import { barChart, lineChart } from '../src/index.js';

describe('svg charts', () => {
  it('draws each series as a polyline inside the plot area, with escaped labels', () => {
    const svg = lineChart(
      [{ x: [0, 0.5, 1], y: [0, 1, 0.5], label: 'a < b & c', color: '#123456' }],
      { title: 'T', xLabel: 'x', yLabel: 'y', width: 400, height: 300 },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    const points = /points="([^"]+)"/
      .exec(svg)![1]!
      .split(' ')
      .map((p) => p.split(',').map(Number));
    expect(points).toHaveLength(3);
    // x = 0 maps to the left margin, y = 1 to the top margin.
    expect(points[0]![0]).toBe(52);
    expect(points[1]![1]).toBe(32);
    expect(svg).toContain('a &#60; b &#38; c');
    expect(svg).not.toContain('a < b');
  });

  it('draws one bar per category with heights proportional to the values', () => {
    const svg = barChart(
      [
        { label: 'mon', value: 0.5 },
        { label: 'tue', value: 1 },
      ],
      { title: 'bars', xLabel: 'day', yLabel: 'v', height: 300 },
    );
    const heights = [
      ...svg.matchAll(/<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)"/g),
    ].map((m) => Number(m[1]));
    expect(heights).toHaveLength(2);
    expect(heights[1]! / heights[0]!).toBeCloseTo(2, 5);
  });
});
