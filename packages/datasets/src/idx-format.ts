import { gunzipSync } from 'node:zlib';
import { CorruptFileError, InvalidArgumentError } from '@mlsd/core';

/** Element types of the IDX format, by type code. */
export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** An IDX array: its element type, its dimensions and its values (row-major). */
export interface IdxArray {
  dtype: IdxDtype;
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/**
 * Largest IDX payload {@link parseIdx} inflates by default: 512 MiB, ten times Fashion-MNIST's
 * largest file (47 MB), so a small gzip that inflates to gigabytes (a decompression bomb) is
 * refused instead of filling memory.
 */
export const DEFAULT_MAX_IDX_BYTES = 512 * 1024 * 1024;

const TYPES: Readonly<Record<number, { dtype: IdxDtype; bytes: number }>> = {
  8: { dtype: 'uint8', bytes: 1 },
  9: { dtype: 'int8', bytes: 1 },
  11: { dtype: 'int16', bytes: 2 },
  12: { dtype: 'int32', bytes: 4 },
  13: { dtype: 'float32', bytes: 4 },
  14: { dtype: 'float64', bytes: 8 },
};

/**
 * Parses IDX bytes (gzipped or not: the gzip magic 1f 8b is detected, not the file name).
 * Layout: two zero bytes, a type code, the number of dimensions, each dimension as a
 * big-endian uint32, then the values, big-endian. Every inconsistency is a
 * {@link CorruptFileError} naming `source` and saying what was expected; so is a gzip stream
 * that would inflate past `expect.maxBytes` (default {@link DEFAULT_MAX_IDX_BYTES}).
 */
export function parseIdx(
  bytes: Uint8Array,
  source = '<idx bytes>',
  expect: { dims?: number; maxBytes?: number } = {},
): IdxArray {
  const raw = isGzip(bytes)
    ? gunzip(bytes, source, expect.maxBytes ?? DEFAULT_MAX_IDX_BYTES)
    : bytes;
  if (raw.length < 4) {
    throw new CorruptFileError(
      `${source}: ${raw.length} bytes is too short for an IDX header (truncated?).`,
      { file: source },
    );
  }
  if (raw[0] !== 0 || raw[1] !== 0) {
    throw new CorruptFileError(
      `${source}: bad magic number 0x${hex(raw, 0, 4)}; an IDX file starts with two zero bytes (is this an IDX file?).`,
      { file: source },
    );
  }
  const type = TYPES[raw[2]!];
  if (type === undefined) {
    throw new CorruptFileError(
      `${source}: unknown IDX type code 0x${raw[2]!.toString(16).padStart(2, '0')}.`,
      { file: source },
    );
  }
  const dims = raw[3]!;
  if (dims === 0)
    throw new CorruptFileError(`${source}: an IDX array needs at least one dimension.`, {
      file: source,
    });
  if (expect.dims !== undefined && dims !== expect.dims) {
    throw new CorruptFileError(`${source}: has ${dims} dimensions, expected ${expect.dims}.`, {
      file: source,
    });
  }
  const headerBytes = 4 + 4 * dims;
  if (raw.length < headerBytes) {
    throw new CorruptFileError(
      `${source}: the header needs ${headerBytes} bytes for ${dims} dimensions, the file has ${raw.length} (truncated?).`,
      { file: source },
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < dims; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    shape.push(size);
    count *= size;
  }
  const expected = count * type.bytes;
  const actual = raw.length - headerBytes;
  if (actual !== expected) {
    throw new CorruptFileError(
      `${source}: expected ${expected.toLocaleString('en-US')} bytes of data after the header for shape ` +
        `[${shape.join(', ')}] ${type.dtype}, found ${actual.toLocaleString('en-US')} ` +
        `(${actual < expected ? 'truncated?' : 'extra bytes at the end'}).`,
      { file: source, expected, actual },
    );
  }
  return { dtype: type.dtype, shape, data: readValues(view, headerBytes, count, type.dtype) };
}

/** Serialises an array to IDX bytes (big-endian), gzipped when asked. */
export function encodeIdx(array: IdxArray): Uint8Array {
  const entry = Object.entries(TYPES).find(([, t]) => t.dtype === array.dtype);
  if (entry === undefined)
    throw new InvalidArgumentError(`encodeIdx: unknown dtype ${array.dtype}.`);
  const [code, { bytes }] = entry;
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) {
    throw new InvalidArgumentError(
      `encodeIdx: shape [${array.shape.join(', ')}] holds ${count} values, data has ${array.data.length}.`,
    );
  }
  const header = 4 + 4 * array.shape.length;
  const out = new Uint8Array(header + count * bytes);
  const view = new DataView(out.buffer);
  out[2] = Number(code);
  out[3] = array.shape.length;
  array.shape.forEach((size, d) => {
    view.setUint32(4 + 4 * d, size, false);
  });
  for (let i = 0; i < count; i++) writeValue(view, header + i * bytes, array.dtype, array.data[i]!);
  return out;
}

function readValues(
  view: DataView,
  offset: number,
  count: number,
  dtype: IdxDtype,
): IdxArray['data'] {
  if (dtype === 'uint8')
    return new Uint8Array(view.buffer, view.byteOffset + offset, count).slice();
  if (dtype === 'int8') return new Int8Array(view.buffer, view.byteOffset + offset, count).slice();
  const out =
    dtype === 'int16'
      ? new Int16Array(count)
      : dtype === 'int32'
        ? new Int32Array(count)
        : dtype === 'float32'
          ? new Float32Array(count)
          : new Float64Array(count);
  const width = out.BYTES_PER_ELEMENT;
  for (let i = 0; i < count; i++) {
    const at = offset + i * width;
    out[i] =
      dtype === 'int16'
        ? view.getInt16(at, false)
        : dtype === 'int32'
          ? view.getInt32(at, false)
          : dtype === 'float32'
            ? view.getFloat32(at, false)
            : view.getFloat64(at, false);
  }
  return out;
}

function writeValue(view: DataView, at: number, dtype: IdxDtype, value: number): void {
  if (dtype === 'uint8') view.setUint8(at, value);
  else if (dtype === 'int8') view.setInt8(at, value);
  else if (dtype === 'int16') view.setInt16(at, value, false);
  else if (dtype === 'int32') view.setInt32(at, value, false);
  else if (dtype === 'float32') view.setFloat32(at, value, false);
  else view.setFloat64(at, value, false);
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gunzip(bytes: Uint8Array, source: string, maxBytes: number): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    if (error instanceof RangeError) {
      throw new CorruptFileError(
        `${source}: the gzip stream inflates to more than ${maxBytes.toLocaleString('en-US')} bytes, the limit for an IDX file (a decompression bomb, or a larger real file: pass a higher maxBytes).`,
        { file: source, maxBytes },
        { cause: error },
      );
    }
    throw new CorruptFileError(
      `${source}: the gzip stream is corrupt (${(error as Error).message}); download or copy the file again.`,
      { file: source },
      { cause: error },
    );
  }
}

function hex(bytes: Uint8Array, from: number, to: number): string {
  return Array.from(bytes.subarray(from, to), (b) => b.toString(16).padStart(2, '0')).join('');
}
