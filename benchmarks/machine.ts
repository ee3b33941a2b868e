import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';

/**
 * The machine a benchmark ran on, recorded in every results file: figures are only comparable
 * within one run on one machine. The load average says whether other work was competing.
 */
export function describeMachine(): {
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
  loadAverage: number[];
} {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}
