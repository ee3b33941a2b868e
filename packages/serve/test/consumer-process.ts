import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FraudConsumerOptions } from '../src/stream/fraud-consumer.js';

const CHILD = fileURLToPath(new URL('./consumer-child.ts', import.meta.url));

/** A consumer running in a child process (see consumer-child.ts). */
export interface ConsumerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Base URL of its `/metrics` endpoint, when it was started with `metricsPort`. */
  readonly metricsUrl: string | undefined;
  /** Everything it wrote to stderr so far (JSON event lines). */
  readonly stderr: () => string;
  /** Everything it wrote to stdout so far ("ready …", and "stats {…}" after SIGTERM). */
  readonly stdout: () => string;
  /** Resolves with the exit code or signal once it has exited. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /** Sends the signal and, for SIGKILL/SIGTERM, waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `startFraudConsumer(options)` in a child process (node + tsx from source) and resolves
 * once it prints that it consumes; rejects with its stderr if it exits first.
 */
export async function spawnConsumer(
  options: Omit<FraudConsumerOptions, 'log'> & { consumer: string },
): Promise<ConsumerProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@mlsd/source', CHILD, JSON.stringify(options)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', () => {
      if (/^ready .*\n/m.test(stdout)) resolve();
    });
    void exited.then((code) =>
      reject(
        new Error(`consumer ${options.consumer} exited (${code}) before it was ready: ${stderr}`),
      ),
    );
  });
  const metricsUrl = /ready \S+ (http:\/\/\S+)/.exec(stdout)?.[1];
  return {
    name: options.consumer,
    child,
    metricsUrl,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      if (signal === 'SIGKILL' || signal === 'SIGTERM') await exited;
    },
  };
}
