import type { Worker } from 'node:worker_threads';
import {
  BackendUnavailableError,
  type ErrorCode,
  InvalidArgumentError,
  MlsdError,
  parseOptions,
} from '@mlsd/core';
import { z } from 'zod';
import type { ImageSpec } from '../image-spec.js';
import type {
  EmbedderSource,
  EmbedWorkerFailure,
  EmbedWorkerReply,
  EmbedWorkerRequest,
} from './embed-worker.js';
import {
  checkEmbedInput,
  type EmbedderInfo,
  type EmbedOptions,
  type ImageEmbedder,
} from './image-embedder.js';
import { startWorker } from './start-worker.js';

/** Options of {@link EmbedderPool.start}. */
export interface EmbedderPoolOptions {
  /** Worker threads, each with its own backend and copy of the model (default 1). */
  workers?: number | undefined;
  /**
   * Calls that may wait for a free worker (default 16); one more is refused at once with
   * {@link EmbedderBusyError}, so a burst of queries gets a quick "busy" rather than a growing
   * wait.
   */
  queue?: number | undefined;
  /**
   * Modules each worker imports before loading the embedder: where your
   * `registerEmbedderKind` calls live, for a kind of your own (URLs or absolute paths as
   * `import()` takes them).
   */
  modules?: readonly string[] | undefined;
}

const PoolOptionsSchema = z
  .object({
    workers: z.number().int().min(1).max(64).default(1),
    queue: z.number().int().min(0).max(100_000).default(16),
    modules: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** Every worker is busy and the pool's queue is full: retry later (HTTP 503). */
export class EmbedderBusyError extends BackendUnavailableError {
  constructor(workers: number, queue: number) {
    super(
      `All ${workers} embedding worker${workers === 1 ? ' is' : 's are'} busy and ${queue} call${queue === 1 ? '' : 's'} already wait; retry shortly, or start more workers.`,
      { workers, queue },
    );
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Request = DistributiveOmit<EmbedWorkerRequest, 'id'>;

/** A call waiting for a worker. */
type Job = {
  request: Request;
  onProgress: ((done: number) => void) | undefined;
  resolve: (reply: EmbedWorkerReply) => void;
  reject: (error: Error) => void;
};

/** One worker: loading its model, serving, or gone (its load failed after a crash). */
type Slot = {
  worker: Worker;
  state: 'starting' | 'ready' | 'dead';
  /** The request it runs now. */
  current: (Job & { id: number }) | undefined;
  nextId: number;
};

/**
 * An {@link ImageEmbedder} whose forward passes run in worker threads, each holding its own
 * copy of the model on its own backend: the calling thread (a server's event loop) only copies
 * pixels in and vectors out. A TensorFlow.js model on the wasm backend holds its thread for
 * the whole forward pass (~50–200 ms for MobileNetV2), and so does ONNX Runtime's `run`
 * (onnxruntime-node runs a session synchronously inside a `setImmediate`); in a worker, other
 * requests go on meanwhile. Calls are served in arrival order by the first free worker; at
 * most `queue` wait, and more are refused at once with {@link EmbedderBusyError}. A worker
 * that dies fails the call it ran and is replaced.
 */
export class EmbedderPool implements ImageEmbedder {
  readonly spec: ImageSpec;
  readonly dim: number;
  readonly info: EmbedderInfo;
  readonly #slots: Slot[];
  readonly #waiting: Job[] = [];
  readonly #queue: number;
  readonly #init: Request;
  #closing = false;
  #closed: Promise<void> | undefined;

  private constructor(
    slots: Slot[],
    ready: Extract<EmbedWorkerReply, { type: 'ready' }>,
    queue: number,
    init: Request,
  ) {
    this.#slots = slots;
    this.spec = ready.spec;
    this.dim = ready.dim;
    this.info = ready.info;
    this.#queue = queue;
    this.#init = init;
  }

  /**
   * Starts the workers and loads the embedder in each (they load in parallel).
   * @throws the loader's own typed error (unknown kind, missing files, version mismatch...).
   */
  static async start(
    source: EmbedderSource,
    options: EmbedderPoolOptions = {},
  ): Promise<EmbedderPool> {
    const parsed = parseOptions(PoolOptionsSchema, options, 'EmbedderPool');
    const init: Request = { type: 'init', source, modules: parsed.modules };
    const slots = Array.from({ length: parsed.workers }, () => newSlot());
    const results = await Promise.allSettled(slots.map((slot) => send(slot, init, undefined)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
      throw failed.reason;
    }
    const ready = (results[0] as PromiseFulfilledResult<EmbedWorkerReply>).value;
    if (ready.type !== 'ready') throw unexpected(ready);
    const pool = new EmbedderPool(slots, ready, parsed.queue, init);
    for (const slot of slots) {
      slot.state = 'ready';
      pool.#watch(slot);
    }
    return pool;
  }

  /** Worker threads. */
  get workers(): number {
    return this.#slots.length;
  }

  /** Calls running in a worker now, and calls waiting for one. */
  get load(): { running: number; waiting: number } {
    const running = this.#slots.filter((slot) => slot.current !== undefined).length;
    return { running, waiting: this.#waiting.length };
  }

  /**
   * Embeds in the first free worker (the pixels are copied to it).
   * @throws EmbedderBusyError when every worker is busy and the queue is full.
   * @throws InvalidArgumentError after {@link close}; BackendUnavailableError when a worker
   *   died during the call.
   */
  async embed(
    pixels: Float32Array,
    count: number,
    options: EmbedOptions = {},
  ): Promise<Float32Array> {
    checkEmbedInput(pixels, count, this.spec);
    if (count === 0) return new Float32Array(0);
    const reply = await this.#submit(
      {
        type: 'embed',
        pixels,
        count,
        ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      },
      options.onBatch,
    );
    if (reply.type !== 'embedded') throw unexpected(reply);
    return reply.vectors;
  }

  /** Has a worker write the embedder's files (queued like an embed, never refused as busy). */
  async saveTo(dir: string): Promise<void> {
    const reply = await this.#submit({ type: 'save', dir }, undefined, false);
    if (reply.type !== 'saved') throw unexpected(reply);
  }

  /**
   * Stops taking calls; calls already running or waiting finish, then the workers stop.
   * Resolves when they have.
   */
  close(): Promise<void> {
    this.#closing = true;
    this.#closed ??= new Promise<void>((resolve) => {
      const stop = () => {
        const busy = this.#slots.some((slot) => slot.current !== undefined);
        if (busy || this.#waiting.length > 0) {
          setTimeout(stop, 10).unref();
          return;
        }
        void Promise.all(this.#slots.map((slot) => slot.worker.terminate())).then(() => resolve());
      };
      stop();
    });
    return this.#closed;
  }

  /** {@link close} without waiting. */
  dispose(): void {
    void this.close();
  }

  #submit(
    request: Request,
    onProgress: ((done: number) => void) | undefined,
    refuseWhenFull = true,
  ): Promise<EmbedWorkerReply> {
    if (this.#closing) {
      return Promise.reject(
        new InvalidArgumentError('This embedder pool is closed; load the embedder again.'),
      );
    }
    if (this.#slots.every((slot) => slot.state === 'dead')) {
      return Promise.reject(workerFailure('every worker failed to restart'));
    }
    const idle = this.#slots.some((slot) => slot.state === 'ready' && slot.current === undefined);
    if (!idle && refuseWhenFull && this.#waiting.length >= this.#queue) {
      return Promise.reject(new EmbedderBusyError(this.#slots.length, this.#waiting.length));
    }
    return new Promise((resolve, reject) => {
      this.#waiting.push({ request, onProgress, resolve, reject });
      this.#dispatch();
    });
  }

  /** Hands waiting calls to free workers, oldest first. */
  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.state !== 'ready' || slot.current !== undefined) continue;
      const job = this.#waiting.shift();
      if (job === undefined) return;
      send(slot, job.request, job.onProgress)
        .then(job.resolve, job.reject)
        .finally(() => this.#dispatch());
    }
  }

  /** Replaces a worker that exits while the pool is open (its call already failed). */
  #watch(slot: Slot): void {
    slot.worker.once('exit', () => {
      if (this.#closing) return;
      slot.worker = startWorker('embed-worker');
      slot.state = 'starting';
      attach(slot);
      send(slot, this.#init, undefined).then(
        () => {
          slot.state = 'ready';
          this.#watch(slot);
          this.#dispatch();
        },
        () => {
          slot.state = 'dead';
          if (this.#slots.every((s) => s.state === 'dead')) {
            for (const job of this.#waiting.splice(0)) {
              job.reject(workerFailure('every worker failed to restart'));
            }
          }
        },
      );
    });
  }
}

function newSlot(): Slot {
  const slot: Slot = {
    worker: startWorker('embed-worker'),
    state: 'starting',
    current: undefined,
    nextId: 0,
  };
  attach(slot);
  return slot;
}

/**
 * Routes a worker's answers to the call it runs; its exit fails that call. The worker is held
 * (`ref`) only while a call runs, so an idle pool never keeps the process alive.
 */
function attach(slot: Slot): void {
  const { worker } = slot;
  worker.unref();
  let crash: Error | undefined;
  const finish = (settle: (job: Job) => void) => {
    const job = slot.current;
    if (job === undefined) return;
    slot.current = undefined;
    worker.unref();
    settle(job);
  };
  worker.on('message', (reply: EmbedWorkerReply) => {
    const job = slot.current;
    if (job === undefined || reply.id !== job.id) return;
    if (reply.type === 'progress') job.onProgress?.(reply.done);
    else if (reply.type === 'error') finish((j) => j.reject(rebuildError(reply.error)));
    else finish((j) => j.resolve(reply));
  });
  worker.on('error', (error) => {
    crash = error;
  });
  worker.on('exit', (code) => {
    const message = crash?.message ?? `exited with code ${code}`;
    finish((j) => j.reject(workerFailure(message, crash)));
  });
}

/** Sends one request to a free worker; resolves with its answer. */
function send(
  slot: Slot,
  request: Request,
  onProgress: ((done: number) => void) | undefined,
): Promise<EmbedWorkerReply> {
  return new Promise((resolve, reject) => {
    const id = ++slot.nextId;
    slot.current = { id, request, onProgress, resolve, reject };
    slot.worker.ref();
    slot.worker.postMessage({ ...request, id } satisfies EmbedWorkerRequest);
  });
}

function unexpected(reply: EmbedWorkerReply): Error {
  return new Error(`embed worker: unexpected ${reply.type} reply`);
}

function workerFailure(message: string, cause?: Error): BackendUnavailableError {
  return new BackendUnavailableError(
    `An embedding worker failed: ${message.replace(/\.\s*$/, '')}.`,
    {},
    cause === undefined ? undefined : { cause },
  );
}

/** The worker's error in this thread: an MlsdError keeps its code, name and details. */
function rebuildError(failure: EmbedWorkerFailure): Error {
  const error =
    failure.code === undefined
      ? new Error(failure.message)
      : new MlsdError(failure.code as ErrorCode, failure.message, failure.details);
  error.name = failure.name;
  return error;
}
