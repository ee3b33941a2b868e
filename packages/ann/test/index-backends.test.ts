import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMlsdError, readArtifact, writeArtifact } from '@mlsd/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AsyncVectorIndex,
  ExactIndex,
  HnswIndex,
  indexBackendTypes,
  loadAsyncIndex,
  loadIndex,
  type Metadata,
  registerIndexBackend,
  type SearchOptions,
  type SearchResult,
  toAsyncIndex,
  unregisterIndexBackend,
} from '../src/index.js';
import { asyncVectorIndexContract } from './async-index-contract.js';

/**
 * An outside backend, as a vector-database adapter would be written: every call is
 * asynchronous and "remote" (here an ExactIndex behind a promise, standing in for the
 * database), writes and searches go in batches, and the artifact holds only how to reach it.
 */
class RemoteIndex<M extends Metadata = Metadata> implements AsyncVectorIndex<M> {
  readonly isAsync = true;
  readonly dim: number;
  readonly space: 'l2' | 'ip' | 'cosine';
  /** Requests sent to the "server", so a test can see the batching. */
  requests = 0;
  readonly #server: ExactIndex<M>;

  constructor(dim: number, space: 'l2' | 'ip' | 'cosine') {
    this.dim = dim;
    this.space = space;
    this.#server = new ExactIndex<M>({ dim, space });
  }

  async #call<T>(run: () => T): Promise<T> {
    this.requests++;
    await new Promise((resolve) => setImmediate(resolve));
    return run();
  }

  size = () => this.#call(() => this.#server.size);
  add = (id: string, vector: ArrayLike<number>, metadata?: M) =>
    this.#call(() => this.#server.add(id, vector, metadata));
  addBatch = (
    ids: readonly string[],
    vectors: Float32Array,
    metadata?: readonly (M | undefined)[],
  ) => this.#call(() => this.#server.addBatch(ids, vectors, metadata));
  upsert = (id: string, vector: ArrayLike<number>, metadata?: M) =>
    this.#call(() => this.#server.upsert(id, vector, metadata));
  delete = (id: string) => this.#call(() => this.#server.delete(id));
  has = (id: string) => this.#call(() => this.#server.has(id));
  getMetadata = (id: string) => this.#call(() => this.#server.getMetadata(id));
  search = (
    query: ArrayLike<number>,
    k: number,
    options?: SearchOptions<M>,
  ): Promise<SearchResult> => this.#call(() => this.#server.search(query, k, options));
  searchBatch = (queries: Float32Array, k: number, options?: SearchOptions<M>) =>
    this.#call(() => this.#server.searchBatch(queries, k, options));

  async save(dir: string): Promise<void> {
    await writeArtifact(dir, {
      kind: 'ann-index',
      formatVersion: 1,
      params: { type: 'test-remote', dim: this.dim, space: this.space, size: 0, url: 'remote://x' },
    });
  }
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlsd-ann-backends-'));
  registerIndexBackend({
    type: 'test-remote',
    load: async (dir) => {
      const { manifest } = await readArtifact(dir, { kind: 'ann-index' });
      const params = manifest.params as { dim: number; space: 'l2' | 'ip' | 'cosine' };
      return new RemoteIndex(params.dim, params.space);
    },
  });
});
afterAll(async () => {
  unregisterIndexBackend('test-remote');
  await rm(root, { recursive: true, force: true });
});

// The same contract for the in-process indexes (through the adapter) and the outside backend,
// reached the way a user would: saved, then opened by loadAsyncIndex through the registry.
asyncVectorIndexContract('HnswIndex via toAsyncIndex', async (dim, space) =>
  toAsyncIndex(new HnswIndex({ dim, space, ef: 64 })),
);
asyncVectorIndexContract('ExactIndex via toAsyncIndex', async (dim, space) =>
  toAsyncIndex(new ExactIndex({ dim, space })),
);
let saved = 0;
asyncVectorIndexContract('an outside backend from the registry', async (dim, space) => {
  const dir = join(root, `remote-${saved++}`);
  await new RemoteIndex(dim, space).save(dir);
  return loadAsyncIndex(dir, { dim, space });
});

describe('index backend registry', () => {
  it('lists the built-in backends and the registered one, and refuses a second of a type', () => {
    expect(indexBackendTypes()).toEqual(['exact', 'hnsw', 'test-remote']);
    let error: unknown;
    try {
      registerIndexBackend({ type: 'hnsw', load: async () => new ExactIndex({ dim: 1 }) });
    } catch (caught) {
      error = caught;
    }
    expect(isMlsdError(error) && error.code).toBe('INVALID_ARGUMENT');
  });

  it('sends one request per batch, and loadIndex points async backends to loadAsyncIndex', async () => {
    const dir = join(root, 'remote-batch');
    await new RemoteIndex(4, 'l2').save(dir);
    const index = (await loadAsyncIndex(dir)) as RemoteIndex;
    await index.addBatch(
      ['a', 'b', 'c'],
      Float32Array.from({ length: 12 }, (_, i) => i),
    );
    await index.searchBatch(
      Float32Array.from({ length: 8 }, (_, i) => i),
      2,
    );
    expect(index.requests).toBe(2);
    await expect(loadIndex(dir)).rejects.toThrow(/loadAsyncIndex/);
  });

  it('says which types it can open when none matches', async () => {
    const dir = join(root, 'unknown');
    await writeArtifact(dir, {
      kind: 'ann-index',
      formatVersion: 1,
      params: { type: 'milvus', dim: 4, space: 'l2', size: 0 },
    });
    await expect(loadIndex(dir)).rejects.toThrow(
      /type 'milvus', which no registered backend opens \(registered: exact, hnsw, test-remote\)/,
    );
  });
});
