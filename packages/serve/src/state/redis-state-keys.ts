import { InvalidArgumentError } from '@mlsd/core';

const NAMESPACE = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Names of the Redis keys of one {@link RedisStateStore} namespace, all under `mlsd:<namespace>:`.
 * Every key of one entity carries the same hash tag (`{<entity>:<key>}`), so an entity lives in
 * one Redis Cluster slot and each per-entity step touches one slot; a transaction's claim has
 * its own tag. No key is shared by all transactions.
 *
 * Key texts are escaped (`%`, `{`, `}` as `%25`, `%7B`, `%7D`) so a card number or merchant name
 * cannot end a hash tag early.
 */
export class RedisStateKeys {
  /** `mlsd:<namespace>:`, the prefix of every key. */
  readonly prefix: string;
  /** Marker set once the namespace is seeded (holds the spec and layouts it was seeded for). */
  readonly seeded: string;
  /** Held by the replica seeding the namespace, so others wait instead of seeding too. */
  readonly seeding: string;
  /** SCAN pattern of the entities' event sets. */
  readonly eventsPattern: string;

  /** @throws InvalidArgumentError for a namespace other than 1–100 of `A-Z a-z 0-9 . _ : -`. */
  constructor(namespace: string) {
    if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
      throw new InvalidArgumentError(
        `RedisStateStore: namespace ${JSON.stringify(namespace)} must be 1 to 100 characters among letters, digits, '.', '_', ':' and '-'.`,
        { namespace },
      );
    }
    this.prefix = `mlsd:${namespace}:`;
    this.seeded = `${this.prefix}seeded`;
    this.seeding = `${this.prefix}seeding`;
    this.eventsPattern = `${this.prefix}e{*`;
  }

  /** Sorted set of an entity's events (score: time; member: arrival number + packed event). */
  events(entity: string, key: string): string {
    return `${this.prefix}e{${entity}:${escapeKey(key)}}`;
  }

  /** Hash of an entity's transaction ids → their members, and `#seq`, the arrival counter. */
  index(entity: string, key: string): string {
    return `${this.prefix}i{${entity}:${escapeKey(key)}}`;
  }

  /** A transaction's claim: its fingerprint and entity keys (duplicates, late labels). */
  claim(transactionId: string): string {
    return `${this.prefix}t{${escapeKey(transactionId)}}`;
  }
}

/** Escapes the characters that would break a hash tag or the escaping itself. */
export function escapeKey(text: string): string {
  return text.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
