import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AsyncVectorIndex,
  ExactIndex,
  HNSW_ENGINE_ENV,
  HnswIndex,
  registerIndexBackend,
  toAsyncIndex,
  unregisterIndexBackend,
} from '@mlsd/ann';
import { readArtifact, writeArtifact } from '@mlsd/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNearDuplicates, type ImageMetadata, ImageSearch } from '../src/index.js';
import { gateEmbedder } from './fixtures/gate-embedder.js';

/** The "database" a remote index talks to: survives the index object, keyed by its address. */
const servers = new Map<string, ExactIndex<ImageMetadata>>();
let requests = 0;

/**
 * A remote index as a vector-database adapter would be: every call asynchronous (a turn of the
 * event loop per request), the artifact holding only the address.
 */
function remoteIndex(url: string): AsyncVectorIndex<ImageMetadata> {
  let server = servers.get(url);
  if (server === undefined) {
    server = new ExactIndex<ImageMetadata>({ dim: 4, space: 'cosine' });
    servers.set(url, server);
  }
  const local = toAsyncIndex(server);
  const remote =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      requests++;
      await new Promise((resolve) => setImmediate(resolve));
      return call(...args);
    };
  return {
    ...local,
    size: remote(local.size),
    add: remote(local.add),
    addBatch: remote(local.addBatch),
    upsert: remote(local.upsert),
    delete: remote(local.delete),
    has: remote(local.has),
    getMetadata: remote(local.getMetadata),
    search: remote(local.search),
    searchBatch: remote(local.searchBatch),
    save: async (dir) => {
      await writeArtifact(dir, {
        kind: 'ann-index',
        formatVersion: 1,
        params: { type: 'vision-test-remote', dim: 4, space: 'cosine', size: 0, url },
      });
    },
  };
}

let work: string;
let gateFile: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlsd-async-index-'));
  gateFile = join(work, 'open');
  await writeFile(gateFile, '');
  registerIndexBackend({
    type: 'vision-test-remote',
    load: async (dir) => {
      const { manifest } = await readArtifact(dir, { kind: 'ann-index' });
      return remoteIndex(String(manifest.params.url));
    },
  });
});
afterAll(async () => {
  unregisterIndexBackend('vision-test-remote');
  await rm(work, { recursive: true, force: true });
});

describe('ImageSearch over the asynchronous index interface', () => {
  it('adds, queries, removes, saves and reloads with a remote index in place of HNSW', async () => {
    const search = new ImageSearch(gateEmbedder({ gateFile }), remoteIndex('remote://catalogue'));
    expect(search.localIndex).toBeUndefined();
    await search.addEmbeddings(
      ['a', 'b', 'c'],
      Float32Array.of(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0),
      [{ label: 'x' }, { label: 'y' }, { label: 'y' }],
    );
    const before = requests;
    await search.add('d', Float32Array.of(0, 0.1, 0, 1), { label: 'z' });
    expect(requests).toBeGreaterThan(before);
    expect(search.size).toBe(4);
    const hits = await search.query(Float32Array.of(0, 1, 0.2, 0), 2, { label: 'y' });
    expect(hits.map((hit) => hit.id)).toEqual(['b', 'c']);
    expect(hits[0]!.metadata).toEqual({ label: 'y' });
    await search.remove('a');
    await expect(search.remove('a')).rejects.toThrow(/No image with id "a"/);
    expect(await search.getMetadata('d')).toEqual({ label: 'z' });
    expect(() => findNearDuplicates(search)).toThrow(/in-process index/);

    const dir = join(work, 'remote-search');
    await search.save(dir);
    const reloaded = await ImageSearch.load(dir, { embedder: search.embedder });
    expect(reloaded.localIndex).toBeUndefined();
    expect([...reloaded.ids()]).toEqual(['b', 'c', 'd']);
    expect(await reloaded.index.size()).toBe(3);
    const again = await reloaded.query(Float32Array.of(0, 0, 0, 1), 1);
    expect(again[0]).toMatchObject({ id: 'd', metadata: { label: 'z' } });
  });

  it('builds its HNSW with HnswIndex.create, so MLSD_HNSW_ENGINE takes effect', async () => {
    const previous = process.env[HNSW_ENGINE_ENV];
    process.env[HNSW_ENGINE_ENV] = 'hnswlib-node';
    try {
      const search = await ImageSearch.create(gateEmbedder({ gateFile }));
      expect(search.localIndex).toBeInstanceOf(HnswIndex);
      expect((search.localIndex as HnswIndex).engine).toBe('hnswlib-node');
      await search.addEmbeddings(['p', 'q'], Float32Array.of(1, 0, 0, 0, 0, 0, 1, 0));
      expect((await search.query(Float32Array.of(0, 0, 3, 0), 1))[0]?.id).toBe('q');
    } finally {
      if (previous === undefined) delete process.env[HNSW_ENGINE_ENV];
      else process.env[HNSW_ENGINE_ENV] = previous;
    }
    expect((await ImageSearch.create(gateEmbedder({ gateFile }))).localIndex).toMatchObject({
      engine: previous ?? 'wasm',
    });
  });
});
