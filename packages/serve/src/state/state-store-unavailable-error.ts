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
