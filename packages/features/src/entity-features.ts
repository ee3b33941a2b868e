import type { DistinctAccumulator } from './accumulators/distinct-accumulator.js';
import type { ExtremumAccumulator } from './accumulators/extremum-accumulator.js';
import type { FraudAccumulator } from './accumulators/fraud-accumulator.js';
import type { MomentsAccumulator } from './accumulators/moments-accumulator.js';
import type { EventColumns } from './event-columns.js';
import type { RelativeKind } from './feature-spec.js';
import type { Window } from './window.js';

/**
 * A feature of a transaction's entity (its card, its merchant): reads its value from the
 * accumulators of the entity's windows once they hold the transaction's windows, and from the
 * events around the transaction's own position `self`.
 */
export interface EntityFeature {
  /** Column of the feature vector. */
  readonly output: number;
  /**
   * @param events - the entity's events; `first` is the oldest one, `self` the transaction's
   *   own (`first = self = 0` with empty events for a transaction without this entity).
   * @param time - the transaction's time.
   */
  read(events: EventColumns, first: number, self: number, time: number): number;
}

/** `count`: events in the window. */
export class CountFeature implements EntityFeature {
  constructor(
    readonly output: number,
    readonly window: Window,
  ) {}

  read(): number {
    return this.window.count.count;
  }
}

/** `sum`, `mean` and `std` of a value over the window (0 for an empty window). */
export class MomentFeature implements EntityFeature {
  constructor(
    readonly output: number,
    readonly window: Window,
    readonly moments: MomentsAccumulator,
    readonly scale: number,
    readonly statistic: 'sum' | 'mean' | 'std',
  ) {}

  read(): number {
    const count = this.window.count.count;
    switch (this.statistic) {
      case 'sum':
        return this.moments.sum() / this.scale;
      case 'mean':
        return count > 0 ? this.moments.sum() / (count * this.scale) : 0;
      case 'std':
        return this.moments.std(count) / this.scale;
    }
  }
}

/** `min` and `max` of a value over the window (0 for an empty window). */
export class ExtremumFeature implements EntityFeature {
  constructor(
    readonly output: number,
    readonly extremum: ExtremumAccumulator,
    readonly scale: number,
  ) {}

  read(): number {
    const value = this.extremum.value();
    return Number.isNaN(value) ? 0 : value / this.scale;
  }
}

/** `distinct`: distinct values of a category in the window. */
export class DistinctFeature implements EntityFeature {
  constructor(
    readonly output: number,
    readonly distinct: DistinctAccumulator,
  ) {}

  read(): number {
    return this.distinct.distinct;
  }
}

/**
 * `time-since-previous`: seconds since the entity's previous event (equal times give 0),
 * capped at `capSeconds`, which is also the value without a previous event.
 */
export class TimeSincePreviousFeature implements EntityFeature {
  constructor(
    readonly output: number,
    readonly capSeconds: number,
  ) {}

  read(events: EventColumns, first: number, self: number, time: number): number {
    if (self <= first) return this.capSeconds;
    const gap = time - events.times[self - 1]!;
    return Math.min(gap, this.capSeconds);
  }
}

/**
 * `amount-relative`: the transaction's value against the entity's events in the window before
 * it — `ratio-to-mean` = value / mean (1 without history or with a zero mean), `z-score` =
 * (value − mean) / population std (0 with fewer than two earlier events or no spread).
 */
export class RelativeFeature implements EntityFeature {
  constructor(
    readonly output: number,
    readonly window: Window,
    readonly moments: MomentsAccumulator,
    readonly field: number,
    readonly relative: RelativeKind,
  ) {}

  read(events: EventColumns, _first: number, self: number): number {
    const count = this.window.count.count;
    if (this.relative === 'ratio-to-mean') {
      const sum = this.moments.sum();
      return count > 0 && sum !== 0 ? (events.values[this.field]![self]! * count) / sum : 1;
    }
    if (count < 2) return 0;
    const std = this.moments.std(count);
    return std > 0 ? (events.values[this.field]![self]! - this.moments.sum() / count) / std : 0;
  }
}

/**
 * `risk` and `target-encoding`: (frauds + m · prior) / (events + m) over the delayed window,
 * frauds counting only labels known at the transaction's time; 0 for an empty window with m = 0
 * (the handbook's convention).
 */
export class RiskFeature implements EntityFeature {
  constructor(
    readonly output: number,
    readonly window: Window,
    readonly fraud: FraudAccumulator,
    readonly smoothing: number,
    readonly prior: number,
  ) {}

  read(): number {
    const denominator = this.window.count.count + this.smoothing;
    if (denominator === 0) return 0;
    const prior = this.smoothing === 0 ? 0 : this.smoothing * this.prior;
    return (this.fraud.frauds + prior) / denominator;
  }
}
