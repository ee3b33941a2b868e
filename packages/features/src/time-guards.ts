import { InvalidDataError } from '@mlsd/core';
import type { FeatureSet } from './feature-set.js';

/** What {@link futureTimeError} compares a time with. */
export interface FutureGuard {
  /** Seconds a time may lie beyond the wall clock (null: no limit). */
  maxFutureSkewSeconds: number | null;
  /** Seconds a time may lie beyond the newest accepted time, without a wall clock (null: none). */
  maxGapSeconds: number | null;
  /** The wall clock, epoch seconds; undefined when there is none (a replay). */
  now: (() => number) | undefined;
}

/**
 * The refusal of a time too far in the future, or undefined. With a wall clock (a service), the
 * reference is the wall clock: a state restored after downtime rightly receives times far
 * beyond its newest event, but never beyond now plus the skew. Without one (a replay of a log),
 * the reference is the newest time accepted: a gap longer than `maxGapSeconds` is taken for a
 * wrong clock or time format. Either way a poisoned far-future time cannot take its entities'
 * clocks hostage, and it is refused before anything is recorded.
 */
export function futureTimeError(
  features: FeatureSet,
  guard: FutureGuard,
  time: number,
  newest: number,
  transactionId: string,
  caller: string,
): InvalidDataError | undefined {
  const column = features.columns.time;
  const at = `${caller} (transaction ${transactionId})`;
  if (guard.now !== undefined) {
    const skew = guard.maxFutureSkewSeconds ?? Number.POSITIVE_INFINITY;
    const now = guard.now();
    const epoch = features.calendar.epochSeconds(time);
    if (epoch <= now + skew) return undefined;
    return new InvalidDataError(
      `${at}: ${column} ${time} lies ${Math.round(epoch - now)} s after the wall clock; the maximum skew into the future is ${skew} s (maxFutureSkewSeconds). Check the sender's clock or time format.`,
      { column, transactionId, value: time, now, reason: 'future' },
    );
  }
  const gap = guard.maxGapSeconds ?? Number.POSITIVE_INFINITY;
  if (newest === Number.NEGATIVE_INFINITY || time <= newest + gap) return undefined;
  return new InvalidDataError(
    `${at}: ${column} ${time} is ${time - newest} s beyond the newest time accepted (${newest}); the largest gap allowed is ${gap} s (maxGapSeconds). Check the clock or time format, or raise maxGapSeconds for a log with long silences.`,
    { column, transactionId, value: time, newest, reason: 'future' },
  );
}
