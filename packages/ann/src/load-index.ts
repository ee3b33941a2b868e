import { InvalidArgumentError } from '@mlsd/core';
import { type AsyncVectorIndex, isAsyncIndex, toAsyncIndex } from './async-vector-index.js';
import { type LoadIndexExpectations, openIndexArtifact } from './index-artifact.js';
import { indexBackend, type LoadedIndex } from './index-backends.js';
import type { Metadata, VectorIndex } from './vector-index.js';

async function openWithBackend<M extends Metadata>(
  dir: string,
  expect: LoadIndexExpectations,
): Promise<LoadedIndex<M>> {
  // Reads the small manifest twice (here and in the backend's load) so each backend stays
  // self-contained; the checksum pass runs only once, in the backend's own load.
  const { artifact, params } = await openIndexArtifact(dir, { ...expect, verify: false });
  return (await indexBackend(params.type, artifact.dir).load(dir, expect)) as LoadedIndex<M>;
}

/**
 * Loads any in-process index saved with `save(dir)`: the backend registered for the
 * manifest's type opens it (`'hnsw'` → {@link HnswIndex}, `'exact'` → {@link ExactIndex}, or
 * one added with `registerIndexBackend`). Checks the manifest, every file's sha256, and that
 * the dimension and space match `expect`.
 * @throws NotFoundError when the folder or a file is missing.
 * @throws ChecksumMismatchError when a file was modified or truncated.
 * @throws DimensionMismatchError when `expect.dim` differs from the saved dimension.
 * @throws ManifestInvalidError when the folder is not an index, no backend opens its type, or
 * `expect.space` differs.
 * @throws InvalidArgumentError when the backend gives an asynchronous index (use
 * {@link loadAsyncIndex}).
 */
export async function loadIndex<M extends Metadata = Metadata>(
  dir: string,
  expect: LoadIndexExpectations = {},
): Promise<VectorIndex<M>> {
  const index = await openWithBackend<M>(dir, expect);
  if (isAsyncIndex(index)) {
    throw new InvalidArgumentError(
      `${dir} opens as an asynchronous index (a remote backend); load it with loadAsyncIndex().`,
    );
  }
  return index;
}

/**
 * As {@link loadIndex}, for any backend, behind the asynchronous interface (in-process indexes
 * through `toAsyncIndex`).
 */
export async function loadAsyncIndex<M extends Metadata = Metadata>(
  dir: string,
  expect: LoadIndexExpectations = {},
): Promise<AsyncVectorIndex<M>> {
  return toAsyncIndex(await openWithBackend<M>(dir, expect));
}
