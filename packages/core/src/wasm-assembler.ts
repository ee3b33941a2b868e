/**
 * A minimal WebAssembly binary encoder, enough to write small numeric kernels (the
 * gradient-boosting trainer's histograms in @mlsd/classify, the distance kernels of @mlsd/ann)
 * as readable instruction lists instead of shipping opaque bytes. Exported from @mlsd/core as
 * the `wasm` namespace. It follows the WebAssembly 1.0 core specification, section 5
 * (binary format): LEB128 integers, typed sections, one imported linear memory.
 */

/** One encoded instruction or a run of them: plain bytes. */
export type Code = readonly number[];

/** Value types of the binary format. */
export const I32 = 0x7f;
/** 64-bit float value type. */
export const F64 = 0x7c;

/** Unsigned LEB128 encoding of a non-negative 32-bit integer. */
export function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}

/** Signed LEB128 encoding of a 32-bit integer. */
export function signedLeb(value: number): number[] {
  const out: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function vector(items: readonly Code[]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

/** A name as the binary format stores it: byte length, then UTF-8 bytes. */
export function encodeName(text: string): number[] {
  const bytes = new TextEncoder().encode(text);
  return [...unsignedLeb(bytes.length), ...bytes];
}

/** A section: its id, byte length, then `body`. */
export function encodeSection(id: number, body: Code): number[] {
  return [id, ...unsignedLeb(body.length), ...body];
}

/** Byte offset and alignment (log2) of a memory access. */
function memarg(alignLog2: number, offset: number): number[] {
  return [...unsignedLeb(alignLog2), ...unsignedLeb(offset)];
}

/**
 * Instructions, named as in the text format (`local.get` → `localGet`). Memory accesses take
 * a constant byte offset added to the address on the stack.
 */
export const op = {
  localGet: (index: number): Code => [0x20, ...unsignedLeb(index)],
  localSet: (index: number): Code => [0x21, ...unsignedLeb(index)],
  localTee: (index: number): Code => [0x22, ...unsignedLeb(index)],
  i32Const: (value: number): Code => [0x41, ...signedLeb(value)],
  f64Const: (value: number): Code => [0x44, ...new Uint8Array(Float64Array.of(value).buffer)],
  i32Load: (offset = 0): Code => [0x28, ...memarg(2, offset)],
  i32Load8U: (offset = 0): Code => [0x2d, ...memarg(0, offset)],
  f64Load: (offset = 0): Code => [0x2b, ...memarg(3, offset)],
  i32Store: (offset = 0): Code => [0x36, ...memarg(2, offset)],
  f64Store: (offset = 0): Code => [0x39, ...memarg(3, offset)],
  i32Add: [0x6a] as Code,
  i32Sub: [0x6b] as Code,
  i32Mul: [0x6c] as Code,
  i32Shl: [0x74] as Code,
  i32LtU: [0x49] as Code,
  i32GeU: [0x4f] as Code,
  i32LeU: [0x4d] as Code,
  f64Add: [0xa0] as Code,
  /** `block … end` with no result; `br 0` inside jumps to its end. */
  block: (...body: Code[]): Code => [0x02, 0x40, ...body.flat(), 0x0b],
  /** `loop … end` with no result; `br 0` inside jumps back to its start. */
  loop: (...body: Code[]): Code => [0x03, 0x40, ...body.flat(), 0x0b],
  br: (depth: number): Code => [0x0c, ...unsignedLeb(depth)],
  brIf: (depth: number): Code => [0x0d, ...unsignedLeb(depth)],
} as const;

/** One exported function of a module built by {@link encodeModule}. */
export interface WasmFunction {
  /** Export name. */
  readonly name: string;
  /** Parameter types (locals 0..params.length−1). */
  readonly params: readonly number[];
  /** Result types; none when omitted. */
  readonly results?: readonly number[];
  /** Types of the further locals, numbered after the parameters. */
  readonly locals: readonly number[];
  /** Instructions (without the final `end`). */
  readonly body: readonly Code[];
}

/**
 * Encodes a module that imports its linear memory as `env.memory` (at least one page) and
 * exports `functions`, each with its own type (no type sharing: a few bytes more, simpler).
 */
export function encodeModule(functions: readonly WasmFunction[]): Uint8Array {
  const types = functions.map((fn) => [
    0x60,
    ...vector(fn.params.map((type) => [type])),
    ...vector((fn.results ?? []).map((type) => [type])),
  ]);
  const imports = [[...encodeName('env'), ...encodeName('memory'), 0x02, 0x00, ...unsignedLeb(1)]];
  const declarations = functions.map((_, index) => unsignedLeb(index));
  const exports = functions.map((fn, index) => [
    ...encodeName(fn.name),
    0x00,
    ...unsignedLeb(index),
  ]);
  const bodies = functions.map((fn) => {
    const locals = vector(fn.locals.map((type) => [1, type]));
    const code = [...locals, ...fn.body.flat(), 0x0b];
    return [...unsignedLeb(code.length), ...code];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...encodeSection(1, vector(types)),
    ...encodeSection(2, vector(imports)),
    ...encodeSection(3, vector(declarations)),
    ...encodeSection(7, vector(exports)),
    ...encodeSection(10, vector(bodies)),
  ]);
}
