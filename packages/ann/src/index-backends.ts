import { ManifestInvalidError } from '@mlsd/core';
import { Registry } from '@mlsd/core/internal';
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

const backends = new Registry<IndexBackend>(
  { noun: 'index backend', howToAdd: 'registerIndexBackend()' },
  [
    ['hnsw', { type: 'hnsw', load: (dir, expect) => HnswIndex.load(dir, expect) }],
    ['exact', { type: 'exact', load: (dir, expect) => ExactIndex.load(dir, expect) }],
  ],
);

/**
 * Registers a backend so `loadIndex` / `loadAsyncIndex` open artifacts of its type.
 * @throws InvalidArgumentError for a type that is not letters, digits, `.`, `_` or `-`, or one
 *   registered already (unless `replace`).
 */
export function registerIndexBackend(
  backend: IndexBackend,
  options: { replace?: boolean } = {},
): void {
  backends.register(backend.type, backend, options);
}

/** Removes a registered backend; returns whether there was one. */
export function unregisterIndexBackend(type: string): boolean {
  return backends.unregister(type);
}

/** The types `loadIndex` can open, sorted. */
export function indexBackendTypes(): string[] {
  return backends.names().sort();
}

/**
 * The backend registered for `type`.
 * @throws ManifestInvalidError naming the registered types when there is none.
 */
export function indexBackend(type: string, dir: string): IndexBackend {
  const backend = backends.find(type);
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
