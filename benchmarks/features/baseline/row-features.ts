import type { Calendar } from './calendar.js';

/**
 * A feature of one transaction on its own (no history): a function of its time and, for a
 * column feature, of one of its numeric fields. The batch and the online evaluator both call
 * {@link RowFeature.evaluate}, so each is defined here once.
 */
export interface RowFeature {
  /** Output name, e.g. `'TX_DURING_WEEKEND'`. */
  readonly name: string;
  /** The input column the feature reads besides the time, if any. */
  readonly column: string | undefined;
  /**
   * The feature's value.
   * @param time - seconds since the calendar's origin.
   * @param value - the row's value in {@link RowFeature.column} (ignored when there is none).
   */
  evaluate(time: number, value: number): number;
  /**
   * {@link RowFeature.evaluate} for every row, written to `out[row * stride + offset]`; a loop
   * per class so the batch path's calls stay monomorphic.
   */
  evaluateColumn(
    times: ArrayLike<number>,
    values: ArrayLike<number> | undefined,
    out: Float64Array | Float32Array,
    stride: number,
    offset: number,
  ): void;
}

/** A numeric input column passed through unchanged (the handbook's TX_AMOUNT). */
export class ColumnFeature implements RowFeature {
  readonly name: string;
  readonly column: string;

  constructor(name: string, column: string) {
    this.name = name;
    this.column = column;
  }

  evaluate(_time: number, value: number): number {
    return value;
  }

  evaluateColumn(
    times: ArrayLike<number>,
    values: ArrayLike<number> | undefined,
    out: Float64Array | Float32Array,
    stride: number,
    offset: number,
  ): void {
    for (let i = 0; i < times.length; i++) {
      out[i * stride + offset] = this.evaluate(times[i]!, values === undefined ? 0 : values[i]!);
    }
  }
}

/** 1 when the transaction falls on a Saturday or Sunday, else 0 (TX_DURING_WEEKEND). */
export class WeekendFeature implements RowFeature {
  readonly name: string;
  readonly column = undefined;
  readonly #calendar: Calendar;

  constructor(name: string, calendar: Calendar) {
    this.name = name;
    this.#calendar = calendar;
  }

  evaluate(time: number): number {
    return this.#calendar.weekday(time) >= 5 ? 1 : 0;
  }

  evaluateColumn(
    times: ArrayLike<number>,
    _values: ArrayLike<number> | undefined,
    out: Float64Array | Float32Array,
    stride: number,
    offset: number,
  ): void {
    for (let i = 0; i < times.length; i++) out[i * stride + offset] = this.evaluate(times[i]!);
  }
}

/**
 * 1 when the transaction's hour is at most `lastHour`, else 0 (TX_DURING_NIGHT with
 * `lastHour = 6`: 00:00:00 to 06:59:59 is night, 07:00:00 is not).
 */
export class NightFeature implements RowFeature {
  readonly name: string;
  readonly column = undefined;
  /** Last hour of the day (0–23) that still counts as night. */
  readonly lastHour: number;
  readonly #calendar: Calendar;

  constructor(name: string, calendar: Calendar, lastHour: number) {
    this.name = name;
    this.lastHour = lastHour;
    this.#calendar = calendar;
  }

  evaluate(time: number): number {
    return this.#calendar.hour(time) <= this.lastHour ? 1 : 0;
  }

  evaluateColumn(
    times: ArrayLike<number>,
    _values: ArrayLike<number> | undefined,
    out: Float64Array | Float32Array,
    stride: number,
    offset: number,
  ): void {
    for (let i = 0; i < times.length; i++) out[i * stride + offset] = this.evaluate(times[i]!);
  }
}
