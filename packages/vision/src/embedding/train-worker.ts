/**
 * Worker-thread side of data-parallel embedder training (see `trainImageEmbedder`'s
 * `workers`): holds one {@link EmbedderReplica} on its own TensorFlow.js backend and answers
 * the messages of {@link TrainWorkerRequest}, in order.
 */
import { parentPort } from 'node:worker_threads';
import { initBackend } from '@mlsd/tf';
import { EmbedderReplica, type ReplicaConfig } from './embedder-replica.js';

/** Messages the training thread sends to a worker. */
export type TrainWorkerRequest =
  | { type: 'init'; config: ReplicaConfig }
  | { type: 'gradients'; images: Float32Array; labels: Int32Array; count: number; seed: number }
  | { type: 'apply'; gradients: Float32Array[]; learningRate: number }
  | { type: 'parameters' };

/** What a worker answers ('apply' gets no answer). */
export type TrainWorkerReply =
  | { type: 'ready' }
  | { type: 'gradients'; loss: number; gradients: Float32Array[] }
  | { type: 'parameters'; values: Float32Array[] }
  | { type: 'error'; message: string };

const port = parentPort;
if (port !== null) {
  let replica: EmbedderReplica | undefined;
  const reply = (message: TrainWorkerReply, transfer: ArrayBuffer[] = []) =>
    port.postMessage(message, transfer);
  // Messages are handled strictly one after another (init is async).
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (request: TrainWorkerRequest) => {
    queue = queue.then(async () => {
      try {
        if (request.type === 'init') {
          await initBackend({ quiet: true });
          replica = new EmbedderReplica(request.config);
          reply({ type: 'ready' });
        } else if (replica === undefined) {
          throw new Error('train worker: got a request before init');
        } else if (request.type === 'gradients') {
          const result = replica.gradients(
            request.images,
            request.labels,
            request.count,
            request.seed,
          );
          reply(
            { type: 'gradients', ...result },
            result.gradients.map((g) => g.buffer as ArrayBuffer),
          );
        } else if (request.type === 'apply') {
          replica.apply(request.gradients, request.learningRate);
        } else {
          const values = replica.parameters();
          reply(
            { type: 'parameters', values },
            values.map((v) => v.buffer as ArrayBuffer),
          );
        }
      } catch (error) {
        reply({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      }
    });
  });
}
