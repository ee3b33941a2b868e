/**
 * `@mlsd/tf/tfjs`: the TensorFlow.js namespace with the backend `initBackend()` chose. Its
 * declarations refer to `@tensorflow/tfjs-core`'s, which name DOM types (`HTMLImageElement`,
 * WebGPU's `GPUBuffer`…): a project that compiles against this entry needs the `DOM` lib or
 * `skipLibCheck`. The main entry, `@mlsd/tf`, needs neither.
 * @packageDocumentation
 */
import { BackendUnavailableError } from '@mlsd/core';
import type * as TfCore from '@tensorflow/tfjs-core';
import { initialisedTfjs } from './backend.js';

/** The `@tensorflow/tfjs-core` namespace type, as {@link getTf} returns it. */
export type Tf = typeof TfCore;

/**
 * The `@tensorflow/tfjs-core` namespace, with the backend chosen by `initBackend()` (from `@mlsd/tf`)
 * active.
 * @throws BackendUnavailableError when `initBackend()` has not completed yet.
 */
export function getTf(): Tf {
  const tf = initialisedTfjs();
  if (tf === undefined) {
    throw new BackendUnavailableError(
      'TensorFlow.js is not initialised: `await initBackend()` from @mlsd/tf before using ' +
        'tfjs (it picks the native, WebAssembly or JavaScript backend).',
    );
  }
  return tf as Tf;
}
