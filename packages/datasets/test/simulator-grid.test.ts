import { InvalidArgumentError, Rng } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { findNearbyTerminals, type NearbyTerminals, type Points } from '../src/index.js';

function randomPoints(rng: Rng, count: number, low: number, high: number): Points {
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    x[i] = rng.uniform(low, high);
    y[i] = rng.uniform(low, high);
  }
  return { x, y };
}

/** The obvious answer: every customer against every terminal. */
function bruteForce(customers: Points, terminals: Points, radius: number): number[][] {
  const out: number[][] = [];
  for (let c = 0; c < customers.x.length; c++) {
    const list: number[] = [];
    for (let t = 0; t < terminals.x.length; t++) {
      const dx = customers.x[c]! - terminals.x[t]!;
      const dy = customers.y[c]! - terminals.y[t]!;
      if (dx * dx + dy * dy < radius * radius) list.push(t);
    }
    out.push(list);
  }
  return out;
}

function lists(found: NearbyTerminals): number[][] {
  const out: number[][] = [];
  for (let c = 0; c + 1 < found.offsets.length; c++) {
    out.push(Array.from(found.terminals.subarray(found.offsets[c], found.offsets[c + 1])));
  }
  return out;
}

describe('findNearbyTerminals', () => {
  it('finds the same terminals as a brute-force scan, for small, usual and huge radii', () => {
    const rng = new Rng(21);
    const terminals = randomPoints(rng, 800, 0, 100);
    // Some customers off the terminals' map, to exercise the grid's edges.
    const customers = randomPoints(rng, 300, -10, 110);
    for (const radius of [0.01, 1, 5, 12.5, 80, 500]) {
      expect(lists(findNearbyTerminals(customers, terminals, radius))).toEqual(
        bruteForce(customers, terminals, radius),
      );
    }
  });

  it('excludes a terminal at exactly the radius (strictly within)', () => {
    const customers = { x: Float64Array.of(0), y: Float64Array.of(0) };
    const terminals = { x: Float64Array.of(3, 2.999, 0), y: Float64Array.of(4, 4, -5.0001) };
    expect(lists(findNearbyTerminals(customers, terminals, 5))).toEqual([[1]]);
  });

  it('handles no terminals, one terminal and all terminals on one point', () => {
    const customers = { x: Float64Array.of(1, 50), y: Float64Array.of(1, 50) };
    const none = findNearbyTerminals(
      customers,
      { x: new Float64Array(0), y: new Float64Array(0) },
      5,
    );
    expect(lists(none)).toEqual([[], []]);
    const stacked = { x: new Float64Array(5).fill(2), y: new Float64Array(5).fill(2) };
    expect(lists(findNearbyTerminals(customers, stacked, 5))).toEqual([[0, 1, 2, 3, 4], []]);
  });

  it('refuses a radius that is not positive and finite, and non-finite coordinates', () => {
    const points = { x: Float64Array.of(1), y: Float64Array.of(1) };
    for (const radius of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => findNearbyTerminals(points, points, radius)).toThrow(InvalidArgumentError);
    }
    const bad = { x: Float64Array.of(Number.NaN), y: Float64Array.of(1) };
    expect(() => findNearbyTerminals(points, bad, 5)).toThrow(/terminal 0 .*finite/);
    expect(() => findNearbyTerminals(bad, points, 5)).toThrow(/customer 0 .*finite/);
  });
});
