import { describe, expect, it } from 'vitest';
import { FeatureRing } from '../src/fraud/feature-ring.js';

describe('FeatureRing', () => {
  it('keeps the last `capacity` rows, overwriting the oldest', () => {
    const ring = new FeatureRing(2, 3);
    expect(ring.size).toBe(0);
    for (let i = 1; i <= 5; i++) ring.push(Float64Array.of(i, 10 * i));
    expect(ring.size).toBe(3);
    const table = ring.toTable(['a', 'b']);
    expect(table.length).toBe(3);
    expect([...(table.numeric('a') as Float64Array)].sort()).toEqual([3, 4, 5]);
    expect([...(table.numeric('b') as Float64Array)].sort((x, y) => x - y)).toEqual([30, 40, 50]);
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.toTable(['a', 'b']).length).toBe(0);
  });

  it('refuses bad sizes and a wrong number of names', () => {
    expect(() => new FeatureRing(0, 10)).toThrow(/positive integers/);
    expect(() => new FeatureRing(3, 1.5)).toThrow(/positive integers/);
    expect(() => new FeatureRing(2, 2).toTable(['only-one'])).toThrow(/1 names for 2 columns/);
  });
});
