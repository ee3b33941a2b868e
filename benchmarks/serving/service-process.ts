import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceNodeFlags } from '@mlsd/serve';

const root = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));

/** The service running in a child process (service-child.ts). */
export interface ServiceProcess {
  process: ChildProcess;
  url: string;
  pid: number;
}

/**
 * Starts `createService(options)` in a child process listening on a free loopback port, so the
 * load generator does not share its event loop; resolves once it listens.
 */
export async function startServiceProcess(
  options: Record<string, unknown>,
): Promise<ServiceProcess> {
  const child = fork(join(here, 'service-child.ts'), [], {
    cwd: root,
    // The service's own Node flags, as `mlsd serve` starts it (its young-generation size).
    execArgv: [
      '--import',
      'tsx',
      '--conditions=@mlsd/source',
      ...serviceNodeFlags(),
      ...profileArgs(),
      ...extraFlags(),
    ],
    env: { ...process.env, MLSD_SERVE_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { url: string; pid: number }));
    child.once('exit', (code) =>
      reject(new Error(`The service child exited (code ${code}) before listening.`)),
    );
  });
  pinToCpus(ready.pid, process.env.MLSD_BENCH_SERVICE_CPUS);
  return { process: child, url: ready.url, pid: ready.pid };
}

/**
 * Pins every thread of process `pid` to the CPU list `cpus` (taskset's syntax, e.g. "1") when
 * given. With MLSD_BENCH_SERVICE_CPUS and MLSD_BENCH_CLIENT_CPUS the service and the load
 * generator get cores of their own, as they would on separate hosts; unset, the scheduler shares
 * every core among them (the default). Fails loudly when taskset cannot apply the list.
 */
export function pinToCpus(pid: number, cpus: string | undefined): void {
  if (cpus === undefined || cpus === '') return;
  const result = spawnSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus, String(pid)], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(
      `taskset could not pin pid ${pid} to CPUs "${cpus}": ${result.stderr || result.error}`,
    );
  }
}

/**
 * `--cpu-prof` for the child when MLSD_BENCH_CHILD_CPU_PROF names a folder: where the time of
 * the service goes under the bench's load (one `.cpuprofile` per child, written on exit).
 */
function profileArgs(): string[] {
  const folder = process.env.MLSD_BENCH_CHILD_CPU_PROF;
  return folder === undefined || folder === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${folder}`];
}

/**
 * Extra Node/V8 flags for the child from MLSD_BENCH_CHILD_NODE_FLAGS (space-separated, e.g.
 * "--trace-gc"): for looking into the service under the bench's load. Given last, they override
 * the service's own (e.g. "--max-semi-space-size=16", Node's default, to compare).
 */
function extraFlags(): string[] {
  return (process.env.MLSD_BENCH_CHILD_NODE_FLAGS ?? '').split(/\s+/).filter((flag) => flag !== '');
}

/** A positive number from the environment variable `name`, or `fallback` when unset. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number, got "${raw}".`);
  }
  return value;
}
