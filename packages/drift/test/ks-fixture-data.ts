/**
 * Rebuilds the samples of fixtures/ks-scipy.json exactly as make-ks-fixture.py does: a
 * counter-based mulberry32 hash and only exact dyadic arithmetic, so Python and JavaScript
 * produce bit-identical doubles.
 */
export interface SampleSpec {
  kind?: 'uniform' | 'bell' | 'int' | 'grid';
  n?: number;
  seed?: number;
  shift?: number;
  scale?: number;
  levels?: number;
  bits?: number;
  values?: number[];
}

export interface FixtureResult {
  alternative: 'two-sided' | 'less' | 'greater';
  method: 'auto' | 'exact' | 'asymp';
  statistic: number;
  pvalue: number | null;
  location: number;
  sign: 1 | -1;
  fellBack: boolean;
}

export interface FixtureCase {
  name: string;
  a: SampleSpec;
  b: SampleSpec;
  results: FixtureResult[];
}

export interface KsFixture {
  scipy: string;
  cases: FixtureCase[];
  kstwo: { n: number; x: number; sf: number | null }[];
  smirnov: { n: number; x: number; sf: number | null }[];
}

/** mulberry32 applied to the counter seed + (i + 1)·0x6D2B79F5 mod 2³². */
export function hash32(seed: number, count: number): Uint32Array {
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    let t = (seed + Math.imul(i + 1, 0x6d2b79f5)) | 0;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) >>> 0;
  }
  return out;
}

/** The sample a spec describes (inline values, or generated). */
export function buildSample(spec: SampleSpec): Float64Array {
  if (spec.values !== undefined) return Float64Array.from(spec.values);
  const n = spec.n!;
  const shift = spec.shift ?? 0;
  const scale = spec.scale ?? 1;
  const out = new Float64Array(n);
  switch (spec.kind) {
    case 'uniform': {
      const h = hash32(spec.seed!, n);
      for (let i = 0; i < n; i++) out[i] = shift + scale * (h[i]! / 2 ** 32);
      break;
    }
    case 'bell': {
      const h = hash32(spec.seed!, 4 * n);
      for (let i = 0; i < n; i++) {
        const base =
          h[4 * i]! / 2 ** 32 +
          h[4 * i + 1]! / 2 ** 32 +
          h[4 * i + 2]! / 2 ** 32 +
          h[4 * i + 3]! / 2 ** 32;
        out[i] = shift + scale * base;
      }
      break;
    }
    case 'int': {
      const h = hash32(spec.seed!, n);
      for (let i = 0; i < n; i++) out[i] = shift + scale * (h[i]! % spec.levels!);
      break;
    }
    case 'grid': {
      const h = hash32(spec.seed!, n);
      const divisor = 2 ** (32 - spec.bits!);
      for (let i = 0; i < n; i++) out[i] = shift + scale * Math.floor(h[i]! / divisor);
      break;
    }
    default:
      throw new Error(`unknown sample kind ${String(spec.kind)}`);
  }
  return out;
}
