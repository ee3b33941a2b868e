import { NotFoundError } from '@mlsd/core';
import type { FeatureSet, OnlineFeatureState, OnlineStateOptions } from '@mlsd/features';
import { InProcessStateStore } from './in-process-state-store.js';
import type { OnlineStateStore } from './online-state-store.js';

/** Where to keep the fraud online state, and its guards. */
export interface StateStoreOptions {
  /** Redis URL (`redis://host:port/db`); absent: in process. */
  redisUrl?: string | undefined;
  /** Key prefix in Redis (default the Redis store's own, derived from the feature spec). */
  namespace?: string | undefined;
  /** Seconds a transaction may be late for one of its entities (default 0: in order). */
  allowedLatenessSeconds?: number | undefined;
  /** Seconds a transaction may lie beyond the wall clock (default one day; null: no limit). */
  maxFutureSkewSeconds?: number | null | undefined;
  /** Without the wall clock: seconds beyond the newest time accepted (default 30 days). */
  maxGapSeconds?: number | null | undefined;
  /**
   * Refuse times beyond the wall clock plus the skew (default true): what a service wants; a
   * replay of a log with simulated future dates turns it off (the gap limit applies instead).
   */
  wallClock?: boolean | undefined;
}

/**
 * Opens the online state store for a fraud model: an {@link InProcessStateStore} continuing
 * from the state saved with the model, or — with `redisUrl` — the shared `RedisStateStore`.
 * The Redis module (and ioredis) is loaded only when asked for, so an in-process service
 * never pays for it.
 * @throws NotFoundError when Redis is asked for but the Redis store module cannot be loaded;
 *   the stores' own errors (bad options, unreachable server, bad URL) otherwise.
 */
export async function createStateStore(
  model: { features: FeatureSet; state?: OnlineFeatureState | undefined },
  options: StateStoreOptions = {},
): Promise<OnlineStateStore> {
  const guards: OnlineStateOptions = {
    ...(options.allowedLatenessSeconds === undefined
      ? {}
      : { allowedLatenessSeconds: options.allowedLatenessSeconds }),
    ...(options.maxFutureSkewSeconds === undefined
      ? {}
      : { maxFutureSkewSeconds: options.maxFutureSkewSeconds }),
    ...(options.maxGapSeconds === undefined ? {} : { maxGapSeconds: options.maxGapSeconds }),
    ...(options.wallClock === false ? {} : { now: () => Date.now() / 1000 }),
  };
  if (options.redisUrl === undefined) return InProcessStateStore.forModel(model, guards);
  let module: typeof import('./redis-state-store.js');
  try {
    module = await import('./redis-state-store.js');
  } catch (error) {
    throw new NotFoundError(
      `The Redis online state store could not be loaded, so --redis ${options.redisUrl} cannot be used: ${(error as Error).message}. Reinstall @mlsd/serve (it needs ioredis), or start without --redis to keep the state in process.`,
      { redisUrl: options.redisUrl },
      { cause: error },
    );
  }
  return module.RedisStateStore.connect({
    url: options.redisUrl,
    model,
    ...guards,
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
  });
}
