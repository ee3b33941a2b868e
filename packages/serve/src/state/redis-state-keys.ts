import { InvalidArgumentError } from '@mlsd/core';

const NAMESPACE = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Names of the Redis keys of one {@link RedisStateStore} namespace, all under
 * `mlsd:<namespace>:` (see redis-state-scripts.ts for what each holds).
 */
export class RedisStateKeys {
  /** `mlsd:<namespace>:`, the prefix of every key. */
  readonly prefix: string;
  /** Clock, last sweep, entity and event counts. */
  readonly meta: string;
  /** Marker set once the namespace is seeded (holds the spec it was seeded for). */
  readonly seeded: string;

  /** @throws InvalidArgumentError for a namespace other than 1–100 of `A-Z a-z 0-9 . _ : -`. */
  constructor(namespace: string) {
    if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
      throw new InvalidArgumentError(
        `RedisStateStore: namespace ${JSON.stringify(namespace)} must be 1 to 100 characters among letters, digits, '.', '_', ':' and '-'.`,
        { namespace },
      );
    }
    this.prefix = `mlsd:${namespace}:`;
    this.meta = `${this.prefix}meta`;
    this.seeded = `${this.prefix}seeded`;
  }

  /** Record of one transaction (entity ids and event positions). */
  transaction(transactionId: number): string {
    return `${this.prefix}tx:${transactionId}`;
  }

  /** Events and window cursors of one entity. */
  entity(column: string, id: number): string {
    return `${this.prefix}e:${column}:${id}`;
  }

  /** Entity ids of one column by the time of their newest event. */
  seen(column: string): string {
    return `${this.prefix}seen:${column}`;
  }
}
