import { InvalidArgumentError, ManifestInvalidError } from '@mlsd/core';
import type { AsyncVectorIndex } from './async-vector-index.js';
import { ExactIndex } from './exact-index.js';
import { HnswIndex } from './hnsw-index.js';
import type { LoadIndexExpectations } from './index-artifact.js';
import type { Metadata, VectorIndex } from './vector-index.js';

/**
 * A kind of index that `loadIndex` can open: the manifest of a saved index names its `type`
 * (`params.type`), and the backend registered under that type loads it. HNSW (`'hnsw'`) and
 * exact search (`'exact'`) are registered here; a user adds another (an adapter to a vector
 * database, say) with {@link registerIndexBackend}, without editing this package.
 */
export interface IndexBackend {
  /** The `params.type` its artifacts carry in their manifest. */
  readonly type: string;
  /**
   * Opens a saved index of this type (the folder's manifest is checked by `readArtifact`; use
   * `expect` to check dimension and space as the built-in backends do).
   */
  load(dir: string, expect: LoadIndexExpectations): Promise<VectorIndex | AsyncVectorIndex>;
}

const backends = new Map<string, IndexBackend>([
  ['hnsw', { type: 'hnsw', load: (dir, expect) => HnswIndex.load(dir, expect) }],
  ['exact', { type: 'exact', load: (dir, expect) => ExactIndex.load(dir, expect) }],
]);

/**
 * Registers a backend so `loadIndex` / `loadAsyncIndex` open artifacts of its type.
 * @throws InvalidArgumentError when the type is registered already (unless `replace`).
 */
export function registerIndexBackend(
  backend: IndexBackend,
  options: { replace?: boolean } = {},
): void {
  if (backend.type.length === 0) {
    throw new InvalidArgumentError('registerIndexBackend: a backend needs a non-empty type.');
  }
  if (backends.has(backend.type) && options.replace !== true) {
    throw new InvalidArgumentError(
      `registerIndexBackend: an index backend of type '${backend.type}' is registered already; ` +
        'pass { replace: true } to replace it.',
      { type: backend.type },
    );
  }
  backends.set(backend.type, backend);
}

/** Removes a registered backend; returns whether there was one. */
export function unregisterIndexBackend(type: string): boolean {
  return backends.delete(type);
}

/** The types `loadIndex` can open, sorted. */
export function indexBackendTypes(): string[] {
  return [...backends.keys()].sort();
}

/**
 * The backend registered for `type`.
 * @throws ManifestInvalidError naming the registered types when there is none.
 */
export function indexBackend(type: string, dir: string): IndexBackend {
  const backend = backends.get(type);
  if (backend === undefined) {
    throw new ManifestInvalidError(
      `${dir} holds an index of type '${type}', which no registered backend opens ` +
        `(registered: ${indexBackendTypes().join(', ')}). Register one with registerIndexBackend().`,
      { dir, type },
    );
  }
  return backend;
}

/** Narrows what a backend loaded to the metadata type the caller asked for. */
export type LoadedIndex<M extends Metadata> = VectorIndex<M> | AsyncVectorIndex<M>;
