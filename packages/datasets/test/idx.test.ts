import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CorruptFileError, NotFoundError } from '@mlsd/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { readIdx, writeIdx } from '../src/idx-file.js';
import { encodeIdx, type IdxArray, parseIdx } from '../src/idx-format.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-idx-'));
});

const arrays: IdxArray[] = [
  { dtype: 'uint8', shape: [2, 3], data: Uint8Array.from([0, 1, 2, 253, 254, 255]) },
  { dtype: 'int8', shape: [4], data: Int8Array.from([-128, -1, 0, 127]) },
  { dtype: 'int16', shape: [2, 2], data: Int16Array.from([-32768, -2, 300, 32767]) },
  { dtype: 'int32', shape: [3], data: Int32Array.from([-(2 ** 31), 70000, 2 ** 31 - 1]) },
  { dtype: 'float32', shape: [1, 2, 2], data: Float32Array.from([0.1, -2.5, 1e30, Number.NaN]) },
  { dtype: 'float64', shape: [2], data: Float64Array.from([Math.PI, -1e-300]) },
];

describe('IDX round trip', () => {
  for (const array of arrays) {
    for (const gzip of [false, true]) {
      it(`${array.dtype} ${gzip ? 'gzipped' : 'raw'}`, async () => {
        const path = join(dir, `${array.dtype}-${gzip}.idx`);
        await writeIdx(path, array, { gzip });
        const back = await readIdx(path);
        expect(back.dtype).toBe(array.dtype);
        expect(back.shape).toEqual(array.shape);
        expect(back.data).toEqual(array.data);
      });
    }
  }

  it('writes big-endian with the documented header', () => {
    const bytes = encodeIdx({ dtype: 'int16', shape: [1], data: Int16Array.from([258]) });
    expect([...bytes]).toEqual([0, 0, 0x0b, 1, 0, 0, 0, 1, 1, 2]);
  });
});

describe('IDX errors', () => {
  const good = encodeIdx({ dtype: 'uint8', shape: [10, 4], data: new Uint8Array(40) });

  it('names a truncated file and says how much is missing, wherever it is cut', () => {
    for (const cut of [2, 6, 11, 20, 43]) {
      expect(() => parseIdx(good.subarray(0, cut), 'cut.idx')).toThrow(CorruptFileError);
    }
    expect(() => parseIdx(good.subarray(0, 43), 'cut.idx')).toThrow(
      'cut.idx: expected 40 bytes of data after the header for shape [10, 4] uint8, found 31 (truncated?)',
    );
  });

  it('rejects extra bytes, bad magic, unknown types and unexpected dimensions', () => {
    expect(() => parseIdx(Uint8Array.from([...good, 0]), 'x')).toThrow(/extra bytes/);
    expect(() => parseIdx(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 0]), 'x')).toThrow(
      /bad magic number 0x01000801/,
    );
    expect(() => parseIdx(Uint8Array.from([0, 0, 7, 1, 0, 0, 0, 0]), 'x')).toThrow(
      /unknown IDX type code 0x07/,
    );
    expect(() => parseIdx(good, 'x', { dims: 3 })).toThrow('x: has 2 dimensions, expected 3.');
  });

  it('reports a corrupt gzip stream with the file name', async () => {
    const gz = Buffer.from(gzipSync(good));
    for (let i = 12; i < 20; i++) gz[i] = gz[i]! ^ 0xff;
    const path = join(dir, 'corrupt.idx.gz');
    await writeFile(path, gz);
    await expect(readIdx(path)).rejects.toThrow(CorruptFileError);
    await expect(readIdx(path)).rejects.toThrow(/corrupt\.idx\.gz: the gzip stream is corrupt/);
    expect((await readFile(path)).length).toBe(gz.length);
  });

  it('refuses a gzip stream that inflates past the limit (a decompression bomb) without inflating it', () => {
    // 64 MiB of zeros compress to about 64 KB; a header claiming that shape makes it look real.
    const header = encodeIdx({ dtype: 'uint8', shape: [1], data: new Uint8Array(1) });
    const bomb = gzipSync(Buffer.concat([Buffer.from(header), Buffer.alloc(64 * 1024 * 1024)]));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(() => parseIdx(bomb, 'bomb.idx.gz', { maxBytes: 1024 * 1024 })).toThrow(
      /bomb\.idx\.gz: the gzip stream inflates to more than 1,048,576 bytes/,
    );
    expect(parseIdx(gzipSync(good), 'ok.idx.gz', { maxBytes: good.length }).shape).toEqual([10, 4]);
  });

  it('says when the file does not exist', async () => {
    await expect(readIdx(join(dir, 'missing.idx'))).rejects.toThrow(NotFoundError);
  });
});
