import { InvalidArgumentError } from './errors.js';

/*
 * Generator: xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number
 * generators", ACM TOMS 2021), 128 bits of state, period 2^128 − 1. Every step uses only
 * 32-bit integer operations (Math.imul, shifts, >>> 0), so a seed gives the same stream on
 * every machine and Node version. Seeds are expanded into the state with the murmur3 32-bit
 * finaliser over a Weyl sequence (the SplitMix idea in 32 bits).
 *
 * Floating-point helpers (Math.log, Math.exp) run in V8's own fdlibm port, identical on
 * every platform, so normal() and poisson() streams are reproducible too.
 */

const GOLDEN = 0x9e3779b9;
/** 2^-53: turns a 53-bit integer into a double in [0, 1). */
const TWO_POW_MINUS_53 = 1 / 9007199254740992;
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

// Domain tags keep a number seed, a string seed and a fork key from ever colliding.
const TAG_NUMBER = 0x4e554d42;
const TAG_STRING = 0x53545247;
const TAG_FORK = 0x464f524b;

/** murmur3's 32-bit finaliser: a bijection on 32-bit words with full avalanche. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Seed material for a number or string: a domain tag followed by 32-bit words. */
function seedWords(seed: number | string, what: string): number[] {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) {
      throw new InvalidArgumentError(`${what} must be a finite number or a string, got ${seed}.`, {
        seed,
      });
    }
    // The IEEE-754 bits, little-endian and with -0 folded into 0, identify the number exactly.
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, seed === 0 ? 0 : seed, true);
    return [TAG_NUMBER, view.getUint32(0, true), view.getUint32(4, true)];
  }
  if (typeof seed === 'string') {
    // Two independent multiplicative hashes of the UTF-16 code units give 64 bits.
    let h1 = (GOLDEN ^ seed.length) >>> 0;
    let h2 = (0x6a09e667 ^ seed.length) >>> 0;
    for (let i = 0; i < seed.length; i++) {
      const c = seed.charCodeAt(i);
      h1 = Math.imul(rotl(h1 ^ c, 13), 0x85ebca77);
      h2 = Math.imul(rotl(h2 ^ c, 17), 0xc2b2ae3d);
    }
    return [TAG_STRING, seed.length, mix32(h1 ^ mix32(h2)), mix32(h2 ^ Math.imul(h1, 5))];
  }
  throw new InvalidArgumentError(
    `${what} must be a finite number or a string, got ${typeof seed}.`,
  );
}

/** Expands seed material into a non-zero 128-bit xoshiro state. */
function expandSeed(words: readonly number[]): Uint32Array {
  const state = new Uint32Array(4);
  for (let lane = 0; lane < 4; lane++) {
    // Each lane starts at its own point of the Weyl sequence, then absorbs every word.
    let h = mix32(Math.imul(GOLDEN, lane + 1));
    for (const word of words) h = mix32((h ^ word) + GOLDEN);
    state[lane] = h;
  }
  // The all-zero state is the generator's one fixed point; 2^-128 odds, but be exact.
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1;
  return state;
}

/** ln(k!) for k < 256, summed once. */
const LOG_FACTORIAL = (() => {
  const table = new Float64Array(256);
  for (let k = 2; k < table.length; k++) table[k] = table[k - 1]! + Math.log(k);
  return table;
})();

/** ln(k!) for a non-negative integer k: a table, then Stirling's series (error < 1e-16 past 255). */
function logFactorial(k: number): number {
  if (k < LOG_FACTORIAL.length) return LOG_FACTORIAL[k]!;
  const inverse = 1 / k;
  const inverse2 = inverse * inverse;
  return (
    k * Math.log(k) -
    k +
    0.5 * Math.log(2 * Math.PI * k) +
    inverse * (1 / 12 - inverse2 * (1 / 360 - inverse2 / 1260))
  );
}

/** Anything with a length and numeric indices: arrays and typed arrays. */
type Indexable = { length: number; [i: number]: unknown };

/**
 * A seeded pseudo-random number generator: the same seed gives the same stream on every
 * machine and Node version. Use one per simulation, and {@link Rng.fork} to give parallel
 * parts (one per customer, one per worker) their own reproducible streams.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * rng.next();               // a double in [0, 1)
 * rng.normal(100, 15);      // a Gaussian draw
 * rng.sample(1000, 10);     // 10 distinct indices below 1000
 * const child = rng.fork('customers');
 * ```
 */
export class Rng {
  #s0 = 0;
  #s1 = 0;
  #s2 = 0;
  #s3 = 0;
  /** The state right after seeding; forks derive from it, so forking never moves this stream. */
  readonly #origin: Uint32Array;
  /** Second value of the last Marsaglia polar pair, or NaN when none is cached. */
  #spareNormal = Number.NaN;

  /**
   * @param seed - any finite number (integers and fractions alike) or any string; strings
   *   are hashed, so `new Rng('fraud-sim')` is as reproducible as `new Rng(7)`.
   */
  constructor(seed: number | string) {
    this.#origin = expandSeed(seedWords(seed, 'Rng seed'));
    this.#reset();
  }

  #reset(): void {
    this.#s0 = this.#origin[0]! | 0;
    this.#s1 = this.#origin[1]! | 0;
    this.#s2 = this.#origin[2]! | 0;
    this.#s3 = this.#origin[3]! | 0;
    this.#spareNormal = Number.NaN;
  }

  /** The next 32 random bits as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const s1 = this.#s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= s1;
    this.#s1 = s1 ^ this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /** A double uniform in [0, 1), built from 53 random bits (every representable step hit). */
  next(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) * TWO_POW_MINUS_53;
  }

  /** A double uniform in [low, high); returns `low` when the two are equal. */
  uniform(low = 0, high = 1): number {
    checkRange(low, high, 'Rng.uniform');
    if (low === high) return low;
    let value = low + (high - low) * this.next();
    // Rounding can land exactly on `high`; draw again to keep the interval half-open.
    while (value >= high) value = low + (high - low) * this.next();
    return value;
  }

  /** A Gaussian draw (Marsaglia's polar method; the pair's second value is kept for the next call). */
  normal(mean = 0, std = 1): number {
    checkNormal(mean, std, 'Rng.normal');
    return mean + std * this.#standardNormal();
  }

  #standardNormal(): number {
    const spare = this.#spareNormal;
    if (!Number.isNaN(spare)) {
      this.#spareNormal = Number.NaN;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.#spareNormal = v * factor;
    return u * factor;
  }

  /**
   * A Poisson draw with mean `lambda` (events per interval). Knuth's product of uniforms
   * below 30, Hörmann's PTRS transformed rejection (1993) from 30 up, so large means cost
   * O(1). `lambda = 0` gives 0.
   */
  poisson(lambda: number): number {
    if (!(lambda >= 0) || lambda === Number.POSITIVE_INFINITY) {
      throw new InvalidArgumentError(
        `Rng.poisson: lambda must be a finite number ≥ 0, got ${lambda}.`,
        { lambda },
      );
    }
    if (lambda === 0) return 0;
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let product = this.next();
      while (product > limit) {
        k++;
        product *= this.next();
      }
      return k;
    }
    return this.#poissonPtrs(lambda);
  }

  /** W. Hörmann, "The transformed rejection method for generating Poisson random variables", IME 12 (1993). */
  #poissonPtrs(lambda: number): number {
    const sqrtLambda = Math.sqrt(lambda);
    const logLambda = Math.log(lambda);
    const b = 0.931 + 2.53 * sqrtLambda;
    const a = -0.059 + 0.02483 * b;
    const logInvAlpha = Math.log(1.1239 + 1.1328 / (b - 3.4));
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      const logAccept = Math.log(v) + logInvAlpha - Math.log(a / (us * us) + b);
      if (logAccept <= -lambda + k * logLambda - logFactorial(k)) return k;
    }
  }

  /**
   * A uniform integer in [low, high), without modulo bias (rejection of the incomplete
   * last block). Both bounds must be safe integers and the range at most 2^53.
   */
  integer(low: number, high: number): number {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
      throw new InvalidArgumentError(
        `Rng.integer: need integers low < high, got [${low}, ${high}).`,
        { low, high },
      );
    }
    const range = high - low;
    if (range > TWO_POW_53) {
      throw new InvalidArgumentError(
        `Rng.integer: the range [${low}, ${high}) is wider than 2^53.`,
        { low, high },
      );
    }
    return low + (range <= TWO_POW_32 ? this.#below32(range) : this.#below53(range));
  }

  /** Uniform integer in [0, range) for 1 ≤ range ≤ 2^32. */
  #below32(range: number): number {
    // Accept only draws below the largest multiple of `range`, so each residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % range);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % range;
  }

  /** Uniform integer in [0, range) for 2^32 < range ≤ 2^53. */
  #below53(range: number): number {
    const limit = TWO_POW_53 - (TWO_POW_53 % range);
    let x: number;
    do {
      x = (this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6);
    } while (x >= limit);
    return x % range;
  }

  /** One element of `items`, uniformly. */
  choice<T>(items: ArrayLike<T>): T {
    if (items.length === 0) {
      throw new InvalidArgumentError('Rng.choice: cannot choose from an empty list.');
    }
    return items[this.#below32(items.length)]!;
  }

  /**
   * Shuffles `items` in place (Fisher–Yates) and returns the same object; works on arrays
   * and typed arrays alike.
   */
  shuffle<T extends Indexable>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.#below32(i + 1);
      const held = items[i];
      items[i] = items[j];
      items[j] = held;
    }
    return items;
  }

  /**
   * `k` distinct indices drawn uniformly from [0, n), in random order (as Python's
   * `random.sample`; sort them if you need ascending order). Floyd's algorithm when k is
   * small next to n (memory O(k)), a partial Fisher–Yates shuffle otherwise (memory O(n)).
   */
  sample(n: number, k: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
      throw new InvalidArgumentError(
        `Rng.sample: n must be an integer in [0, 2^31 − 1], got ${n}.`,
        { n, k },
      );
    }
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new InvalidArgumentError(
        `Rng.sample: k must be an integer in [0, n = ${n}], got ${k}; cannot draw more distinct indices than there are.`,
        { n, k },
      );
    }
    const out = new Int32Array(k);
    if (k * 8 < n) {
      const chosen = new Set<number>();
      let next = 0;
      for (let j = n - k; j < n; j++) {
        const t = this.#below32(j + 1);
        const pick = chosen.has(t) ? j : t;
        chosen.add(pick);
        out[next++] = pick;
      }
      // Floyd gives a uniform subset but not a uniform order; shuffling fixes the order.
      return this.shuffle(out);
    }
    const pool = new Int32Array(n);
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + this.#below32(n - i);
      const held = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = held;
    }
    out.set(pool.subarray(0, k));
    return out;
  }

  /**
   * An independent child stream derived from this generator's seed and `key`. Forking does
   * not advance this stream, and the same seed and key always give the same child, however
   * many values the parent has drawn.
   */
  fork(key: number | string): Rng {
    const child = new Rng(0);
    const words = [...this.#origin, TAG_FORK, ...seedWords(key, 'Rng.fork key')];
    child.#origin.set(expandSeed(words));
    child.#reset();
    return child;
  }

  /** Fills `out` with uniform draws in [low, high) (the same values as repeated {@link Rng.uniform} calls for a Float64Array). */
  fillUniform<A extends Float64Array | Float32Array>(out: A, low = 0, high = 1): A {
    checkRange(low, high, 'Rng.fillUniform');
    if (low === high) return out.fill(low) as A;
    const single = out instanceof Float32Array;
    if (single && Math.fround(low) >= high) {
      throw new InvalidArgumentError(
        `Rng.fillUniform: [${low}, ${high}) holds no float32 value; widen the range or use a Float64Array.`,
        { low, high },
      );
    }
    const span = high - low;
    for (let i = 0; i < out.length; i++) {
      let value = low + span * this.next();
      // Rounding (to float64, or to float32 on store) may reach `high`; draw again then.
      while (value >= high || (single && Math.fround(value) >= high)) {
        value = low + span * this.next();
      }
      out[i] = value;
    }
    return out;
  }

  /** Fills `out` with Gaussian draws (the same values as repeated {@link Rng.normal} calls). */
  fillNormal<A extends Float64Array | Float32Array>(out: A, mean = 0, std = 1): A {
    checkNormal(mean, std, 'Rng.fillNormal');
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.#standardNormal();
    return out;
  }
}

function checkRange(low: number, high: number, where: string): void {
  if (!Number.isFinite(low) || !Number.isFinite(high) || high < low) {
    throw new InvalidArgumentError(`${where}: need finite low ≤ high, got [${low}, ${high}).`, {
      low,
      high,
    });
  }
}

function checkNormal(mean: number, std: number, where: string): void {
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
    throw new InvalidArgumentError(
      `${where}: need a finite mean and a finite std ≥ 0, got mean ${mean}, std ${std}.`,
      { mean, std },
    );
  }
}
