import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REDIS_SERVER_BINARY } from '@mlsd/test-utils/redis-server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';

/** Where Debian's `redis-tools` installs the command-line client (it builds the cluster). */
export const REDIS_CLI_BINARY = process.env.REDIS_CLI ?? '/usr/bin/redis-cli';

const run = promisify(execFile);

/** One `redis-server` of a {@link RedisClusterHandle}. */
export interface ClusterNode {
  readonly port: number;
  /** Process id of the running server (changes when the node is restarted). */
  readonly pid: number;
  /** Role when the cluster was created; after a failover, ask the cluster. */
  readonly createdAs: 'master' | 'replica';
  /** True while the process runs (false after {@link RedisClusterHandle.kill}). */
  readonly alive: boolean;
}

/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** Masters (each owns a third of the 16,384 slots for 3); default 3, the least Redis accepts. */
  masters?: number;
  /** Replicas per master (1 to test failover); default 0. */
  replicasPerMaster?: number;
  /**
   * `cluster-node-timeout`, ms: how long a master may be unreachable before its replica is
   * promoted. Default 3,000: Redis' default 15,000 would make failover tests slow, and 1,000 let
   * a master starved of CPU on a busy machine be failed over while it still took writes (it lost
   * them when it came back as a replica: the test saw entries vanish before its own kill).
   */
  nodeTimeoutMs?: number;
}

/** A throwaway Redis Cluster of real `redis-server` processes on loopback ports. */
export interface RedisClusterHandle {
  /** `redis+cluster://127.0.0.1:<port>,…` with every node (what `openRedisClient` takes). */
  readonly url: string;
  readonly nodes: readonly ClusterNode[];
  /** Ports of the nodes that are masters now (asks the cluster). */
  masterPorts(): Promise<number[]>;
  /** The master port that serves `key` now (CLUSTER KEYSLOT + CLUSTER SLOTS). */
  masterOf(key: string): Promise<number>;
  /** Sends a signal to the node's process (SIGKILL / SIGSTOP / SIGCONT …); `kill` waits for its exit on SIGKILL/SIGTERM. */
  kill(port: number, signal: NodeJS.Signals): Promise<void>;
  /**
   * Resolves once every live node reports `cluster_state:ok`, every slot is served and every
   * live replica's link to its master is up.
   */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /**
   * Resolves once every live master's writes so far are on at least one replica (`WAIT 1` on
   * each; masters without a replica are skipped). Call before killing a master when what it
   * acknowledged must survive: replication is asynchronous.
   */
  replicated(timeoutMs?: number): Promise<void>;
  /** Stops every node (SIGTERM, then SIGKILL after 5 s) and removes the data folders. */
  stop(): Promise<void>;
}

interface NodeProcess {
  port: number;
  createdAs: 'master' | 'replica';
  child: ChildProcess;
  dir: string;
  stderr: string;
}

/**
 * Starts a Redis Cluster from Debian's `redis-server` 7.0: `masters × (1 + replicasPerMaster)`
 * nodes with `cluster-enabled yes` on free loopback ports (each port's cluster bus, port +
 * 10,000, free too), each in its own folder under a temporary one, no persistence; joins them
 * with `redis-cli --cluster create … --cluster-replicas R --cluster-yes`, then waits until the
 * cluster is healthy (every node `cluster_state:ok`, replicas synced). Plain Node, so
 * benchmarks can use it too; tests use {@link useRedisCluster}.
 */
export async function startRedisCluster(
  options: RedisClusterOptions = {},
): Promise<RedisClusterHandle> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 0;
  const nodeTimeout = options.nodeTimeoutMs ?? 3_000;
  if (masters < 3) throw new Error('Redis Cluster needs at least 3 masters.');
  const root = await mkdtemp(join(tmpdir(), 'mlsd-redis-cluster-'));
  const nodes: NodeProcess[] = [];
  const ports = await freeClusterPorts(masters * (1 + replicas));
  try {
    for (let i = 0; i < ports.length; i++) {
      const port = ports[i]!;
      const dir = join(root, String(port));
      await mkdir(dir);
      nodes.push(spawnNode(port, dir, i < masters ? 'master' : 'replica', nodeTimeout));
    }
    await Promise.all(nodes.map((node) => waitForPing(node)));
    // --cluster create pairs the last R·M addresses as replicas of the first M (same host:
    // it warns that replicas share their master's host, which is the point on loopback).
    await run(
      REDIS_CLI_BINARY,
      [
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      { timeout: 30_000 },
    );
    const handle = clusterHandle(root, nodes);
    await handle.waitHealthy(30_000);
    return handle;
  } catch (error) {
    await Promise.all(nodes.map((node) => stopNode(node)));
    await rm(root, { recursive: true, force: true });
    throw new Error(`Could not start a Redis Cluster: ${String(error)}`, { cause: error });
  }
}

/**
 * Starts a Redis Cluster before the tests of the calling file and stops it after them; returns
 * a getter for it.
 */
export function useRedisCluster(options: RedisClusterOptions = {}): () => RedisClusterHandle {
  let cluster: RedisClusterHandle | undefined;
  beforeAll(async () => {
    cluster = await startRedisCluster(options);
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 30_000);
  return () => {
    if (cluster === undefined)
      throw new Error('The Redis Cluster is not running (outside beforeAll/afterAll).');
    return cluster;
  };
}

function spawnNode(
  port: number,
  dir: string,
  createdAs: 'master' | 'replica',
  nodeTimeout: number,
): NodeProcess {
  const child = spawn(
    REDIS_SERVER_BINARY,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, 'nodes.conf'),
      '--cluster-node-timeout',
      String(nodeTimeout),
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
      '--dir',
      dir,
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const node: NodeProcess = { port, createdAs, child, dir, stderr: '' };
  child.stderr?.on('data', (chunk: Buffer) => {
    node.stderr += chunk.toString();
  });
  return node;
}

function clusterHandle(root: string, nodes: NodeProcess[]): RedisClusterHandle {
  const alive = (node: NodeProcess): boolean =>
    node.child.exitCode === null && node.child.signalCode === null;
  const withNode = async <T>(
    port: number,
    use: (redis: Redis) => Promise<T>,
    commandTimeoutMs = 1_000,
  ): Promise<T> => {
    const redis = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      connectTimeout: 1_000,
      commandTimeout: commandTimeoutMs,
      retryStrategy: () => null,
    });
    redis.on('error', () => {});
    try {
      await redis.connect();
      return await use(redis);
    } finally {
      redis.disconnect();
    }
  };
  const livePorts = (): number[] => nodes.filter(alive).map((node) => node.port);
  const slotsTable = async (): Promise<[number, number, number][]> => {
    for (const port of livePorts()) {
      try {
        const slots = await withNode(port, (redis) => redis.cluster('SLOTS'));
        return slots.map(([from, to, master]) => [from, to, Number(master?.[1])]);
      } catch {
        // try the next node
      }
    }
    throw new Error('no live cluster node answered CLUSTER SLOTS');
  };

  const handle: RedisClusterHandle = {
    url: `redis+cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`,
    get nodes() {
      return nodes.map((node) => ({
        port: node.port,
        pid: node.child.pid ?? -1,
        createdAs: node.createdAs,
        alive: alive(node),
      }));
    },
    async masterPorts() {
      return [...new Set((await slotsTable()).map(([, , port]) => port))].sort((a, b) => a - b);
    },
    async masterOf(key) {
      const port = livePorts()[0];
      if (port === undefined) throw new Error('no live cluster node');
      const slot = await withNode(port, (redis) => redis.cluster('KEYSLOT', key));
      const row = (await slotsTable()).find(([from, to]) => slot >= from && slot <= to);
      if (row === undefined) throw new Error(`slot ${slot} is not served`);
      return row[2];
    },
    async kill(port, signal) {
      const node = nodes.find((candidate) => candidate.port === port);
      if (node === undefined) throw new Error(`no cluster node on port ${port}`);
      if (!alive(node)) return;
      const exited =
        signal === 'SIGKILL' || signal === 'SIGTERM'
          ? new Promise<void>((resolve) => node.child.once('exit', () => resolve()))
          : Promise.resolve();
      node.child.kill(signal);
      await exited;
    },
    async waitHealthy(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        try {
          const states = await Promise.all(
            nodes.filter(alive).map((node) =>
              withNode(node.port, async (redis) => {
                const info = String(await redis.cluster('INFO'));
                const replication = await redis.info('replication');
                return { port: node.port, info, replication };
              }),
            ),
          );
          const unhealthy = states.find(
            ({ info, replication }) =>
              !info.includes('cluster_state:ok') ||
              !info.includes('cluster_slots_ok:16384') ||
              (replication.includes('role:slave') &&
                !replication.includes('master_link_status:up')),
          );
          if (unhealthy === undefined) return;
          last = `node ${unhealthy.port}: ${unhealthy.info.split('\r\n').slice(0, 3).join(' ')}`;
        } catch (error) {
          last = String(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`the Redis Cluster did not become healthy in ${timeoutMs} ms (${last})`);
    },
    async replicated(timeoutMs = 10_000) {
      for (const port of await handle.masterPorts()) {
        await withNode(
          port,
          async (redis) => {
            const replication = await redis.info('replication');
            const replicas = Number(/connected_slaves:(\d+)/.exec(replication)?.[1] ?? 0);
            if (replicas === 0) return;
            const acknowledged = await redis.wait(1, timeoutMs);
            if (acknowledged < 1) {
              throw new Error(
                `master ${port}: no replica acknowledged its writes in ${timeoutMs} ms`,
              );
            }
          },
          timeoutMs + 1_000,
        );
      }
    },
    async stop() {
      await Promise.all(nodes.map((node) => stopNode(node)));
      await rm(root, { recursive: true, force: true });
    },
  };
  return handle;
}

/** `count` ports whose cluster-bus ports (+10,000) are free as well, picked at random in 20,000–45,000. */
async function freeClusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count && attempt < 500; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if (ports.includes(port) || ports.includes(port + 10_000) || ports.includes(port - 10_000)) {
      continue;
    }
    if ((await isFree(port)) && (await isFree(port + 10_000))) ports.push(port);
  }
  if (ports.length < count) throw new Error(`found only ${ports.length} of ${count} free ports`);
  return ports;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function waitForPing(node: NodeProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (node.child.exitCode !== null || node.child.signalCode !== null) {
      throw new Error(`redis-server on port ${node.port} exited: ${node.stderr}`);
    }
    const redis = new Redis({
      host: '127.0.0.1',
      port: node.port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => {});
    try {
      await redis.connect();
      if ((await redis.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      redis.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server on port ${node.port} did not answer PING within 10 s`);
}

async function stopNode(node: NodeProcess): Promise<void> {
  const { child } = node;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // A SIGSTOPped node ignores SIGTERM until continued.
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
