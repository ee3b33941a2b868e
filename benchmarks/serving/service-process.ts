import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
    execArgv: ['--import', 'tsx', '--conditions=@mlsd/source', ...profileArgs()],
    env: { ...process.env, MLSD_SERVE_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { url: string; pid: number }));
    child.once('exit', (code) =>
      reject(new Error(`The service child exited (code ${code}) before listening.`)),
    );
  });
  return { process: child, url: ready.url, pid: ready.pid };
}

/**
 * `--cpu-prof` for the child when MLSD_BENCH_CHILD_CPU_PROF names a folder: where the time of
 * the service goes under the bench's load (one `.cpuprofile` per child, written on exit).
 */
function profileArgs(): string[] {
  const folder = process.env.MLSD_BENCH_CHILD_CPU_PROF;
  return folder === undefined || folder === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${folder}`];
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
