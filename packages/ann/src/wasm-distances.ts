import { wasm as wasmEncoder } from '@mlsd/core';

const { encodeName, encodeSection, signedLeb, unsignedLeb } = wasmEncoder;

/**
 * Batched distance kernels in WebAssembly SIMD (f32x4), assembled here from opcodes, so a query
 * can be compared with many stored vectors without crossing into native code per value.
 *
 * The distance kernels take byte offsets into the module's (imported) memory:
 * `(query, base, ids, count, stride, out)`: for i < count, row = base + ids[i] · stride, and
 * - `l2*`: out[i] = Σ (query − row)², squared Euclidean distance;
 * - `ip*`: out[i] = 1 − Σ query · row, hnswlib's inner-product distance.
 * `stride` is the row size in bytes and must be a positive multiple of 64 (16 floats): rows
 * are zero-padded to it, which changes neither distance. `l2` / `ip` take eight rows per pass,
 * `…x4` four, `…x2` two and `…Single` one (`count` a multiple of that); {@link runKernels}
 * picks them for any count. `dot4` gives four queries' inner products with a block of rows
 * (the exact search's kernel).
 */

/** The parts of the WebAssembly API used here (the repo's TS lib has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** A distance kernel: `(query, base, ids, count, stride, out)`, byte offsets (see above). */
export type DistanceKernel = (
  query: number,
  base: number,
  ids: number,
  count: number,
  stride: number,
  out: number,
) => void;

/**
 * Runs `count` rows listed at `ids` through the widest kernels that fit: passes of eight,
 * then four, two and one, so every row's memory read overlaps with as many others as it can
 * without computing a row twice.
 */
export function runKernels(
  kernels: DistanceKernels,
  space: 'l2' | 'ip',
  query: number,
  base: number,
  ids: number,
  count: number,
  stride: number,
  out: number,
): void {
  const l2 = space === 'l2';
  let done = count - (count % 8);
  if (done > 0) (l2 ? kernels.l2 : kernels.ip)(query, base, ids, done, stride, out);
  if (count - done >= 4) {
    (l2 ? kernels.l2x4 : kernels.ipx4)(query, base, ids + 4 * done, 4, stride, out + 4 * done);
    done += 4;
  }
  if (count - done >= 2) {
    (l2 ? kernels.l2x2 : kernels.ipx2)(query, base, ids + 4 * done, 2, stride, out + 4 * done);
    done += 2;
  }
  if (count - done === 1) {
    (l2 ? kernels.l2Single : kernels.ipSingle)(
      query,
      base,
      ids + 4 * done,
      1,
      stride,
      out + 4 * done,
    );
  }
}

/** The kernels over one memory. */
export interface DistanceKernels {
  /** Memory the kernels read and write, sized when created. */
  readonly memory: WasmMemory;
  /** Squared L2 distances of `count` rows (indices at `ids`) to the query, into `out`. */
  l2(query: number, base: number, ids: number, count: number, stride: number, out: number): void;
  /** 1 − inner product of `count` rows with the query, into `out`. */
  ip(query: number, base: number, ids: number, count: number, stride: number, out: number): void;
  /** {@link l2} one row per pass: any `count`, for short lists of rows in cache. */
  l2Single(
    query: number,
    base: number,
    ids: number,
    count: number,
    stride: number,
    out: number,
  ): void;
  /** {@link ip} one row per pass: any `count`. */
  ipSingle(
    query: number,
    base: number,
    ids: number,
    count: number,
    stride: number,
    out: number,
  ): void;
  /** {@link l2} four rows per pass: `count` a multiple of 4. */
  l2x4: DistanceKernel;
  /** {@link ip} four rows per pass: `count` a multiple of 4. */
  ipx4: DistanceKernel;
  /** {@link l2} two rows per pass: `count` even. */
  l2x2: DistanceKernel;
  /** {@link ip} two rows per pass: `count` even. */
  ipx2: DistanceKernel;
  /**
   * Inner products of four queries with `rows` consecutive rows from `block`:
   * out[4r + i] = query_i · row r. Each row is loaded once for the four queries.
   */
  dot4(
    qa: number,
    qb: number,
    qc: number,
    qd: number,
    block: number,
    rows: number,
    stride: number,
    out: number,
  ): void;
}

/** Bytes of one f32x4 lane group times the unroll: rows are padded to this. */
export const STRIDE_ALIGN_BYTES = 64;
/** Rows `l2` and `ip` take per pass: their `count` must be a multiple of it. */
export const ROWS_PER_PASS = 8;

const I32 = 0x7f;
const V128 = 0x7b;

const get = (i: number) => [0x20, ...unsignedLeb(i)];
const set = (i: number) => [0x21, ...unsignedLeb(i)];
const tee = (i: number) => [0x22, ...unsignedLeb(i)];
const i32Const = (v: number) => [0x41, ...signedLeb(v)];
const simd = (op: number) => [0xfd, ...unsignedLeb(op)];
const v128Load = (offset: number) => [...simd(0x00), 4, ...unsignedLeb(offset)];
const F32X4_SPLAT = simd(0x13);
const f32x4Lane = (lane: number) => [...simd(0x1f), lane];
const F32X4_ADD = simd(0xe4);
const F32X4_SUB = simd(0xe5);
const F32X4_MUL = simd(0xe6);
const I32_ADD = [0x6a];
const I32_MUL = [0x6c];
const I32_SHL = [0x74];
const I32_LT_U = [0x49];
const I32_GE_U = [0x4f];
/** i32.load / f32.store with 4-byte alignment at a constant byte offset. */
const i32Load = (offset: number) => [0x28, 2, ...unsignedLeb(offset)];
const f32Store = (offset: number) => [0x38, 2, ...unsignedLeb(offset)];
const F32_ADD = [0x92];
const F32_SUB = [0x93];
const F32_ZERO = [0x43, 0, 0, 0, 0];
const F32_ONE = [0x43, 0x00, 0x00, 0x80, 0x3f];
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = [0x0b];
const br = (depth: number) => [0x0c, depth];
const brIf = (depth: number) => [0x0d, depth];

// Parameters of the distance kernels.
const Q = 0;
const BASE = 1;
const IDS = 2;
const COUNT = 3;
const STRIDE = 4;
const OUT = 5;

// Locals of the distance kernels: the row index and byte offset, then the row addresses,
// then per row its f32x4 sums, then the query chunk and a temporary.
const I = 6;
const J = 7;

/**
 * A distance kernel body, `rows` rows per pass with `sumsPerRow` running f32x4 sums each: the
 * rows share each query load and, more important, their memory reads overlap. A graph search
 * reads rows from random places in a large array, so one row at a time waits on memory for
 * most of each row; eight at a time (measured against one to six on Fashion-MNIST) cut the
 * search time by a third. `count` must be a multiple of `rows`.
 */
function multiKernelBody(kind: 'l2' | 'ip', rows: number, sumsPerRow: number): number[] {
  const x = (r: number) => 8 + r;
  const sum = (r: number, c: number) => 8 + rows + r * sumsPerRow + (c % sumsPerRow);
  const qv = 8 + rows + rows * sumsPerRow;
  const t = qv + 1;
  const inner: number[] = [];
  for (let c = 0; c < 4; c++) {
    inner.push(...get(Q), ...get(J), ...I32_ADD, ...v128Load(16 * c), ...set(qv));
    for (let r = 0; r < rows; r++) {
      inner.push(...get(sum(r, c)), ...get(x(r)), ...get(J), ...I32_ADD);
      inner.push(...v128Load(16 * c), ...get(qv));
      if (kind === 'l2') inner.push(...F32X4_SUB, ...tee(t), ...get(t), ...F32X4_MUL);
      else inner.push(...F32X4_MUL);
      inner.push(...F32X4_ADD, ...set(sum(r, c)));
    }
  }
  const setup: number[] = [];
  for (let r = 0; r < rows; r++) {
    // x_r = base + ids[i + r] * stride
    setup.push(...get(BASE), ...get(IDS), ...get(I), ...i32Const(2), ...I32_SHL);
    setup.push(...I32_ADD, ...i32Load(4 * r), ...get(STRIDE), ...I32_MUL, ...I32_ADD);
    setup.push(...set(x(r)));
  }
  setup.push(...F32_ZERO, ...F32X4_SPLAT);
  const sums = rows * sumsPerRow;
  for (let k = 0; k < sums - 1; k++) setup.push(...tee(8 + rows + k));
  setup.push(...set(8 + rows + sums - 1));
  const stores: number[] = [];
  for (let r = 0; r < rows; r++) {
    stores.push(...get(OUT), ...get(I), ...i32Const(2), ...I32_SHL, ...I32_ADD);
    if (kind === 'ip') stores.push(...F32_ONE);
    stores.push(...get(sum(r, 0)));
    for (let c = 1; c < sumsPerRow; c++) stores.push(...get(sum(r, c)), ...F32X4_ADD);
    stores.push(...tee(t), ...f32x4Lane(0));
    for (let lane = 1; lane < 4; lane++) stores.push(...get(t), ...f32x4Lane(lane), ...F32_ADD);
    if (kind === 'ip') stores.push(...F32_SUB);
    stores.push(...f32Store(4 * r));
  }
  const code = [
    ...BLOCK,
    ...LOOP,
    ...get(I),
    ...get(COUNT),
    ...I32_GE_U,
    ...brIf(1),
    ...setup,
    ...i32Const(0),
    ...set(J),
    ...LOOP,
    ...inner,
    ...get(J),
    ...i32Const(STRIDE_ALIGN_BYTES),
    ...I32_ADD,
    ...tee(J),
    ...get(STRIDE),
    ...I32_LT_U,
    ...brIf(0),
    ...END,
    ...stores,
    ...get(I),
    ...i32Const(rows),
    ...I32_ADD,
    ...set(I),
    ...br(0),
    ...END,
    ...END,
  ];
  const locals = [2, ...unsignedLeb(2 + rows), I32, ...unsignedLeb(sums + 2), V128];
  const body = [...locals, ...code, ...END];
  return [...unsignedLeb(body.length), ...body];
}

// Parameters and locals of dot4.
const QS = [0, 1, 2, 3];
const BLOCK_AT = 4;
const ROWS = 5;
const D4_STRIDE = 6;
const D4_OUT = 7;
const R = 8;
const D4_X = 9;
const D4_J = 10;
const D4_ACC = [11, 12, 13, 14];
const XV = 15;

/**
 * dot4(qa, qb, qc, qd, block, rows, stride, out): for r < rows, out[4r + i] = q_i · row r,
 * where row r starts at block + r · stride. Each row is loaded once for four queries.
 */
function dot4Body(): number[] {
  const inner: number[] = [];
  for (let c = 0; c < 4; c++) {
    inner.push(...get(D4_X), ...get(D4_J), ...I32_ADD, ...v128Load(16 * c), ...set(XV));
    QS.forEach((q, i) => {
      inner.push(...get(D4_ACC[i]!), ...get(q), ...get(D4_J), ...I32_ADD, ...v128Load(16 * c));
      inner.push(...get(XV), ...F32X4_MUL, ...F32X4_ADD, ...set(D4_ACC[i]!));
    });
  }
  const stores: number[] = [];
  D4_ACC.forEach((acc, i) => {
    stores.push(...get(D4_OUT), ...get(R), ...i32Const(4), ...I32_SHL, ...I32_ADD);
    stores.push(...get(acc), ...f32x4Lane(0), ...get(acc), ...f32x4Lane(1), ...F32_ADD);
    stores.push(...get(acc), ...f32x4Lane(2), ...F32_ADD, ...get(acc), ...f32x4Lane(3), ...F32_ADD);
    stores.push(...f32Store(4 * i));
  });
  const code = [
    ...BLOCK,
    ...LOOP,
    ...get(R),
    ...get(ROWS),
    ...I32_GE_U,
    ...brIf(1),
    ...get(BLOCK_AT),
    ...get(R),
    ...get(D4_STRIDE),
    ...I32_MUL,
    ...I32_ADD,
    ...set(D4_X),
    ...F32_ZERO,
    ...F32X4_SPLAT,
    ...tee(D4_ACC[0]!),
    ...tee(D4_ACC[1]!),
    ...tee(D4_ACC[2]!),
    ...set(D4_ACC[3]!),
    ...i32Const(0),
    ...set(D4_J),
    ...LOOP,
    ...inner,
    ...get(D4_J),
    ...i32Const(STRIDE_ALIGN_BYTES),
    ...I32_ADD,
    ...tee(D4_J),
    ...get(D4_STRIDE),
    ...I32_LT_U,
    ...brIf(0),
    ...END,
    ...stores,
    ...get(R),
    ...i32Const(1),
    ...I32_ADD,
    ...set(R),
    ...br(0),
    ...END,
    ...END,
  ];
  const locals = [2, ...unsignedLeb(3), I32, ...unsignedLeb(5), V128];
  const body = [...locals, ...code, ...END];
  return [...unsignedLeb(body.length), ...body];
}

function moduleBytes(): Uint8Array {
  const sixInts = [0x60, 6, I32, I32, I32, I32, I32, I32, 0];
  const eightInts = [0x60, 8, I32, I32, I32, I32, I32, I32, I32, I32, 0];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...encodeSection(1, [2, ...sixInts, ...eightInts]),
    // import env.memory: a memory with at least one page
    ...encodeSection(2, [1, ...encodeName('env'), ...encodeName('memory'), 0x02, 0x00, 1]),
    ...encodeSection(3, [9, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    ...encodeSection(7, [
      9,
      ...encodeName('l2x4'),
      0x00,
      5,
      ...encodeName('ipx4'),
      0x00,
      6,
      ...encodeName('l2x2'),
      0x00,
      7,
      ...encodeName('ipx2'),
      0x00,
      8,
      ...encodeName('l2'),
      0x00,
      0,
      ...encodeName('ip'),
      0x00,
      1,
      ...encodeName('dot4'),
      0x00,
      2,
      ...encodeName('l2Single'),
      0x00,
      3,
      ...encodeName('ipSingle'),
      0x00,
      4,
    ]),
    ...encodeSection(10, [
      9,
      ...multiKernelBody('l2', ROWS_PER_PASS, 1),
      ...multiKernelBody('ip', ROWS_PER_PASS, 1),
      ...dot4Body(),
      // One row per pass with four running sums: for short lists of rows already in cache.
      ...multiKernelBody('l2', 1, 4),
      ...multiKernelBody('ip', 1, 4),
      // Four and two rows per pass: for the rest of a list after the passes of eight.
      ...multiKernelBody('l2', 4, 1),
      ...multiKernelBody('ip', 4, 1),
      ...multiKernelBody('l2', 2, 2),
      ...multiKernelBody('ip', 2, 2),
    ]),
  ];
  return Uint8Array.from(bytes);
}

let compiled: object | undefined;

/**
 * Instantiates the kernels over a fresh memory of at least `bytes` bytes.
 * @throws RangeError when the memory cannot be that large (over 4 GiB, or refused).
 */
export function createDistanceKernels(bytes: number): DistanceKernels {
  compiled ??= new wasm.Module(moduleBytes());
  const pages = Math.max(1, Math.ceil(bytes / 65_536));
  const memory = new wasm.Memory({ initial: pages, maximum: pages });
  const instance = new wasm.Instance(compiled, { env: { memory } });
  const exports = instance.exports as unknown as Omit<DistanceKernels, 'memory'>;
  return {
    memory,
    l2: exports.l2,
    ip: exports.ip,
    dot4: exports.dot4,
    l2Single: exports.l2Single,
    ipSingle: exports.ipSingle,
    l2x4: exports.l2x4,
    ipx4: exports.ipx4,
    l2x2: exports.l2x2,
    ipx2: exports.ipx2,
  };
}

/** `dim` floats rounded up to whole {@link STRIDE_ALIGN_BYTES} rows, in bytes. */
export function paddedStride(dim: number): number {
  return Math.ceil((dim * 4) / STRIDE_ALIGN_BYTES) * STRIDE_ALIGN_BYTES;
}
