import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { BackendUnavailableError, type Matrix } from '@mlsd/core';
import type { ClassifierRegistry } from '../registry/classifier-registry.js';
import {
  type FitOutcome,
  type FitTask,
  FoldCache,
  runFitTask,
  type SearchData,
} from './fit-task.js';
import type {
  SearchWorkerReply,
  SearchWorkerRequest,
  SharedMatrix,
  SharedSearchData,
} from './search-worker.js';

/** Runs the fits of a search, one thread or many. */
export interface FitExecutor {
  /** Fits that can run at once. */
  readonly threads: number;
  run(task: FitTask): Promise<FitOutcome>;
  close(): Promise<void>;
}

/** Fits one after another in the calling thread (`workers: 0`). */
export class InThreadExecutor implements FitExecutor {
  readonly threads = 1;
  readonly #folds: FoldCache;
  readonly #registry: ClassifierRegistry;
  #last: Promise<unknown> = Promise.resolve();

  constructor(data: SearchData, registry: ClassifierRegistry) {
    this.#folds = new FoldCache(data);
    this.#registry = registry;
  }

  run(task: FitTask): Promise<FitOutcome> {
    // One fit at a time, even when the caller queues many: they would only interleave.
    const next = this.#last.then(() => runFitTask(task, this.#folds, this.#registry));
    this.#last = next;
    return next;
  }

  async close(): Promise<void> {
    await this.#last;
  }
}

/** A copy of `array` in shared memory (the array itself when it already is). */
function share<T extends Float32Array | Float64Array | Uint8Array | Int32Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const Type = array.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Type(new SharedArrayBuffer(array.byteLength));
  copy.set(array as never);
  return copy;
}

/**
 * Worker threads that fit candidates in parallel. The features, labels and fold rows go into
 * shared memory once; every worker reads them there and only the fold scores travel back.
 */
export class WorkerExecutor implements FitExecutor {
  readonly threads: number;
  readonly #workers: Worker[];
  readonly #idle: number[] = [];
  readonly #queue: {
    task: FitTask;
    resolve: (o: FitOutcome) => void;
    reject: (e: Error) => void;
  }[] = [];
  readonly #busy = new Map<
    number,
    { resolve: (o: FitOutcome) => void; reject: (e: Error) => void }
  >();
  #failure: Error | undefined;
  #closing = false;

  private constructor(workers: Worker[]) {
    this.#workers = workers;
    this.threads = workers.length;
  }

  /**
   * Starts `count` workers on `data`; each first imports `modules` (the files that register
   * outside classifier kinds).
   */
  static async start(data: SearchData, count: number, modules: string[]): Promise<WorkerExecutor> {
    const matrix = (m: Matrix): SharedMatrix => ({
      data: share(m.data),
      rows: m.rows,
      cols: m.cols,
      columnNames: m.columnNames,
    });
    const shared: SharedSearchData = {
      X: share(data.X.data),
      rows: data.X.rows,
      cols: data.X.cols,
      columnNames: data.X.columnNames,
      y: share(data.y),
      folds: data.folds.map((fold) => ({
        train: share(fold.train),
        test: share(fold.test),
        ...(fold.X === undefined ? {} : { X: matrix(fold.X) }),
      })),
    };
    const workers = Array.from({ length: count }, startSearchWorker);
    const executor = new WorkerExecutor(workers);
    try {
      await Promise.all(
        workers.map(
          (worker, i) =>
            new Promise<void>((resolve, reject) => {
              const onReply = (reply: SearchWorkerReply) => {
                worker.off('error', onError);
                if (reply.type === 'ready') resolve();
                else reject(workerError(i, reply.type === 'error' ? reply.message : reply.type));
              };
              const onError = (error: Error) => reject(workerError(i, error.message, error));
              worker.once('message', onReply);
              worker.once('error', onError);
              worker.postMessage({
                type: 'init',
                data: shared,
                modules,
              } satisfies SearchWorkerRequest);
            }),
        ),
      );
    } catch (error) {
      await executor.close();
      throw error;
    }
    workers.forEach((worker, i) => {
      executor.#listen(worker, i);
    });
    return executor;
  }

  run(task: FitTask): Promise<FitOutcome> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#queue.push({ task, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }

  #listen(worker: Worker, i: number): void {
    worker.on('message', (reply: SearchWorkerReply) => {
      const waiter = this.#busy.get(i);
      this.#busy.delete(i);
      this.#idle.push(i);
      if (reply.type === 'fitted') waiter?.resolve(reply.outcome);
      else waiter?.reject(workerError(i, reply.type === 'error' ? reply.message : reply.type));
      this.#dispatch();
    });
    const fail = (error: Error) => {
      this.#failure ??= workerError(i, error.message, error);
      this.#busy.get(i)?.reject(this.#failure);
      this.#busy.delete(i);
      for (const queued of this.#queue.splice(0)) queued.reject(this.#failure);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.#closing) fail(new Error(`exited with code ${code}`));
    });
    this.#idle.push(i);
  }

  #dispatch(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const i = this.#idle.shift()!;
      const { task, resolve, reject } = this.#queue.shift()!;
      this.#busy.set(i, { resolve, reject });
      this.#workers[i]!.postMessage({ type: 'fit', task } satisfies SearchWorkerRequest);
    }
  }
}

/**
 * Starts one search worker: the compiled search-worker.js beside this file, or, when running
 * from the TypeScript sources (tsx, vitest), search-worker.ts through a small bootstrap that
 * registers tsx's loader in the worker first (loader flags of the parent do not reach worker
 * threads on every Node version), with the source export condition.
 */
function startSearchWorker(): Worker {
  // Each worker would log its TensorFlow.js backend choice: keep their stderr to warnings.
  const level = process.env.MLSD_LOG_LEVEL === 'silent' ? 'silent' : 'warn';
  const env = { ...process.env, MLSD_LOG_LEVEL: level };
  const compiled = new URL('./search-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, { env });
  const source = new URL('./search-worker.ts', import.meta.url);
  let tsx = 'tsx/esm/api';
  try {
    // The ESM entry as seen from this package; some runners do not offer import.meta.resolve.
    tsx = import.meta.resolve?.('tsx/esm/api') ?? tsx;
  } catch {
    // Not resolvable from here: let the worker find it from the working directory.
  }
  const bootstrap = [
    "const { workerData } = require('node:worker_threads');",
    'import(workerData.tsx).then((tsx) => { tsx.register(); return import(workerData.entry); });',
  ].join('\n');
  return new Worker(bootstrap, {
    eval: true,
    workerData: { entry: source.href, tsx },
    execArgv: ['--conditions=@mlsd/source'],
    env,
  });
}

function workerError(worker: number, message: string, cause?: Error): BackendUnavailableError {
  return new BackendUnavailableError(
    `Model search worker ${worker} failed: ${message.replace(/\.\s*$/, '')}; search with workers: 0 to fit in this thread.`,
    { worker },
    cause === undefined ? undefined : { cause },
  );
}
