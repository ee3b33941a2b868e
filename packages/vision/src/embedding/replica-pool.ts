import type { Worker } from 'node:worker_threads';
import { BackendUnavailableError, InvalidArgumentError } from '@mlsd/core';
import type { ReplicaConfig, ReplicaGradients } from './embedder-replica.js';
import { startWorker } from './start-worker.js';
import type { TrainWorkerReply, TrainWorkerRequest } from './train-worker.js';

/**
 * Embedder replicas in worker threads, one backend each, trained data-parallel: every step
 * splits the batch between them, averages their gradients (weighted by share) and has every
 * replica apply the average, so all keep the same weights. The training thread only slices
 * batches and adds up gradients.
 */
export class ReplicaPool {
  readonly #workers: Worker[];
  readonly #pending: {
    resolve: (reply: TrainWorkerReply) => void;
    reject: (error: Error) => void;
  }[][];

  private constructor(workers: Worker[]) {
    this.#workers = workers;
    this.#pending = workers.map(() => []);
    workers.forEach((worker, i) => {
      worker.on('message', (reply: TrainWorkerReply) => {
        const waiter = this.#pending[i]!.shift();
        if (reply.type === 'error') waiter?.reject(workerError(i, reply.message));
        else waiter?.resolve(reply);
      });
      const fail = (error: Error) => {
        for (const waiter of this.#pending[i]!.splice(0)) {
          waiter.reject(workerError(i, error.message, error));
        }
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    });
  }

  /** Starts `count` workers, each building the replica `config` describes. */
  static async start(config: ReplicaConfig, count: number): Promise<ReplicaPool> {
    if (!Number.isInteger(count) || count < 2) {
      throw new InvalidArgumentError(`A replica pool needs at least 2 workers, got ${count}.`);
    }
    const workers = Array.from({ length: count }, () => startWorker('train-worker'));
    const pool = new ReplicaPool(workers);
    try {
      await Promise.all(workers.map((_, i) => pool.#request(i, { type: 'init', config })));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /**
   * One data-parallel step on `count` images: gradients on each worker's share, their
   * weighted mean applied on every worker with `learningRate`. Returns the batch's mean loss
   * and the averaged gradients.
   * @param seed dropout seed of the step; worker i uses seed + i.
   */
  async step(
    images: Float32Array,
    labels: Int32Array,
    count: number,
    seed: number,
    learningRate: number,
  ): Promise<ReplicaGradients> {
    const n = this.#workers.length;
    const size = images.length / labels.length;
    const shares = Array.from({ length: n }, (_, i) => {
      const start = Math.floor((i * count) / n);
      return { start, end: Math.floor(((i + 1) * count) / n) };
    });
    const replies = await Promise.all(
      shares.map(({ start, end }, i) => {
        const shareImages = images.slice(start * size, end * size);
        const shareLabels = labels.slice(start, end);
        return this.#request(
          i,
          {
            type: 'gradients',
            images: shareImages,
            labels: shareLabels,
            count: end - start,
            seed: seed + i,
          },
          [shareImages.buffer, shareLabels.buffer],
        );
      }),
    );
    let loss = 0;
    let gradients: Float32Array[] = [];
    replies.forEach((reply, i) => {
      if (reply.type !== 'gradients') throw workerError(i, `unexpected ${reply.type} reply`);
      const weight = (shares[i]!.end - shares[i]!.start) / count;
      loss += weight * reply.loss;
      if (i === 0) gradients = reply.gradients.map((g) => new Float32Array(g.length));
      reply.gradients.forEach((g, j) => {
        const sum = gradients[j]!;
        for (let k = 0; k < g.length; k++) sum[k]! += weight * g[k]!;
      });
    });
    for (let i = 0; i < n; i++) {
      this.#workers[i]!.postMessage({
        type: 'apply',
        gradients,
        learningRate,
      } satisfies TrainWorkerRequest);
    }
    return { loss, gradients };
  }

  /** The current weights (every replica holds the same). */
  async parameters(): Promise<Float32Array[]> {
    const reply = await this.#request(0, { type: 'parameters' });
    if (reply.type !== 'parameters') throw workerError(0, `unexpected ${reply.type} reply`);
    return reply.values;
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }

  #request(
    worker: number,
    request: TrainWorkerRequest,
    transfer: ArrayBuffer[] = [],
  ): Promise<TrainWorkerReply> {
    return new Promise((resolve, reject) => {
      this.#pending[worker]!.push({ resolve, reject });
      this.#workers[worker]!.postMessage(request, transfer);
    });
  }
}

/** A worker's failure, with what to do about it. */
function workerError(worker: number, message: string, cause?: Error): BackendUnavailableError {
  return new BackendUnavailableError(
    `Training worker ${worker} failed: ${message.replace(/\.\s*$/, '')}; train with workers: 1 (--workers 1) to stay in this thread.`,
    { worker },
    cause === undefined ? undefined : { cause },
  );
}
