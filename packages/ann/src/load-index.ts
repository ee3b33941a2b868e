import { ExactIndex } from './exact-index.js';
import { HnswIndex } from './hnsw-index.js';
import { type LoadIndexExpectations, openIndexArtifact } from './index-artifact.js';
import type { Metadata, VectorIndex } from './vector-index.js';

/**
 * Loads any index saved with `save(dir)`: an {@link HnswIndex} or an {@link ExactIndex},
 * whichever the manifest names. Checks the manifest, every file's sha256, and that the
 * dimension and space match `expect`.
 * @throws NotFoundError when the folder or a file is missing.
 * @throws ChecksumMismatchError when a file was modified or truncated.
 * @throws DimensionMismatchError when `expect.dim` differs from the saved dimension.
 * @throws ManifestInvalidError when the folder is not an index or `expect.space` differs.
 */
export async function loadIndex<M extends Metadata = Metadata>(
  dir: string,
  expect: LoadIndexExpectations = {},
): Promise<VectorIndex<M>> {
  // Reads the small manifest twice (here and in load) so each class stays self-contained;
  // the checksum pass runs only once, in the class's own load.
  const { params } = await openIndexArtifact(dir, { ...expect, verify: false });
  return params.type === 'hnsw' ? HnswIndex.load<M>(dir, expect) : ExactIndex.load<M>(dir, expect);
}
