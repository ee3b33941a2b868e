import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '@mlsd/core';
import type { FeatureSet, OnlineFeatureSnapshot } from '@mlsd/features';
import type { Cluster, Redis } from 'ioredis';
import type { RedisStateKeys } from './redis-state-keys.js';

/** How long a replica may take to seed before another one takes over, and others wait for it. */
const SEED_LOCK_MS = 120_000;
/** Commands in flight at once while seeding. */
const BATCH = 1_000;

/**
 * Makes sure a namespace is ready to serve: seeded once from the model's saved online state
 * (however many replicas start together), adopted when it already holds state, refused when it
 * was seeded for other features. Cluster-ready: every write touches one entity's slot; a lock
 * key elects the replica that seeds; the marker is written last, so a replica never serves a
 * half-written namespace (updates check the marker).
 *
 * @param marker - what the marker holds (spec, layouts, lateness): a namespace marked with
 *   anything else is refused.
 * @returns true when this call seeded the namespace from the snapshot.
 * @throws InvalidArgumentError when the namespace holds state of other features, or the seeding
 *   replica did not finish in time.
 */
export async function ensureSeeded(
  redis: Redis | Cluster,
  keys: RedisStateKeys,
  features: FeatureSet,
  snapshot: OnlineFeatureSnapshot | undefined,
  marker: string,
  ttlMs: number,
): Promise<boolean> {
  const deadline = Date.now() + SEED_LOCK_MS;
  for (;;) {
    const current = await redis.get(keys.seeded);
    if (current !== null) {
      checkMarker(current, marker, keys);
      return false;
    }
    const token = randomUUID();
    if ((await redis.set(keys.seeding, token, 'PX', SEED_LOCK_MS, 'NX')) === 'OK') {
      try {
        // A namespace in use whose marker expired on its own is adopted, never overwritten.
        const inUse = await holdsEvents(redis, keys);
        if (!inUse && snapshot !== undefined)
          await writeSnapshot(redis, keys, features, snapshot, ttlMs);
        await redis.set(keys.seeded, marker, 'PX', ttlMs);
        return !inUse && snapshot !== undefined;
      } finally {
        if ((await redis.get(keys.seeding)) === token) await redis.del(keys.seeding);
      }
    }
    if (Date.now() > deadline) {
      throw new InvalidArgumentError(
        `RedisStateStore: namespace ${keys.prefix} is being seeded by another replica that has not finished in ${SEED_LOCK_MS / 1000} s; delete ${keys.seeding} if that replica died.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function checkMarker(current: string, marker: string, keys: RedisStateKeys): void {
  if (current === marker) return;
  throw new InvalidArgumentError(
    `RedisStateStore: namespace "${keys.prefix.slice(5, -1)}" holds online state for other features (or another lateness) than this model's. Use another namespace (the default one is derived from the feature spec) or delete its keys (${keys.prefix}*).`,
    { namespace: keys.prefix },
  );
}

/** True when some entity of the namespace holds events (on every master of a cluster). */
export async function holdsEvents(redis: Redis | Cluster, keys: RedisStateKeys): Promise<boolean> {
  for (const node of nodesOf(redis)) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', keys.eventsPattern, 'COUNT', 1_000);
      if (batch.length > 0) return true;
      cursor = next;
    } while (cursor !== '0');
  }
  return false;
}

/** The standalone client itself, or every master of a cluster. */
export function nodesOf(redis: Redis | Cluster): Redis[] {
  return 'nodes' in redis && typeof redis.nodes === 'function'
    ? (redis as Cluster).nodes('master')
    : [redis as Redis];
}

async function writeSnapshot(
  redis: Redis | Cluster,
  keys: RedisStateKeys,
  features: FeatureSet,
  snapshot: OnlineFeatureSnapshot,
  ttlMs: number,
): Promise<void> {
  const plans = features.entities;
  const stored = snapshot.stores.map((store) => store.entity);
  if (plans.map((plan) => plan.name).join('\u0000') !== stored.join('\u0000')) {
    throw new InvalidArgumentError(
      `RedisStateStore: the model's saved state holds entities [${stored.join(', ')}] but its features use [${plans.map((plan) => plan.name).join(', ')}].`,
    );
  }
  let pending: Promise<unknown>[] = [];
  const send = async (command: Promise<unknown>): Promise<void> => {
    pending.push(command);
    if (pending.length >= BATCH) {
      await Promise.all(pending);
      pending = [];
    }
  };
  const entityKeys = new Map<string, (string | null)[]>();
  for (let e = 0; e < plans.length; e++) {
    const layout = plans[e]!.layout;
    for (const entity of snapshot.stores[e]!.entities) {
      const events = keys.events(layout.entity, entity.key);
      const index = keys.index(layout.entity, entity.key);
      const scored: (string | Buffer)[] = [];
      const ids: (string | Buffer)[] = [];
      entity.times.forEach((time, k) => {
        const labelTime = entity.labelTimes[k];
        const body = layout.pack({
          transactionId: entity.transactionIds[k]!,
          time,
          label: entity.labels[k] ?? 0,
          labelTime:
            labelTime === '-inf' || labelTime === undefined
              ? Number.NEGATIVE_INFINITY
              : labelTime === '+inf'
                ? Number.POSITIVE_INFINITY
                : labelTime,
          values: entity.values.map((column) => column[k]!),
          categories: entity.categories.map((column) => column[k] ?? null),
        });
        const arrival = Buffer.alloc(8);
        arrival.writeBigUInt64BE(BigInt(k + 1));
        const member = Buffer.concat([arrival, body]);
        scored.push(String(time), member);
        ids.push(entity.transactionIds[k]!, member);
        let held = entityKeys.get(entity.transactionIds[k]!);
        if (held === undefined) {
          held = new Array<string | null>(plans.length).fill(null);
          entityKeys.set(entity.transactionIds[k]!, held);
        }
        held[e] = entity.key;
      });
      if (scored.length === 0) continue;
      await send(redis.zadd(events, ...(scored as [string, Buffer])));
      await send(
        redis.hset(index, ...(ids as [string, Buffer]), '#seq', String(entity.times.length)),
      );
      await send(redis.pexpire(events, ttlMs));
      await send(redis.pexpire(index, ttlMs));
    }
  }
  for (const [id, held] of entityKeys) {
    const fingerprint = snapshot.fingerprints[id];
    if (fingerprint === undefined) continue;
    const claim = keys.claim(id);
    await send(redis.hset(claim, 'f', String(fingerprint), 'k', JSON.stringify(held)));
    await send(redis.pexpire(claim, ttlMs));
  }
  await Promise.all(pending);
}
