import type { EventColumns, EventPrefixes } from '../event-columns.js';
import type { Accumulator } from './accumulator.js';

/** Limb base of the exact integer sums: 2^26. */
const BASE = 67_108_864;
/** Below this share of E[v²], a variance computed in floats has lost too many bits. */
const CANCELLATION = 2 ** -8;

/**
 * The sum (and, with `squares`, the sum of squares) of one fixed-point value field over the
 * window, exactly. Values are integers of magnitude ≤ 2^40 (see `FIXED_POINT_LIMIT`):
 * - the sum is kept as `high · 2^26 + low` with `low` in [0, 2^26), each an integer double, so
 *   every addition and removal is exact and the limbs are the same whatever the order;
 * - the sum of squares as `q2 · 2^52 + q1 · 2^26 + q0`, the square of each value formed from its
 *   26-bit halves (products < 2^53), carries normalised after every step.
 * Both stay exact for windows of up to 2^24 (16.7 million) events.
 */
export class MomentsAccumulator implements Accumulator {
  /** Value field of the entity's layout. */
  readonly field: number;
  /** True when the sum of squares is kept (std, z-score). */
  readonly squares: boolean;
  #low = 0;
  #high = 0;
  #q0 = 0;
  #q1 = 0;
  #q2 = 0;

  /** @param squares - keep the sum of squares too (std, z-score; and running totals). */
  constructor(field: number, squares: boolean) {
    this.field = field;
    this.squares = squares;
  }

  reset(): void {
    this.#low = 0;
    this.#high = 0;
    this.#q0 = 0;
    this.#q1 = 0;
    this.#q2 = 0;
  }

  add(events: EventColumns, position: number): void {
    this.#step(events.values[this.field]![position]!, 1);
  }

  addRange(events: EventColumns, from: number, to: number): void {
    const prefix = events.prefix;
    if (prefix !== undefined && to > from) {
      // The range's state is the difference of two running totals, then normalised: the same
      // limbs as adding one by one, since a normalised representation is unique.
      const f = this.field;
      const last = to - 1;
      const before = from - 1;
      const hasBefore = before >= prefix.base;
      const low = prefix.sumLow[f]!;
      const high = prefix.sumHigh[f]!;
      this.#carry(
        low[last]! - (hasBefore ? low[before]! : 0),
        high[last]! - (hasBefore ? high[before]! : 0),
      );
      if (this.squares) {
        const q0 = prefix.squares0[f]!;
        const q1 = prefix.squares1[f]!;
        const q2 = prefix.squares2[f]!;
        this.#carrySquares(
          q0[last]! - (hasBefore ? q0[before]! : 0),
          q1[last]! - (hasBefore ? q1[before]! : 0),
          q2[last]! - (hasBefore ? q2[before]! : 0),
        );
      }
      return;
    }
    const values = events.values[this.field]!;
    for (let p = from; p < to; p++) this.#step(values[p]!, 1);
  }

  /**
   * Writes the running totals at `position` of `prefix`: this accumulator's state (the totals
   * at `position − 1`, or zero at the base) plus the event at `position`. The in-process store
   * keeps its totals this way, with the same arithmetic as the accumulator itself; the sums of
   * squares only when this instance keeps `squares`.
   */
  extendPrefix(events: EventColumns, prefix: EventPrefixes, position: number): void {
    const f = this.field;
    const squares = this.squares;
    if (position > prefix.base) {
      this.#low = prefix.sumLow[f]![position - 1]!;
      this.#high = prefix.sumHigh[f]![position - 1]!;
      if (squares) {
        this.#q0 = prefix.squares0[f]![position - 1]!;
        this.#q1 = prefix.squares1[f]![position - 1]!;
        this.#q2 = prefix.squares2[f]![position - 1]!;
      }
    } else this.reset();
    this.#step(events.values[f]![position]!, 1);
    (prefix.sumLow[f] as Float64Array)[position] = this.#low;
    (prefix.sumHigh[f] as Float64Array)[position] = this.#high;
    if (squares) {
      (prefix.squares0[f] as Float64Array)[position] = this.#q0;
      (prefix.squares1[f] as Float64Array)[position] = this.#q1;
      (prefix.squares2[f] as Float64Array)[position] = this.#q2;
    }
  }

  #carry(low: number, high: number): void {
    const sum = this.#low + low;
    const carry = Math.floor(sum / BASE);
    this.#low = sum - carry * BASE;
    this.#high += high + carry;
  }

  #carrySquares(q0: number, q1: number, q2: number): void {
    let low = this.#q0 + q0;
    let carry = Math.floor(low / BASE);
    this.#q0 = low - carry * BASE;
    low = this.#q1 + q1 + carry;
    carry = Math.floor(low / BASE);
    this.#q1 = low - carry * BASE;
    this.#q2 += q2 + carry;
  }

  remove(events: EventColumns, position: number): void {
    this.#step(events.values[this.field]![position]!, -1);
  }

  #step(value: number, sign: 1 | -1): void {
    const high = Math.floor(value / BASE);
    let low = this.#low + sign * (value - high * BASE);
    let carry = Math.floor(low / BASE);
    this.#low = low - carry * BASE;
    this.#high += sign * high + carry;
    if (!this.squares) return;
    const magnitude = Math.abs(value);
    const a = Math.floor(magnitude / BASE);
    const b = magnitude - a * BASE;
    low = this.#q0 + sign * b * b;
    carry = Math.floor(low / BASE);
    this.#q0 = low - carry * BASE;
    low = this.#q1 + sign * 2 * a * b + carry;
    carry = Math.floor(low / BASE);
    this.#q1 = low - carry * BASE;
    this.#q2 += sign * a * a + carry;
  }

  /** The sum in fixed-point units (exact below 2^53 in magnitude, else rounded once). */
  sum(): number {
    return this.#high * BASE + this.#low;
  }

  /**
   * The population standard deviation of `count` events, in fixed-point units; 0 for fewer than
   * two. Computed in floats when that is accurate to ~1e-13, else exactly from the integer
   * moments (`n·Σv² − (Σv)²` with BigInt), so the result is a function of the set of values.
   */
  std(count: number): number {
    if (count < 2) return 0;
    const sum = this.sum();
    const meanSquare = (this.#q2 * BASE * BASE + this.#q1 * BASE + this.#q0) / count;
    const mean = sum / count;
    const variance = meanSquare - mean * mean;
    if (variance > meanSquare * CANCELLATION) return Math.sqrt(variance);
    const base = BigInt(BASE);
    const squares = (BigInt(this.#q2) * base + BigInt(this.#q1)) * base + BigInt(this.#q0);
    const total = BigInt(this.#high) * base + BigInt(this.#low);
    const spread = BigInt(count) * squares - total * total;
    return Math.sqrt(Number(spread)) / count;
  }
}
