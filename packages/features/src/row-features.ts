import type { ZonedCalendar } from './zoned-calendar.js';

/**
 * A feature of one transaction on its own (no history). Batch and online both call
 * {@link RowFeature.write} once per transaction with the same inputs, so each is defined here
 * once.
 */
export interface RowFeature {
  /** Output name, or the prefix of the outputs for a one-hot feature. */
  readonly name: string;
  /** Column of its first output in the feature vector. */
  readonly output: number;
  /** Output names, in order. */
  readonly names: readonly string[];
  /** Numeric columns read, in the order of `numbers` in {@link RowFeature.write}. */
  readonly numericInputs: readonly string[];
  /** Category column read, if any. */
  readonly categoryInput: string | undefined;
  /**
   * Writes the outputs at `out[offset + output …]`.
   * @param numbers - values of `numericInputs` (NaN for missing).
   * @param category - value of `categoryInput` (null for missing).
   */
  write(
    out: Float64Array | Float32Array,
    offset: number,
    time: number,
    numbers: ArrayLike<number>,
    category: string | null,
  ): void;
}

/** `numeric`: a numeric column passed through; missing (NaN) → `fill`. */
export class NumericFeature implements RowFeature {
  readonly names: readonly string[];
  readonly numericInputs: readonly string[];
  readonly categoryInput = undefined;

  constructor(
    readonly name: string,
    readonly output: number,
    column: string,
    readonly fill: number,
  ) {
    this.names = [name];
    this.numericInputs = [column];
  }

  write(
    out: Float64Array | Float32Array,
    offset: number,
    _t: number,
    numbers: ArrayLike<number>,
  ): void {
    const value = numbers[0]!;
    out[offset + this.output] = Number.isNaN(value) ? this.fill : value;
  }
}

/** `hour` (0–23), `day-of-week` (Monday 0 … Sunday 6), `weekend` and `night` flags, local time. */
export class CalendarFeature implements RowFeature {
  readonly names: readonly string[];
  readonly numericInputs: readonly string[] = [];
  readonly categoryInput = undefined;

  constructor(
    readonly name: string,
    readonly output: number,
    readonly calendar: ZonedCalendar,
    readonly kind: 'hour' | 'day-of-week' | 'weekend' | 'night',
    /** Last hour (0–23) that is night. */
    readonly lastHour = 6,
  ) {
    this.names = [name];
  }

  write(out: Float64Array | Float32Array, offset: number, time: number): void {
    let value: number;
    switch (this.kind) {
      case 'hour':
        value = this.calendar.hour(time);
        break;
      case 'day-of-week':
        value = this.calendar.dayOfWeek(time);
        break;
      case 'weekend':
        value = this.calendar.dayOfWeek(time) >= 5 ? 1 : 0;
        break;
      case 'night':
        value = this.calendar.hour(time) <= this.lastHour ? 1 : 0;
        break;
    }
    out[offset + this.output] = value;
  }
}

/** `frequency`: the fitted share of training rows with this value; unseen or missing → 0. */
export class FrequencyFeature implements RowFeature {
  readonly names: readonly string[];
  readonly numericInputs: readonly string[] = [];
  readonly #shares: ReadonlyMap<string, number>;

  constructor(
    readonly name: string,
    readonly output: number,
    readonly categoryInput: string,
    shares: Readonly<Record<string, number>>,
  ) {
    this.names = [name];
    this.#shares = new Map(Object.entries(shares));
  }

  write(
    out: Float64Array | Float32Array,
    offset: number,
    _t: number,
    _n: ArrayLike<number>,
    category: string | null,
  ): void {
    out[offset + this.output] = category === null ? 0 : (this.#shares.get(category) ?? 0);
  }
}

/**
 * `one-hot`: one output per fitted category (`<name>=<value>`) plus `<name>=other` for any
 * other value; a missing value sets none of them.
 */
export class OneHotFeature implements RowFeature {
  readonly names: readonly string[];
  readonly numericInputs: readonly string[] = [];
  readonly #index: ReadonlyMap<string, number>;

  constructor(
    readonly name: string,
    readonly output: number,
    readonly categoryInput: string,
    categories: readonly string[],
  ) {
    this.names = [...categories.map((value) => `${name}=${value}`), `${name}=other`];
    this.#index = new Map(categories.map((value, i) => [value, i]));
  }

  write(
    out: Float64Array | Float32Array,
    offset: number,
    _t: number,
    _n: ArrayLike<number>,
    category: string | null,
  ): void {
    const start = offset + this.output;
    const width = this.names.length;
    for (let k = 0; k < width; k++) out[start + k] = 0;
    if (category === null) return;
    out[start + (this.#index.get(category) ?? width - 1)] = 1;
  }
}

/** Mean Earth radius, km (IUGG). */
const EARTH_RADIUS_KM = 6_371.0088;
const RADIANS = Math.PI / 180;

/** `geo-distance`: great-circle (haversine) km between two latitude/longitude pairs; 0 if any is missing. */
export class GeoDistanceFeature implements RowFeature {
  readonly names: readonly string[];
  readonly numericInputs: readonly string[];
  readonly categoryInput = undefined;

  constructor(
    readonly name: string,
    readonly output: number,
    from: readonly [string, string],
    to: readonly [string, string],
  ) {
    this.names = [name];
    this.numericInputs = [from[0], from[1], to[0], to[1]];
  }

  write(
    out: Float64Array | Float32Array,
    offset: number,
    _t: number,
    numbers: ArrayLike<number>,
  ): void {
    const lat1 = numbers[0]! * RADIANS;
    const lon1 = numbers[1]! * RADIANS;
    const lat2 = numbers[2]! * RADIANS;
    const lon2 = numbers[3]! * RADIANS;
    const h =
      Math.sin((lat2 - lat1) / 2) ** 2 +
      Math.cos(lat1) * Math.cos(lat2) * Math.sin((lon2 - lon1) / 2) ** 2;
    const distance = 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
    out[offset + this.output] = Number.isNaN(distance) ? 0 : distance;
  }
}
