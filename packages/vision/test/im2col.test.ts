import { describe, expect, it } from 'vitest';
import { patchColumns } from '../src/embedding/im2col.js';

describe('patchColumns', () => {
  it('lays out each 3×3 tap as one row over all output pixels, zero outside the image', () => {
    // One 2×3 image, 2 channels: value = 10·pixel + channel.
    const input = Float32Array.from({ length: 12 }, (_, i) => 10 * (i >> 1) + (i % 2));
    const columns = patchColumns(input, 1, 2, 3, 2, 3);
    expect(columns).toHaveLength(9 * 2 * 6);
    const row = (ki: number, kj: number, c: number) =>
      Array.from(columns.subarray(((ki * 3 + kj) * 2 + c) * 6, ((ki * 3 + kj) * 2 + c + 1) * 6));
    // The centre tap is the image itself.
    expect(row(1, 1, 0)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(row(1, 1, 1)).toEqual([1, 11, 21, 31, 41, 51]);
    // The tap one to the right sees the next pixel; the last column sees padding.
    expect(row(1, 2, 0)).toEqual([10, 20, 0, 40, 50, 0]);
    // The tap above-left: only the second line has a line above it.
    expect(row(0, 0, 1)).toEqual([0, 0, 0, 0, 1, 11]);
  });

  it('overwrites every value of a reused buffer', () => {
    const input = Float32Array.from({ length: 2 * 5 * 4 * 3 }, (_, i) => Math.sin(i));
    const fresh = patchColumns(input, 2, 5, 4, 3, 3);
    const reused = patchColumns(
      input,
      2,
      5,
      4,
      3,
      3,
      new Float32Array(fresh.length).fill(Number.NaN),
    );
    expect(reused).toEqual(fresh);
  });
});
