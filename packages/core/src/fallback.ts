import { logWarn } from './log.js';

/**
 * Fallbacks taken by this process, by component: a faster path that could not run and the
 * slower one that ran instead. Each is logged once (the first time) and counted every time, so
 * a fallback is never silent and a test or a metrics endpoint can see how often it happened.
 */
const counts = new Map<string, number>();

/**
 * Records that `component` fell back (`reason` says why and what runs instead). Logs a warning
 * the first time per component, counts every time.
 */
export function noteFallback(
  component: string,
  reason: string,
  fields?: Record<string, unknown>,
): void {
  const seen = counts.get(component) ?? 0;
  counts.set(component, seen + 1);
  if (seen === 0) logWarn(`${component}: ${reason}`, fields);
}

/** How many times each component fell back in this process (see {@link noteFallback}). */
export function fallbackCounts(): Readonly<Record<string, number>> {
  return Object.fromEntries(counts);
}
