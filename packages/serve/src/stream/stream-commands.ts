import type { RedisClient } from '../redis/redis-client.js';
import {
  APPEND_SCRIPT,
  DECIDE_SCRIPT,
  FENCED_READ_SCRIPT,
  RELEASE_LEASE_SCRIPT,
  RENEW_LEASE_SCRIPT,
} from './stream-scripts.js';

/** The stream's Lua steps as commands on a client (EVALSHA, loaded again on NOSCRIPT). */
export interface StreamCommands {
  mlsdStreamAppend(key: string, ...args: string[]): Promise<string | null>;
  mlsdStreamDecide(numberOfKeys: number, ...keysAndArgs: string[]): Promise<string[]>;
  mlsdStreamRead(
    input: string,
    lease: string,
    holder: string,
    group: string,
    consumer: string,
    count: string,
    from: string,
  ): Promise<unknown[]>;
  mlsdStreamRenew(key: string, holder: string, ms: string): Promise<number>;
  mlsdStreamRelease(key: string, holder: string): Promise<number>;
}

const defined = new WeakSet<RedisClient>();

/**
 * Defines the stream's Lua steps on `client` (once per client) and returns it typed with them.
 * ioredis routes each call by its first key (one slot) on a cluster.
 */
export function streamCommands(client: RedisClient): StreamCommands {
  if (!defined.has(client)) {
    client.defineCommand('mlsdStreamAppend', { numberOfKeys: 1, lua: APPEND_SCRIPT });
    client.defineCommand('mlsdStreamDecide', { lua: DECIDE_SCRIPT });
    client.defineCommand('mlsdStreamRead', { numberOfKeys: 2, lua: FENCED_READ_SCRIPT });
    client.defineCommand('mlsdStreamRenew', { numberOfKeys: 1, lua: RENEW_LEASE_SCRIPT });
    client.defineCommand('mlsdStreamRelease', { numberOfKeys: 1, lua: RELEASE_LEASE_SCRIPT });
    defined.add(client);
  }
  return client as unknown as StreamCommands;
}
