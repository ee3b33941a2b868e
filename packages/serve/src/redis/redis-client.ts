import { InvalidArgumentError } from '@mlsd/core';
import { Cluster, Redis } from 'ioredis';

/** A standalone Redis connection or a Redis Cluster client (both from ioredis). */
export type RedisClient = Redis | Cluster;

/** Where a Redis URL points: one server, or the seed nodes of a cluster. */
export type RedisTarget =
  | { kind: 'standalone'; url: string; shown: string }
  | {
      kind: 'cluster';
      nodes: { host: string; port: number }[];
      username?: string;
      password?: string;
      tls: boolean;
      shown: string;
    };

/** Options of {@link openRedisClient}. */
export interface RedisClientOptions {
  /** Milliseconds to wait for a connection; default 5,000. */
  connectTimeoutMs?: number;
  /**
   * Milliseconds before a command fails with a timeout; default 2,000. `0` disables it (for
   * connections that run long scripts, like seeding).
   */
  commandTimeoutMs?: number;
  /** Batch the commands issued in one tick into one write per node (ioredis autopipelining). */
  autoPipelining?: boolean;
}

const CLUSTER_SCHEMES = new Set(['redis+cluster:', 'rediss+cluster:']);

/**
 * Reads a Redis URL: `redis://[user:password@]host:port[/db]` (`rediss://` for TLS) for one
 * server, or `redis+cluster://[user:password@]host:port[,host:port…]` (`rediss+cluster://`) for
 * a Redis Cluster, given by one or more of its nodes (the client discovers the rest).
 * @throws InvalidArgumentError naming what is wrong and an example of a good URL.
 */
export function parseRedisUrl(url: string): RedisTarget {
  const text = String(url);
  const scheme = /^([a-z+]+:)\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'redis:' || scheme === 'rediss:') {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      throw badUrl(text, 'it does not parse as a URL');
    }
    if (parsed.hostname === '') throw badUrl(text, 'it names no host');
    return { kind: 'standalone', url: text, shown: redact(text) };
  }
  if (scheme !== undefined && CLUSTER_SCHEMES.has(scheme)) {
    const rest = text.slice(scheme.length + 2);
    const at = rest.lastIndexOf('@');
    const auth = at < 0 ? '' : rest.slice(0, at);
    const [hosts = '', path = ''] = (at < 0 ? rest : rest.slice(at + 1)).split('/', 2);
    if (path !== '' && path !== '0') {
      throw badUrl(text, 'Redis Cluster has only database 0');
    }
    const nodes = hosts.split(',').map((entry) => {
      const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(entry);
      const port = Number(match?.[2]);
      if (match === null || !(port > 0 && port < 65_536)) {
        throw badUrl(text, `node ${JSON.stringify(entry)} is not host:port`);
      }
      return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
    });
    const colon = auth.indexOf(':');
    const username = decodeURIComponent(colon < 0 ? auth : auth.slice(0, colon));
    const password = colon < 0 ? undefined : decodeURIComponent(auth.slice(colon + 1));
    return {
      kind: 'cluster',
      nodes,
      ...(username === '' ? {} : { username }),
      ...(password === undefined || password === '' ? {} : { password }),
      tls: scheme === 'rediss+cluster:',
      shown: redact(text),
    };
  }
  throw badUrl(
    text,
    'the scheme is not redis://, rediss://, redis+cluster:// or rediss+cluster://',
  );
}

/**
 * Opens (lazily: the first command or `connect()` connects) a client for a URL that
 * {@link parseRedisUrl} reads: an ioredis `Redis` for one server, an ioredis `Cluster` for a
 * cluster. Both fail fast rather than queue while disconnected — a command sent while the
 * server is unreachable rejects at once, one that gets no answer rejects after
 * `commandTimeoutMs` — so callers can answer 503 or retry, never hang; both keep reconnecting
 * in the background. The cluster client follows MOVED/ASK redirections and refreshes its slot
 * table when a replica is promoted.
 * @throws InvalidArgumentError for a URL it cannot read.
 */
export function openRedisClient(url: string, options: RedisClientOptions = {}): RedisClient {
  const target = parseRedisUrl(url);
  const connectTimeout = options.connectTimeoutMs ?? 5_000;
  const commandTimeout =
    options.commandTimeoutMs === 0 ? undefined : (options.commandTimeoutMs ?? 2_000);
  const timeouts = {
    connectTimeout,
    ...(commandTimeout === undefined ? {} : { commandTimeout }),
  };
  let client: RedisClient;
  if (target.kind === 'standalone') {
    client = new Redis(target.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      enableAutoPipelining: options.autoPipelining ?? false,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
      ...timeouts,
    });
  } else {
    client = new Cluster(target.nodes, {
      lazyConnect: true,
      // The offline queue holds commands only while the slot table is (re)loaded; a command
      // for a node that is down still fails at once (maxRetriesPerRequest), and a failover's
      // CLUSTERDOWN / TRYAGAIN / closed connections are retried for a short, bounded while.
      enableOfflineQueue: true,
      enableAutoPipelining: options.autoPipelining ?? false,
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 200,
      retryDelayOnTryAgain: 100,
      maxRedirections: 16,
      slotsRefreshTimeout: 1_000,
      clusterRetryStrategy: (attempt) => Math.min(100 + attempt * 100, 2_000),
      redisOptions: {
        maxRetriesPerRequest: 1,
        ...timeouts,
        ...(target.username === undefined ? {} : { username: target.username }),
        ...(target.password === undefined ? {} : { password: target.password }),
        ...(target.tls ? { tls: {} } : {}),
      },
    });
  }
  // Errors reach callers through rejected commands; without a listener ioredis logs them too.
  client.on('error', () => {});
  return client;
}

/** The URL with its password replaced by `***`, for messages and logs. */
export function redactRedisUrl(url: string): string {
  return redact(String(url));
}

function redact(url: string): string {
  return url.replace(/^([a-z+]+:\/\/[^:@/]*:)[^@]*@/i, '$1***@');
}

function badUrl(url: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `${JSON.stringify(redact(url))} is not a Redis URL we can use: ${why}. Expected redis://host:port (one server, e.g. redis://127.0.0.1:6379) or redis+cluster://host:port,host:port (a Redis Cluster, any of its nodes).`,
    { url: redact(url) },
  );
}
