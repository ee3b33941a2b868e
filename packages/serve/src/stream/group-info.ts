import type { RedisClient } from '../redis/redis-client.js';

/** A consumer group's position in one Redis Stream (from XINFO GROUPS, Redis 7). */
export interface GroupInfo {
  /** Entries delivered to the group and not acknowledged. */
  pending: number;
  /** Entries not yet delivered to the group; null when Redis cannot tell (after deletions). */
  lag: number | null;
  /** Entries the group has read. */
  entriesRead: number;
}

/** The group's position in `key`, or undefined when the stream or the group does not exist. */
export async function readGroupInfo(
  client: RedisClient,
  key: string,
  group: string,
): Promise<GroupInfo | undefined> {
  let groups: unknown[][];
  try {
    groups = (await client.xinfo('GROUPS', key)) as unknown[][];
  } catch (error) {
    if (/no such key/i.test((error as Error).message)) return undefined;
    throw error;
  }
  for (const flat of groups) {
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < flat.length; i += 2) info.set(String(flat[i]), flat[i + 1]);
    if (info.get('name') !== group) continue;
    const lag = info.get('lag');
    return {
      pending: Number(info.get('pending') ?? 0),
      lag: lag === null || lag === undefined ? null : Number(lag),
      entriesRead: Number(info.get('entries-read') ?? 0),
    };
  }
  return undefined;
}
