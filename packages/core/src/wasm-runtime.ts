/**
 * Loading and running the repo's WebAssembly kernels: their compiled bytes ship inside the
 * packages as base64 modules generated from WebAssembly text (`*.wat` → `*.wasm.ts`, see
 * `scripts/build-wasm.ts`), so nothing is compiled on a user's machine.
 */

/** A WebAssembly linear memory: its bytes, shared with the kernels. */
export interface WasmMemory {
  /** The current bytes (a new buffer after each {@link grow}: re-create views then). */
  readonly buffer: ArrayBuffer;
  /** Adds `pages` pages of 64 KiB; returns the previous size in pages. Throws RangeError past the maximum. */
  grow(pages: number): number;
}

/** A compiled module, ready to instantiate on a memory. */
export type WasmModule = object;

/**
 * The part of the WebAssembly JS API used here, typed locally: the project compiles without the
 * DOM library, whose declarations these are.
 */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}

/** Read at each use, so a runtime (or a test) without WebAssembly is seen as such. */
function api(): WebAssemblyApi | undefined {
  return (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
}

/** Bytes of one WebAssembly memory page. */
export const WASM_PAGE_BYTES = 65_536;
/** Pages of the largest memory a wasm32 module can address (4 GiB). */
export const WASM_MAX_PAGES = 65_536;

/** True where the runtime has WebAssembly (Node has it; some locked-down runtimes do not). */
export function wasmAvailable(): boolean {
  return api() !== undefined;
}

function requireApi(): WebAssemblyApi {
  const found = api();
  if (found === undefined) throw new Error('WebAssembly is not available in this runtime.');
  return found;
}

/** The bytes of a module stored as base64 in a generated `*.wasm.ts` file. */
export function decodeWasm(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * Compiles module bytes.
 * @throws Error when WebAssembly is unavailable; CompileError when the bytes are not a module
 * this runtime accepts (for example one using SIMD on a runtime without it).
 */
export function compileWasm(bytes: Uint8Array): WasmModule {
  return new (requireApi().Module)(bytes);
}

/**
 * A memory of at least `bytes` bytes (whole 64 KiB pages), growable to `maximumBytes`
 * (default: the same size, fixed).
 * @throws RangeError when the memory cannot be reserved.
 */
export function createWasmMemory(bytes: number, maximumBytes = bytes): WasmMemory {
  const initial = Math.max(1, Math.ceil(bytes / WASM_PAGE_BYTES));
  const maximum = Math.min(
    WASM_MAX_PAGES,
    Math.max(initial, Math.ceil(maximumBytes / WASM_PAGE_BYTES)),
  );
  return new (requireApi().Memory)({ initial, maximum });
}

/** Instantiates `module` on `memory` (imported as `env.memory`) and returns its exports. */
export function instantiateWasm<T>(module: WasmModule, memory: WasmMemory): T {
  return new (requireApi().Instance)(module, { env: { memory } }).exports as T;
}
