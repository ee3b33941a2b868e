/**
 * A small WebAssembly binary builder for code generated at run time, where a module is worth
 * compiling per use (the gradient-boosting trainer's histogram kernels, specialised per fit
 * to that fit's addresses). Static kernels are written as WebAssembly text (`*.wat`) instead.
 *
 * Locals are declared by name and type ({@link FunctionBuilder.local}) and instructions take
 * those handles, never bare indices; the module carries a `name` section, so
 * `wasm2wat` (and a snapshot test) prints the generated code with its local names. Follows the
 * WebAssembly 1.0 core specification, section 5 (binary format) and the name section of its
 * appendix (7.4).
 */

/** One encoded instruction or a run of them: plain bytes. */
export type Code = readonly number[];

/** Value types the builder knows. */
export type ValueType = 'i32' | 'f64';

const TYPE_CODES: Record<ValueType, number> = { i32: 0x7f, f64: 0x7c };

/** A parameter or local of a {@link FunctionBuilder}: pass it to `op.localGet` and friends. */
export interface Local {
  readonly index: number;
  readonly name: string;
  readonly type: ValueType;
}

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
function encodeName(text: string): number[] {
  const bytes = new TextEncoder().encode(text);
  return [...unsignedLeb(bytes.length), ...bytes];
}

function encodeSection(id: number, body: Code): number[] {
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
  localGet: (local: Local): Code => [0x20, ...unsignedLeb(local.index)],
  localSet: (local: Local): Code => [0x21, ...unsignedLeb(local.index)],
  localTee: (local: Local): Code => [0x22, ...unsignedLeb(local.index)],
  i32Const: (value: number): Code => [0x41, ...signedLeb(value)],
  f64Const: (value: number): Code => [0x44, ...new Uint8Array(Float64Array.of(value).buffer)],
  i32Load: (offset = 0): Code => [0x28, ...memarg(2, offset)],
  i32Load8U: (offset = 0): Code => [0x2d, ...memarg(0, offset)],
  f64Load: (offset = 0): Code => [0x2b, ...memarg(3, offset)],
  f64Store: (offset = 0): Code => [0x39, ...memarg(3, offset)],
  i32Add: [0x6a] as Code,
  i32Mul: [0x6c] as Code,
  i32Shl: [0x74] as Code,
  i32LtU: [0x49] as Code,
  i32GeU: [0x4f] as Code,
  f64Add: [0xa0] as Code,
  /** `block … end` with no result; `br_if 0` inside jumps to its end. */
  block: (...body: Code[]): Code => [0x02, 0x40, ...body.flat(), 0x0b],
  /** `loop … end` with no result; `br_if 0` inside jumps back to its start. */
  loop: (...body: Code[]): Code => [0x03, 0x40, ...body.flat(), 0x0b],
  brIf: (depth: number): Code => [0x0d, ...unsignedLeb(depth)],
} as const;

/**
 * One exported function: named, typed parameters, then locals declared as the code needs them.
 *
 * @example
 * ```ts
 * const fn = new FunctionBuilder('sum', { at: 'i32', end: 'i32' });
 * const total = fn.local('total', 'f64');
 * fn.emit(op.localGet(total));
 * ```
 */
export class FunctionBuilder<P extends Record<string, ValueType> = Record<string, ValueType>> {
  /** Export name. */
  readonly name: string;
  /** The parameters, by name (locals 0 … params − 1). */
  readonly params: { readonly [K in keyof P]: Local };
  readonly #results: readonly ValueType[];
  readonly #locals: Local[] = [];
  readonly #code: number[] = [];

  constructor(name: string, params: P, results: readonly ValueType[] = []) {
    this.name = name;
    const entries = Object.entries(params).map(([local, type], index) => ({
      index,
      name: local,
      type,
    }));
    this.params = Object.fromEntries(entries.map((local) => [local.name, local])) as {
      readonly [K in keyof P]: Local;
    };
    this.#locals.push(...entries);
    this.#results = results;
  }

  /** Declares a local after the parameters and the locals declared before it. */
  local(name: string, type: ValueType): Local {
    if (this.#locals.some((local) => local.name === name)) {
      throw new Error(`FunctionBuilder ${this.name}: local '${name}' is declared twice.`);
    }
    const local: Local = { index: this.#locals.length, name, type };
    this.#locals.push(local);
    return local;
  }

  /** Appends instructions to the body. */
  emit(...code: Code[]): this {
    for (const part of code) this.#code.push(...part);
    return this;
  }

  /** The function's type: `func (params) → (results)`. */
  encodeType(): number[] {
    const paramCount = Object.keys(this.params).length;
    const params = this.#locals.slice(0, paramCount).map((local) => [TYPE_CODES[local.type]]);
    return [0x60, ...vector(params), ...vector(this.#results.map((type) => [TYPE_CODES[type]]))];
  }

  /** The function's body entry of the code section. */
  encodeBody(): number[] {
    const paramCount = Object.keys(this.params).length;
    const declared = this.#locals.slice(paramCount).map((local) => [1, TYPE_CODES[local.type]]);
    const body = [...vector(declared), ...this.#code, 0x0b];
    return [...unsignedLeb(body.length), ...body];
  }

  /** Every local's index and name, for the name section. */
  encodeLocalNames(): number[] {
    return vector(
      this.#locals.map((local) => [...unsignedLeb(local.index), ...encodeName(local.name)]),
    );
  }
}

/**
 * Encodes a module that imports its linear memory as `env.memory` (at least one page) and
 * exports `functions` (one type each), with a `name` section naming functions and locals.
 */
export function encodeModule(
  functions: readonly Pick<
    FunctionBuilder,
    'name' | 'encodeType' | 'encodeBody' | 'encodeLocalNames'
  >[],
): Uint8Array {
  const imports = [[...encodeName('env'), ...encodeName('memory'), 0x02, 0x00, ...unsignedLeb(1)]];
  const exports = functions.map((fn, index) => [
    ...encodeName(fn.name),
    0x00,
    ...unsignedLeb(index),
  ]);
  const functionNames = vector(
    functions.map((fn, index) => [...unsignedLeb(index), ...encodeName(fn.name)]),
  );
  const localNames = vector(
    functions.map((fn, index) => [...unsignedLeb(index), ...fn.encodeLocalNames()]),
  );
  const names = [
    ...encodeName('name'),
    ...encodeSection(1, functionNames),
    ...encodeSection(2, localNames),
  ];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...encodeSection(1, vector(functions.map((fn) => fn.encodeType()))),
    ...encodeSection(2, vector(imports)),
    ...encodeSection(3, vector(functions.map((_, index) => unsignedLeb(index)))),
    ...encodeSection(7, vector(exports)),
    ...encodeSection(10, vector(functions.map((fn) => fn.encodeBody()))),
    ...encodeSection(0, names),
  ]);
}
