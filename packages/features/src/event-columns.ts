/**
 * An entity's events as parallel columns, in time order (equal times in arrival order), read by
 * the accumulators at integer positions. The batch evaluator passes an entity-grouped copy of
 * the table's columns; the in-process online state an entity's own arrays; the Redis store the
 * events a Redis step returned, unpacked. Which fields exist follows the entity's
 * `EventLayout`.
 */
export interface EventColumns {
  /** Event times (the spec's time column). */
  readonly times: Float64Array;
  /** Fraud labels, 1 fraud and 0 genuine or not known (empty when no feature reads labels). */
  readonly labels: Uint8Array;
  /**
   * Time from which each label counts: −∞ known with the event, +∞ not known yet (empty when
   * no feature reads labels).
   */
  readonly labelTimes: Float64Array;
  /** Fixed-point values, one column per value field of the layout. */
  readonly values: readonly Float64Array[];
  /** Category codes (−1 missing), one column per category field of the layout. */
  readonly codes: readonly Int32Array[];
  /**
   * Running totals over the entity's events (the in-process store keeps them), which let the
   * additive accumulators take a whole range at once; absent: they add event by event.
   */
  readonly prefix?: EventPrefixes;
}

/**
 * Running totals over one entity's events from position `base`: at position `p`, the state of
 * an accumulator that added the events `base … p`. An additive accumulator's state over a range
 * is the difference of two of them — exact, since the totals are integer limbs.
 */
export interface EventPrefixes {
  /** First position the totals count from. */
  readonly base: number;
  /** Per value field: the limbs of the running sum (see `MomentsAccumulator`). */
  readonly sumLow: readonly Float64Array[];
  readonly sumHigh: readonly Float64Array[];
  /** Per value field: the limbs of the running sum of squares. */
  readonly squares0: readonly Float64Array[];
  readonly squares1: readonly Float64Array[];
  readonly squares2: readonly Float64Array[];
  /** Running count of frauds whose label is known with the event (label time −∞). */
  readonly knownFrauds: Float64Array;
  /** Positions, ascending, of frauds whose label time is finite (they count once known). */
  readonly laterFrauds: readonly number[];
}

/** No events: what a transaction without an entity's key is evaluated against. */
export const NO_EVENTS: EventColumns = {
  times: new Float64Array(0),
  labels: new Uint8Array(0),
  labelTimes: new Float64Array(0),
  values: [],
  codes: [],
};
