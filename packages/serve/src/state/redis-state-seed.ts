import { decodeTypedArray, type EncodedTypedArray, InvalidArgumentError } from '@mlsd/core';
import type { FeatureSet, OnlineFeatureSnapshot } from '@mlsd/features';
import type { ChainableCommander, Redis } from 'ioredis';
import type { RedisStateKeys } from './redis-state-keys.js';

/** ARGV: ttl seconds, then key, value pairs: SET each with that TTL. */
const SET_RECORDS_SCRIPT = `
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV, 2 do redis.call('SET', ARGV[i], ARGV[i + 1], 'EX', ttl) end
return #ARGV
`;

/**
 * ARGV: ttl seconds, then per entity: key, packed cursor, its events packed back to back
 * (`<ddB` each): writes the entity hash (positions from 0) with that TTL. Splitting the events
 * inside Redis sends one buffer per entity instead of one per event.
 */
const SET_ENTITIES_SCRIPT = `
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV, 3 do
  local key, cursor, events = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local count = #events / 17
  redis.call('HSET', key, 'h', '0', 't', string.format('%d', count), 'c', cursor, 'g', 's')
  for p = 0, count - 1 do
    redis.call('HSET', key, string.format('%d', p), string.sub(events, 17 * p + 1, 17 * p + 17))
  end
  redis.call('EXPIRE', key, ttl)
end
return 1
`;

/** Bytes of one packed event: time and amount (float64 LE) and label (uint8). */
const EVENT_BYTES = 17;
/** Event bytes per seeding script call. */
const BATCH_BYTES = 1 << 20;

/** Optimistic attempts before giving up when other replicas keep writing the marker. */
const ATTEMPTS = 5;
/** Arguments per HSET / ZADD command when seeding large entities and columns. */
const CHUNK = 2_000;

/**
 * Writes an {@link OnlineFeatureSnapshot} into an empty namespace, once however many replicas
 * start together: the marker key is WATCHed, and the marker and the whole state are written in
 * one MULTI/EXEC, so exactly one replica's transaction commits, the others see the marker
 * afterwards, and nobody ever scores against a half-written state.
 *
 * @param marker - what the marker holds (the spec and sweep period): a namespace seeded for
 *   anything else is refused.
 * @returns true when this call seeded the namespace, false when it already held state.
 * @throws InvalidArgumentError when the namespace holds state of other features, or the
 *   snapshot does not match the feature set.
 */
export async function seedRedisState(
  redis: Redis,
  keys: RedisStateKeys,
  features: FeatureSet,
  snapshot: OnlineFeatureSnapshot | undefined,
  marker: string,
  ttlSeconds: number,
): Promise<boolean> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    await redis.watch(keys.seeded, keys.meta);
    const [current, live] = await Promise.all([redis.get(keys.seeded), redis.exists(keys.meta)]);
    if (current !== null) {
      await redis.unwatch();
      if (current !== marker) {
        throw new InvalidArgumentError(
          `RedisStateStore: namespace "${keys.prefix.slice(5, -1)}" holds online state for other features (or another sweep period) than this model's. Use another namespace (the default one is derived from the feature spec) or delete its keys (${keys.prefix}*).`,
          { namespace: keys.prefix, stored: current.slice(0, 200) },
        );
      }
      return false;
    }
    const multi = redis.multi();
    // A namespace already in use whose marker expired on its own is adopted, never overwritten.
    if (snapshot !== undefined && live === 0) {
      queueSnapshot(multi, keys, features, snapshot, ttlSeconds);
    }
    multi.set(keys.seeded, marker, 'EX', ttlSeconds);
    const results = await multi.exec();
    if (results === null) continue; // another replica wrote the marker first: read it again
    for (const [error] of results) if (error) throw error;
    return live === 0;
  }
  throw new InvalidArgumentError(
    `RedisStateStore: could not seed namespace ${keys.prefix} after ${ATTEMPTS} attempts; another client keeps changing ${keys.seeded}.`,
  );
}

function queueSnapshot(
  multi: ChainableCommander,
  keys: RedisStateKeys,
  features: FeatureSet,
  snapshot: OnlineFeatureSnapshot,
  ttlSeconds: number,
): void {
  const columns = features.entities.map((windows) => windows.entity);
  const stored = snapshot.stores.map((store) => store.entity);
  if (columns.join('\u0000') !== stored.join('\u0000')) {
    throw new InvalidArgumentError(
      `RedisStateStore: the model's saved state holds entity columns [${stored.join(', ')}] but its features group by [${columns.join(', ')}].`,
    );
  }
  let entityBatch: (string | Buffer)[] = [String(ttlSeconds)];
  let entityBytes = 0;
  const flushEntities = (): void => {
    if (entityBatch.length > 1) multi.eval(SET_ENTITIES_SCRIPT, 0, ...entityBatch);
    entityBatch = [String(ttlSeconds)];
    entityBytes = 0;
  };
  // Transaction id → per entity column `<id> s <position>` (s: seeded generation).
  const records = new Map<number, string[]>();
  let entityTotal = 0;
  let eventTotal = 0;
  snapshot.stores.forEach((store, e) => {
    const windows = features.entities[e]!;
    const stride = windows.cursorLength;
    const ids = decode(store.ids, Float64Array, store.entity, 'ids');
    const counts = decode(store.counts, Int32Array, store.entity, 'counts');
    const cursors = decode(store.cursors, Float64Array, store.entity, 'cursors');
    const times = decode(store.times, Float64Array, store.entity, 'times');
    const amounts = decode(store.amounts, Float64Array, store.entity, 'amounts');
    const labels = decode(store.labels, Uint8Array, store.entity, 'labels');
    const transactionIds = decode(
      store.transactionIds,
      Float64Array,
      store.entity,
      'transactionIds',
    );
    if (cursors.length !== ids.length * stride || counts.length !== ids.length) {
      throw new InvalidArgumentError(
        `RedisStateStore: the saved state of "${store.entity}" is inconsistent (cursor or count arrays do not fit its ${ids.length} entities).`,
      );
    }
    const seen: (string | number)[] = [];
    let k = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const count = counts[i]!;
      if (!(count >= 1 && k + count <= times.length)) {
        throw new InvalidArgumentError(
          `RedisStateStore: the saved state of "${store.entity}" is inconsistent (entity ${id} has ${count} events).`,
        );
      }
      const cursor = Buffer.alloc(stride * 8);
      for (let j = 0; j < stride; j++) cursor.writeDoubleLE(cursors[i * stride + j]!, j * 8);
      const events = Buffer.alloc(count * EVENT_BYTES);
      for (let p = 0; p < count; p++, k++) {
        events.writeDoubleLE(times[k]!, p * EVENT_BYTES);
        events.writeDoubleLE(amounts[k]!, p * EVENT_BYTES + 8);
        events.writeUInt8(labels[k]!, p * EVENT_BYTES + 16);
        const transactionId = transactionIds[k]!;
        let record = records.get(transactionId);
        if (record === undefined) {
          record = new Array<string>(columns.length).fill('- - -');
          records.set(transactionId, record);
        }
        record[e] = `${id} s ${p}`;
      }
      entityBatch.push(keys.entity(store.entity, id), cursor, events);
      entityBytes += events.length;
      if (entityBatch.length > CHUNK || entityBytes > BATCH_BYTES) flushEntities();
      seen.push(times[k - 1]!, String(id));
      if (seen.length >= CHUNK) {
        multi.zadd(keys.seen(store.entity), ...seen);
        seen.length = 0;
      }
      entityTotal++;
      eventTotal += count;
    }
    if (k !== times.length) {
      throw new InvalidArgumentError(
        `RedisStateStore: the saved state of "${store.entity}" is inconsistent (${times.length} events, counts add up to ${k}).`,
      );
    }
    if (seen.length > 0) multi.zadd(keys.seen(store.entity), ...seen);
    multi.expire(keys.seen(store.entity), ttlSeconds);
  });
  flushEntities();
  // One script call per chunk of records instead of one SET each: far fewer client-side
  // command objects for states of many transactions.
  let batch: string[] = [String(ttlSeconds)];
  for (const [transactionId, record] of records) {
    batch.push(keys.transaction(transactionId), record.join(' '));
    if (batch.length > CHUNK) {
      multi.eval(SET_RECORDS_SCRIPT, 0, ...batch);
      batch = [String(ttlSeconds)];
    }
  }
  if (batch.length > 1) multi.eval(SET_RECORDS_SCRIPT, 0, ...batch);
  const meta: string[] = ['entities', String(entityTotal), 'events', String(eventTotal)];
  if (snapshot.clock !== null) meta.push('clock', String(snapshot.clock));
  if (snapshot.lastSweep !== null) meta.push('lastSweep', String(snapshot.lastSweep));
  multi.hset(keys.meta, ...(meta as [string, string]));
  multi.expire(keys.meta, ttlSeconds);
}

function decode<A extends Float64Array | Int32Array | Uint8Array>(
  encoded: EncodedTypedArray,
  Type: { new (length: number): A; name: string },
  entity: string,
  name: string,
): A {
  const array = decodeTypedArray(encoded);
  if (!(array instanceof Type)) {
    throw new InvalidArgumentError(
      `RedisStateStore: the saved state's "${entity}".${name} must be a ${Type.name}.`,
    );
  }
  return array as A;
}
