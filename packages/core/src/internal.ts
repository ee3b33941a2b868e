/**
 * @mlsd/core/internal: the machinery mlsd's own packages share — the WebAssembly assembler and
 * runtime behind the ann and classify kernels, and the fallback counter they report to. Not a
 * public API: it changes with the kernels, without a major version. Users read fallbacks through
 * `fallbackCounts` from `@mlsd/core`.
 * @packageDocumentation
 */

export { noteFallback } from './fallback.js';
export type { RegistryOptions } from './registry.js';
export { Registry } from './registry.js';
export type {
  Code as WasmCode,
  Local as WasmLocal,
  ValueType as WasmValueType,
} from './wasm-assembler.js';
export {
  encodeModule as encodeWasmModule,
  FunctionBuilder,
  op as wasmOp,
} from './wasm-assembler.js';
export type { WasmMemory, WasmModule } from './wasm-runtime.js';
export {
  compileWasm,
  createWasmMemory,
  decodeWasm,
  instantiateWasm,
  WASM_MAX_PAGES,
  WASM_PAGE_BYTES,
  wasmAvailable,
} from './wasm-runtime.js';
