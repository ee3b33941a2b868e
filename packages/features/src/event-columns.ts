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
}

/** No events: what a transaction without an entity's key is evaluated against. */
export const NO_EVENTS: EventColumns = {
  times: new Float64Array(0),
  labels: new Uint8Array(0),
  labelTimes: new Float64Array(0),
  values: [],
  codes: [],
};
