import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { NotFoundError, writeFileAtomic } from '@mlsd/core';
import { encodeIdx, type IdxArray, parseIdx } from './idx-format.js';

/**
 * Reads an IDX file, gzipped or not.
 * @throws NotFoundError when the file is missing.
 * @throws CorruptFileError when it is truncated, garbled or not IDX (see {@link parseIdx}).
 */
export async function readIdx(
  path: string,
  expect: { dims?: number; maxBytes?: number } = {},
): Promise<IdxArray> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`IDX file ${path} does not exist.`, { file: path });
    }
    throw error;
  }
  return parseIdx(bytes, path, expect);
}

/** Writes an IDX file atomically, gzipped when `gzip` is true. */
export async function writeIdx(
  path: string,
  array: IdxArray,
  options: { gzip?: boolean } = {},
): Promise<void> {
  const bytes = encodeIdx(array);
  await writeFileAtomic(path, options.gzip ? gzipSync(bytes) : bytes);
}
