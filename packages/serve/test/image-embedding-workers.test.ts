import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSmallFraudModel, toRequests } from '@mlsd/test-utils/serve-artifacts';
import { fashionMnistPng, ImageSearch } from '@mlsd/vision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// A test embedder whose forward pass holds its thread until a file exists (vision's fixture).
import { GATE_MODULE, gateEmbedder } from '../../vision/test/fixtures/gate-embedder.js';
import { createService, type Service } from '../src/index.js';

let dir: string;
let gateFile: string;
let service: Service;
let transactions: ReturnType<typeof toRequests>;
let query: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-embed-workers-'));
  gateFile = join(dir, 'gate.open');
  const later = await buildSmallFraudModel(join(dir, 'fraud'), {
    customers: 100,
    terminals: 200,
    laterDays: 1,
    seed: 3,
    referenceRows: 500,
  });
  transactions = toRequests(later, 20);
  const search = await ImageSearch.create(gateEmbedder({ gateFile }));
  await search.addEmbeddings(['left', 'right'], Float32Array.of(1, 0, 1, 0, 0, 1, 0, 1));
  await search.save(join(dir, 'images'));
  // A 2×2 grey image, bright on the right once fashionMnistPng inverts it: nearest to "right".
  query = await fashionMnistPng(Uint8Array.of(255, 0, 255, 0), 2);
  service = await createService({
    fraudModelDir: join(dir, 'fraud'),
    imageIndexDir: join(dir, 'images'),
    logger: false,
    imageEmbedding: { workers: 1, queue: 1, modules: [GATE_MODULE] },
  });
}, 120_000);

afterAll(async () => {
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('image embedding in worker threads', () => {
  it('answers /healthz and fraud scores while image queries hold the embedder; 503 when its queue is full', async () => {
    const answered: string[] = [];
    const similar = (name: string) =>
      service.app
        .inject({
          method: 'POST',
          url: '/v1/images/similar?k=1',
          headers: { 'content-type': 'image/png' },
          payload: query,
        })
        .then((response) => {
          answered.push(name);
          return response;
        });
    // One runs in the worker, one waits, the third finds the queue full (whichever decodes last).
    const queries = ['image-1', 'image-2', 'image-3'].map(similar);
    const refused = await Promise.race(queries);
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error.code).toBe('EMBEDDER_BUSY');
    expect(refused.json().error.message).toMatch(/busy and 1 call already wait/);

    const health = await service.app.inject({ url: '/healthz' });
    answered.push('healthz');
    const score = await service.app.inject({
      method: 'POST',
      url: '/v1/fraud/score',
      payload: transactions[0] as object,
    });
    answered.push('fraud-score');
    expect(health.statusCode).toBe(200);
    expect(score.statusCode).toBe(200);
    // Both answered while the two admitted image queries were still embedding.
    expect(answered.slice(1)).toEqual(['healthz', 'fraud-score']);

    await writeFile(gateFile, '');
    const responses = await Promise.all(queries);
    const served = responses.filter((response) => response !== refused);
    expect(served.map((response) => response.statusCode)).toEqual([200, 200]);
    for (const response of served) expect(response.json().hits[0].id).toBe('right');
    expect(answered).toHaveLength(5);
  }, 60_000);
});
