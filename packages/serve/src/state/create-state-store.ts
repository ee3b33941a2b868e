import { NotFoundError } from '@mlsd/core';
import type { FraudModel } from '@mlsd/fraud';
import { InProcessStateStore } from './in-process-state-store.js';
import type { OnlineStateStore } from './online-state-store.js';

/** Where to keep the fraud online state. */
export interface StateStoreOptions {
  /** Redis URL (`redis://host:port/db`); absent: in process. */
  redisUrl?: string | undefined;
  /** Key prefix in Redis (default the Redis store's own, derived from the feature spec). */
  namespace?: string | undefined;
}

/**
 * Opens the online state store for a fraud model: an {@link InProcessStateStore} continuing
 * from the state saved with the model, or — with `redisUrl` — the shared `RedisStateStore`.
 * The Redis module (and ioredis) is loaded only when asked for, so an in-process service
 * never pays for it.
 * @throws NotFoundError when Redis is asked for but the Redis store module cannot be loaded;
 *   the Redis store's own errors (unreachable server, bad URL) otherwise.
 */
export async function createStateStore(
  model: FraudModel,
  options: StateStoreOptions = {},
): Promise<OnlineStateStore> {
  if (options.redisUrl === undefined) return InProcessStateStore.forModel(model);
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
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
  });
}
