/**
 * @mlsd/tf: which TensorFlow.js backend runs mlsd's models (tfjs-node → WebAssembly → cpu), in
 * one place. Only the packages that run models depend on it. The tfjs namespace itself is in
 * `@mlsd/tf/tfjs`.
 * @packageDocumentation
 */

export type { BackendInfo, BackendName, InitBackendOptions } from './backend.js';
export { currentBackend, initBackend } from './backend.js';
