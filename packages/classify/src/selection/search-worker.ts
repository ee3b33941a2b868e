/**
 * Worker-thread side of `searchModels`: holds the searched data (shared memory, not copied),
 * imports the modules that register outside classifier kinds, then fits one candidate on one
 * fold per request and sends back the fold's scores.
 */
import { parentPort } from 'node:worker_threads';
import { type Matrix, toMatrix } from '@mlsd/core';
import { classifierRegistry } from '../registry/built-in-classifiers.js';
import { type FitOutcome, type FitTask, FoldCache, runFitTask } from './fit-task.js';

/** A matrix as shared typed arrays. */
export interface SharedMatrix {
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
  columnNames: readonly string[] | undefined;
}

/** The searched data as shared typed arrays (`X` … `columnNames`: the searched matrix). */
export interface SharedSearchData {
  X: Float32Array | Float64Array;
  rows: number;
  cols: number;
  columnNames: readonly string[] | undefined;
  y: Uint8Array;
  folds: { train: Int32Array; test: Int32Array; X?: SharedMatrix }[];
}

/** Messages the searching thread sends. */
export type SearchWorkerRequest =
  | { type: 'init'; data: SharedSearchData; modules: string[] }
  | { type: 'fit'; task: FitTask };

/** What a worker answers. */
export type SearchWorkerReply =
  | { type: 'ready' }
  | { type: 'fitted'; outcome: FitOutcome }
  | { type: 'error'; message: string };

const port = parentPort;
if (port !== null) {
  let folds: FoldCache | undefined;
  // Requests are handled strictly one after another (init is async).
  let queue: Promise<void> = Promise.resolve();
  const reply = (message: SearchWorkerReply, transfer: ArrayBuffer[] = []) =>
    port.postMessage(message, transfer);
  port.on('message', (request: SearchWorkerRequest) => {
    queue = queue.then(async () => {
      try {
        if (request.type === 'init') {
          for (const module of request.modules) await import(module);
          const { data } = request;
          const matrix = (m: SharedMatrix): Matrix =>
            toMatrix(m.data, m.rows, m.cols, m.columnNames);
          folds = new FoldCache({
            X: toMatrix(data.X, data.rows, data.cols, data.columnNames),
            y: data.y,
            folds: data.folds.map((fold) => ({
              train: fold.train,
              test: fold.test,
              ...(fold.X === undefined ? {} : { X: matrix(fold.X) }),
            })),
          });
          reply({ type: 'ready' });
        } else if (folds === undefined) {
          throw new Error('search worker: got a fit before init');
        } else {
          const outcome = await runFitTask(request.task, folds, classifierRegistry);
          reply(
            { type: 'fitted', outcome },
            outcome.scores === undefined ? [] : [outcome.scores.buffer as ArrayBuffer],
          );
        }
      } catch (error) {
        reply({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      }
    });
  });
}
