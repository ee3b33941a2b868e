/**
 * Worker-thread side of {@link EmbedderPool}: loads one embedder on its own backend (a
 * TensorFlow.js wasm backend, an ONNX Runtime session) and embeds the batches the pool sends,
 * one request at a time, so the thread that serves requests never runs a forward pass.
 */
import { parentPort } from 'node:worker_threads';
import { isMlsdError } from '@mlsd/core';
import type { ImageSpec } from '../image-spec.js';
import {
  type LoadEmbedderOptions,
  loadImageEmbedder,
  reloadEmbedder,
} from './embedder-registry.js';
import type { EmbedderInfo, ImageEmbedder } from './image-embedder.js';

/** Where a pool's workers load their embedder from. */
export type EmbedderSource =
  /** A saved embedder (an index's `embedder/` folder) and the info it was saved with. */
  | { dir: string; info: EmbedderInfo }
  /** A model folder or file, as `loadImageEmbedder` takes it. */
  | { path: string; options?: LoadEmbedderOptions | undefined };

/** Messages the pool sends to a worker; `id` pairs a request with its answer. */
export type EmbedWorkerRequest =
  | { type: 'init'; id: number; source: EmbedderSource; modules: readonly string[] }
  | { type: 'embed'; id: number; pixels: Float32Array; count: number; batchSize?: number }
  | { type: 'save'; id: number; dir: string };

/** A failure, with what is needed to rebuild the typed error in the pool's thread. */
export interface EmbedWorkerFailure {
  name: string;
  message: string;
  code: string | undefined;
  details: Record<string, unknown>;
}

/** What a worker answers. */
export type EmbedWorkerReply =
  | { type: 'ready'; id: number; spec: ImageSpec; dim: number; info: EmbedderInfo }
  | { type: 'progress'; id: number; done: number }
  | { type: 'embedded'; id: number; vectors: Float32Array }
  | { type: 'saved'; id: number }
  | { type: 'error'; id: number; error: EmbedWorkerFailure };

const port = parentPort;
if (port !== null) {
  let embedder: ImageEmbedder | undefined;
  const reply = (message: EmbedWorkerReply, transfer: ArrayBuffer[] = []) =>
    port.postMessage(message, transfer);
  const handle = async (request: EmbedWorkerRequest): Promise<void> => {
    if (request.type === 'init') {
      // The modules register the kinds this process registered itself (registerEmbedderKind).
      for (const module of request.modules) await import(module);
      const { source } = request;
      embedder =
        'dir' in source
          ? await reloadEmbedder(source.dir, source.info)
          : await loadImageEmbedder(source.path, source.options);
      const { spec, dim, info } = embedder;
      reply({ type: 'ready', id: request.id, spec, dim, info });
      return;
    }
    if (embedder === undefined) throw new Error('embed worker: got a request before init');
    if (request.type === 'embed') {
      const { id } = request;
      const vectors = await embedder.embed(request.pixels, request.count, {
        batchSize: request.batchSize,
        onBatch: (done) => reply({ type: 'progress', id, done }),
      });
      reply({ type: 'embedded', id, vectors }, [vectors.buffer as ArrayBuffer]);
    } else {
      await embedder.saveTo(request.dir);
      reply({ type: 'saved', id: request.id });
    }
  };
  // The pool sends a worker one request at a time; the chain only orders init before the rest.
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (request: EmbedWorkerRequest) => {
    chain = chain.then(() =>
      handle(request).catch((error: unknown) => {
        reply({ type: 'error', id: request.id, error: failureOf(error) });
      }),
    );
  });
}

function failureOf(error: unknown): EmbedWorkerFailure {
  if (!(error instanceof Error)) {
    return { name: 'Error', message: String(error), code: undefined, details: {} };
  }
  return {
    name: error.name,
    message: error.message,
    code: isMlsdError(error) ? error.code : undefined,
    details: isMlsdError(error) ? { ...error.details } : {},
  };
}
