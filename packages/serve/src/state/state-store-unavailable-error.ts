import { MlsdError } from '@mlsd/core';

/**
 * The shared online state cannot be reached: Redis refused the connection at start, or failed
 * (disconnected, timed out, out of memory) while recording a transaction. Retrying later is
 * safe: a transaction that was recorded after all (a reply lost to a timeout) is refused as a
 * repeated id, never counted twice. Its code is `BACKEND_UNAVAILABLE`; the service answers it
 * with 503.
 */
export class StateStoreUnavailableError extends MlsdError {
  constructor(
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super('BACKEND_UNAVAILABLE', message, details, options);
  }
}

/**
 * The shared state's namespace is not (or no longer) seeded: Redis restarted empty, or the
 * namespace expired. Nothing was recorded; the store re-seeds it from the model's saved state in
 * the background, and a retry succeeds once that is done. `details.reason` is `'not-seeded'`;
 * the code stays `BACKEND_UNAVAILABLE` (HTTP 503), so readiness probes and stream consumers
 * back off rather than write into an empty namespace.
 */
export class StateNotSeededError extends StateStoreUnavailableError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message, { ...details, reason: 'not-seeded' });
  }
}
