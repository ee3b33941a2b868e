import { cp, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sealArtifactManifest } from '@mlsd/core';
import type { HandbookTransaction } from '@mlsd/fraud';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../src/index.js';
import { buildTestArtifacts, type TestArtifacts } from './fixtures.js';
import { eventually, metricValue } from './http-helpers.js';
import { startRedisServer } from './redis-server.js';

const TOKEN = 'test-admin-token-123';
let dir: string;
let artifacts: TestArtifacts;

/** Copies an artifact folder and edits its manifest (sealing the edit again when `seal`). */
async function editedCopy(
  source: string,
  name: string,
  edit: (manifest: Record<string, unknown>) => void,
  seal: boolean,
): Promise<string> {
  const target = join(dir, name);
  await cp(source, target, { recursive: true });
  const manifestPath = join(target, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  edit(manifest);
  await writeFile(manifestPath, JSON.stringify(manifest));
  if (seal) await sealArtifactManifest(target);
  return target;
}

/** A copy of an artifact folder with another manifest description: valid, new version. */
function relabelledCopy(source: string, name: string): Promise<string> {
  return editedCopy(
    source,
    name,
    (manifest) => {
      manifest.description = `${manifest.description ?? ''} (copy ${name})`;
    },
    true,
  );
}

/** A copy of an artifact folder with one byte of `file` changed. */
async function tamperedCopy(source: string, name: string, file: string): Promise<string> {
  const target = join(dir, name);
  await cp(source, target, { recursive: true });
  const path = join(target, file);
  const bytes = await readFile(path);
  const middle = Math.floor(bytes.length / 2);
  bytes[middle] = bytes[middle]! ^ 0x01;
  await writeFile(path, bytes);
  return target;
}

function errorOf(response: { json(): unknown }): { code: string; message: string } {
  return (response.json() as { error: { code: string; message: string } }).error;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-serve-life-'));
  artifacts = await buildTestArtifacts(join(dir, 'artifacts'));
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('refusing to start', () => {
  it('needs at least one artifact', async () => {
    await expect(createService({ logger: false })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('--fraud-model'),
    });
  });

  it('names a missing folder and says what to do', async () => {
    const missing = join(dir, 'no-such-model');
    await expect(createService({ fraudModelDir: missing, logger: false })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/fraud model.*no-such-model.*mlsd fraud train/s),
    });
  });

  it('refuses a fraud model or image index whose files fail their checksum', async () => {
    const fraud = await tamperedCopy(artifacts.fraudModelDir, 'tampered-fraud', 'reference.json');
    await expect(createService({ fraudModelDir: fraud, logger: false })).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: expect.stringMatching(
        /Cannot load the fraud model from .*tampered-fraud.*reference\.json/s,
      ),
    });
    const images = await tamperedCopy(
      artifacts.imageIndexDir,
      'tampered-images',
      'index/items.json',
    );
    await expect(
      createService({
        fraudModelDir: artifacts.fraudModelDir,
        imageIndexDir: images,
        logger: false,
      }),
    ).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: expect.stringMatching(/image index .*tampered-images/s),
    });
  });

  it('says so when Redis is asked for but does not answer', async () => {
    await expect(
      createService({
        fraudModelDir: artifacts.fraudModelDir,
        redisUrl: 'redis://127.0.0.1:1',
        logger: false,
      }),
    ).rejects.toMatchObject({ message: expect.stringContaining('127.0.0.1:1') });
  });
});

describe('POST /admin/reload', () => {
  let service: Service;
  let cursor = 0;
  const take = (n: number): HandbookTransaction[] => {
    cursor += n;
    return artifacts.transactions.slice(cursor - n, cursor);
  };
  const reload = (body: object, token = TOKEN) =>
    service.app.inject({
      method: 'POST',
      url: '/admin/reload',
      payload: body,
      headers: { authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    service = await createService({
      fraudModelDir: artifacts.fraudModelDir,
      imageIndexDir: artifacts.imageIndexDir,
      adminToken: TOKEN,
      logger: false,
    });
  });
  afterAll(async () => {
    await service.close();
  });

  it('needs the bearer token', async () => {
    const none = await service.app.inject({ method: 'POST', url: '/admin/reload', payload: {} });
    expect(none.statusCode).toBe(401);
    expect(errorOf(none).code).toBe('UNAUTHORIZED');
    const wrong = await reload({ fraudModelDir: artifacts.fraudModelDir }, 'not-the-token');
    expect(wrong.statusCode).toBe(401);
    const empty = await reload({});
    expect(empty.statusCode).toBe(400);
    expect(errorOf(empty).message).toContain('fraudModelDir');
  });

  it('swaps in new artifacts while requests run; running requests finish on the old model', async () => {
    const before = (await service.app.inject({ url: '/v1/info' })).json();
    const fraudCopy = await relabelledCopy(artifacts.fraudModelDir, 'fraud-v2');
    const imagesCopy = await relabelledCopy(artifacts.imageIndexDir, 'images-v2');
    // A batch and an image query in flight while the reload loads.
    const batch = service.app.inject({
      method: 'POST',
      url: '/v1/fraud/score',
      payload: take(300),
    });
    const similar = service.app.inject({
      method: 'POST',
      url: '/v1/images/similar?k=3',
      payload: artifacts.sampleImagePng,
      headers: { 'content-type': 'image/png' },
    });
    const reloaded = reload({ fraudModelDir: fraudCopy, imageIndexDir: imagesCopy });
    const [batchResponse, similarResponse, reloadResponse] = await Promise.all([
      batch,
      similar,
      reloaded,
    ]);
    expect(batchResponse.statusCode).toBe(200);
    expect(batchResponse.json().modelVersion).toBe(before.fraud.version);
    expect(batchResponse.json().results).toHaveLength(300);
    expect(similarResponse.statusCode).toBe(200);
    expect(reloadResponse.statusCode).toBe(200);
    const versions = reloadResponse.json();
    expect(versions.fraud.version).not.toBe(before.fraud.version);
    expect(versions.images.version).not.toBe(before.images.version);

    const after = (await service.app.inject({ url: '/v1/info' })).json();
    expect(after.fraud.version).toBe(versions.fraud.version);
    expect(after.images.version).toBe(versions.images.version);
    // The new model serves from a fresh store of its artifact's saved state: the transactions
    // scored above are unknown to it, so the first of them can be scored again.
    const [first] = artifacts.transactions;
    const rescored = await service.app.inject({
      method: 'POST',
      url: '/v1/fraud/score',
      payload: first!,
    });
    expect(rescored.statusCode).toBe(200);
    expect(rescored.json().modelVersion).toBe(versions.fraud.version);
    const metrics = (await service.app.inject({ url: '/metrics' })).body;
    expect(
      metricValue(metrics, `mlsd_model_info{model="fraud",version="${versions.fraud.version}"}`),
    ).toBe(1);
    expect(
      metricValue(metrics, `mlsd_model_info{model="fraud",version="${before.fraud.version}"}`),
    ).toBeUndefined();
    expect(metricValue(metrics, 'mlsd_model_reloads_total{model="fraud",outcome="ok"}')).toBe(1);
  });

  it('a failed reload answers with the reason and leaves the old models serving', async () => {
    const before = (await service.app.inject({ url: '/v1/info' })).json();
    const missing = await reload({ fraudModelDir: join(dir, 'nowhere') });
    expect(missing.statusCode).toBe(422);
    expect(errorOf(missing).code).toBe('RELOAD_FAILED');
    expect(errorOf(missing).message).toContain('nowhere');
    const tampered = await tamperedCopy(artifacts.imageIndexDir, 'images-bad', 'index/items.json');
    const fraudCopy = await relabelledCopy(artifacts.fraudModelDir, 'fraud-v3');
    // Both or neither: the good fraud model is not swapped in when the image index fails.
    const half = await reload({ fraudModelDir: fraudCopy, imageIndexDir: tampered });
    expect(half.statusCode).toBe(422);
    expect(errorOf(half).message).toMatch(/image index.*checksum|sha256/is);
    const after = (await service.app.inject({ url: '/v1/info' })).json();
    expect(after.fraud.version).toBe(before.fraud.version);
    expect(after.images.version).toBe(before.images.version);
    const scored = await service.app.inject({
      method: 'POST',
      url: '/v1/fraud/score',
      payload: take(1)[0]!,
    });
    expect(scored.statusCode).toBe(200);
  });
});

describe('reloading a hostile artifact (issue 13, items 11 and 12)', () => {
  let service: Service;
  const reload = (body: object) =>
    service.app.inject({
      method: 'POST',
      url: '/admin/reload',
      payload: body,
      headers: { authorization: `Bearer ${TOKEN}` },
    });

  beforeAll(async () => {
    service = await createService({
      fraudModelDir: artifacts.fraudModelDir,
      adminToken: TOKEN,
      logger: false,
    });
  });
  afterAll(async () => {
    await service.close();
  });

  it('refuses a manifest whose threshold was edited, and keeps deciding with the old one', async () => {
    const before = (await service.app.inject({ url: '/v1/info' })).json();
    const edited = await editedCopy(
      artifacts.fraudModelDir,
      'fraud-edited-threshold',
      (manifest) => {
        (manifest.params as Record<string, unknown>).threshold = 0.99;
      },
      false,
    );
    const response = await reload({ fraudModelDir: edited });
    expect(response.statusCode).toBe(422);
    expect(errorOf(response).code).toBe('RELOAD_FAILED');
    expect(errorOf(response).message).toMatch(/manifest\.json was changed after it was written/);
    const after = (await service.app.inject({ url: '/v1/info' })).json();
    expect(after.fraud.threshold).toBe(before.fraud.threshold);
    expect(after.fraud.version).toBe(before.fraud.version);
  });

  it('never quotes the file a symlinked manifest points at', async () => {
    const target = join(dir, 'fraud-symlinked');
    await cp(artifacts.fraudModelDir, target, { recursive: true });
    const secret = join(dir, 'secret.txt');
    await writeFile(secret, 'db_password=hunter2-very-secret\n');
    await unlink(join(target, 'manifest.json'));
    await symlink(secret, join(target, 'manifest.json'));
    const response = await reload({ fraudModelDir: target });
    expect(response.statusCode).toBe(422);
    expect(errorOf(response).message).toMatch(/outside the artifact folder/);
    expect(response.body).not.toMatch(/hunter2|db_password/);
  });
});

describe('drift gauges', () => {
  it('flag TX_AMOUNT when recent amounts are far above the reference', async () => {
    const service = await createService({
      fraudModelDir: artifacts.fraudModelDir,
      logger: false,
      driftCheckEvery: 150,
      driftWindowRows: 150,
      driftMinIntervalMs: 0,
    });
    try {
      const shifted = artifacts.transactions
        .slice(0, 150)
        .map((tx) => ({ ...tx, TX_AMOUNT: tx.TX_AMOUNT * 25 }));
      expect(
        (await service.app.inject({ method: 'POST', url: '/v1/fraud/score', payload: shifted }))
          .statusCode,
      ).toBe(200);
      const metrics = await eventually(async () => {
        const text = (await service.app.inject({ url: '/metrics' })).body;
        return metricValue(text, 'mlsd_drift_window_rows') === 150 ? text : undefined;
      });
      expect(metricValue(metrics, 'mlsd_drift_detected{column="TX_AMOUNT"}')).toBe(1);
      expect(
        metricValue(metrics, 'mlsd_drift_statistic{column="TX_AMOUNT",test="ks"}'),
      ).toBeGreaterThan(0.5);
      expect(metricValue(metrics, 'mlsd_drift_window_rows')).toBe(150);
    } finally {
      await service.close();
    }
  });
});

describe('listening and shutting down', () => {
  it('binds to 127.0.0.1 and drains a request in flight before closing', async () => {
    const service = await createService({ imageIndexDir: artifacts.imageIndexDir, logger: false });
    const url = await service.listen({ port: 0 });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const png = artifacts.sampleImagePng;
    const { port } = new URL(url);
    // Send the headers and half the image, start closing, then send the rest.
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: Number(port),
          method: 'POST',
          path: '/v1/images/similar?k=2',
          headers: { 'content-type': 'image/png', 'content-length': png.length },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write(png.subarray(0, 100));
      setTimeout(() => {
        closing = service.close();
        late = service.app.inject({ url: '/v1/info' });
        setTimeout(() => req.end(png.subarray(100)), 100);
      }, 100);
    });
    let closing: Promise<void> | undefined;
    let late: Promise<LightMyRequestResponse> | undefined;
    const response = await answer;
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).hits).toHaveLength(2);
    // A request that arrived while draining was turned away with a code, not dropped.
    const lateResponse = await late!;
    expect(lateResponse.statusCode).toBe(503);
    expect(errorOf(lateResponse).code).toBe('SHUTTING_DOWN');
    await closing;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe('with the online state in Redis', () => {
  it('reports the redis store, and answers 503 when Redis goes away', async () => {
    const redis = await startRedisServer();
    const service = await createService({
      fraudModelDir: artifacts.fraudModelDir,
      redisUrl: redis.url,
      logger: false,
    });
    try {
      expect((await service.app.inject({ url: '/v1/info' })).json().fraud.store).toBe('redis');
      const [first, second] = artifacts.transactions;
      const ok = await service.app.inject({
        method: 'POST',
        url: '/v1/fraud/score',
        payload: first!,
      });
      expect(ok.statusCode).toBe(200);
      expect((await service.app.inject({ url: '/readyz' })).statusCode).toBe(200);
      await redis.stop();
      const down = await service.app.inject({
        method: 'POST',
        url: '/v1/fraud/score',
        payload: second!,
      });
      expect(down.statusCode).toBe(503);
      expect(errorOf(down).code).toBe('STATE_STORE_UNAVAILABLE');
      const ready = await service.app.inject({ url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(errorOf(ready).code).toBe('NOT_READY');
      expect((await service.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await service.close();
      await redis.stop();
    }
  });
});
