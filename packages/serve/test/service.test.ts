import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HandbookTransaction } from '@mlsd/fraud';
import { eventually, metricValue, multipartBody } from '@mlsd/test-utils/http';
import { buildTestArtifacts, type TestArtifacts } from '@mlsd/test-utils/serve-artifacts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../src/index.js';

let dir: string;
let artifacts: TestArtifacts;
let service: Service;
let publicDir: string;
/** Next unused fixture transaction (the online state only moves forward in time). */
let cursor = 0;

function take(n: number): HandbookTransaction[] {
  const out = artifacts.transactions.slice(cursor, cursor + n);
  if (out.length < n) throw new Error('test fixture ran out of transactions');
  cursor += n;
  return out;
}

async function score(body: unknown) {
  return service.app.inject({ method: 'POST', url: '/v1/fraud/score', payload: body as object });
}

/** The service still answers health checks and scores a good transaction. */
async function expectStillServing(): Promise<void> {
  expect((await service.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  const good = await score(take(1)[0]);
  expect(good.statusCode).toBe(200);
}

function errorOf(response: { json(): unknown }): { code: string; message: string } {
  return (response.json() as { error: { code: string; message: string } }).error;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-serve-'));
  artifacts = await buildTestArtifacts(join(dir, 'artifacts'));
  publicDir = join(dir, 'public');
  await mkdir(publicDir);
  await writeFile(join(publicDir, 'index.html'), '<!doctype html><title>mlsd</title>');
  await writeFile(join(publicDir, 'app.js'), 'console.log("mlsd");');
  await writeFile(join(publicDir, 'style.css'), 'body { margin: 0; }');
  service = await createService({
    fraudModelDir: artifacts.fraudModelDir,
    imageIndexDir: artifacts.imageIndexDir,
    logger: false,
    driftCheckEvery: 50,
    driftWindowRows: 100,
    driftMinIntervalMs: 0,
    publicDir,
  });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('fraud scoring', () => {
  it('scores one transaction with the model threshold, its features and the model version', async () => {
    const info = (await service.app.inject({ url: '/v1/info' })).json();
    const [tx] = take(1);
    const response = await score(tx);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.transactionId).toBe(String(tx!.TRANSACTION_ID));
    expect(body.score).toBeGreaterThanOrEqual(0);
    expect(body.score).toBeLessThanOrEqual(1);
    expect(body.threshold).toBe(info.fraud.threshold);
    expect(body.decision).toBe(body.score >= body.threshold ? 'alert' : 'pass');
    expect(Object.keys(body.features)).toEqual(info.fraud.features);
    expect(body.features.TX_AMOUNT).toBe(tx!.TX_AMOUNT);
    expect(body.modelVersion).toBe(info.fraud.version);
  });

  it('advances the online state: a second transaction of a card sees the first', async () => {
    const [first] = take(1);
    const second: HandbookTransaction = {
      ...first!,
      TRANSACTION_ID: 1_500_000_000,
      TX_TIME_SECONDS: first!.TX_TIME_SECONDS + 60,
      TX_AMOUNT: 100,
    };
    const a = (await score(first)).json();
    const b = (await score(second)).json();
    expect(b.features.CUSTOMER_ID_NB_TX_1DAY_WINDOW).toBe(
      a.features.CUSTOMER_ID_NB_TX_1DAY_WINDOW + 1,
    );
    expect(b.features.CUSTOMER_ID_NB_TX_7DAY_WINDOW).toBe(
      a.features.CUSTOMER_ID_NB_TX_7DAY_WINDOW + 1,
    );
    // The 1-day average now includes the 100.00 just seen.
    const n = b.features.CUSTOMER_ID_NB_TX_1DAY_WINDOW;
    expect(b.features.CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW).toBeCloseTo(
      (a.features.CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW * (n - 1) + 100) / n,
      6,
    );
  });

  it('scores a batch in order, each transaction seeing those before it', async () => {
    const batch = take(40);
    const response = await score(batch);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.modelVersion).toMatch(/^[0-9a-f]{12}$/);
    expect(body.results).toHaveLength(40);
    expect(body.results.map((r: { transactionId: string }) => r.transactionId)).toEqual(
      batch.map((tx) => String(tx.TRANSACTION_ID)),
    );
    expect(body.results[0].modelVersion).toBeUndefined();
    // Same card twice in one batch: the later one counts the earlier one.
    const twice: HandbookTransaction[] = [
      {
        ...batch[39]!,
        TRANSACTION_ID: 1_500_000_001,
        TX_TIME_SECONDS: batch[39]!.TX_TIME_SECONDS + 1,
      },
      {
        ...batch[39]!,
        TRANSACTION_ID: 1_500_000_002,
        TX_TIME_SECONDS: batch[39]!.TX_TIME_SECONDS + 2,
      },
    ];
    const pair = (await score(twice)).json().results;
    expect(pair[1].features.CUSTOMER_ID_NB_TX_1DAY_WINDOW).toBe(
      pair[0].features.CUSTOMER_ID_NB_TX_1DAY_WINDOW + 1,
    );
  });

  it('records a label (204) and refuses an unknown transaction with UNKNOWN_TRANSACTION', async () => {
    const [tx] = take(1);
    await score(tx);
    const ok = await service.app.inject({
      method: 'POST',
      url: '/v1/fraud/label',
      payload: { transactionId: tx!.TRANSACTION_ID, fraud: 1 },
    });
    expect(ok.statusCode).toBe(204);
    const unknown = await service.app.inject({
      method: 'POST',
      url: '/v1/fraud/label',
      payload: { transactionId: 2_000_000_000, fraud: 0 },
    });
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown).code).toBe('UNKNOWN_TRANSACTION');
    expect(errorOf(unknown).message).toContain('2000000000');
    const bad = await service.app.inject({
      method: 'POST',
      url: '/v1/fraud/label',
      payload: { transactionId: tx!.TRANSACTION_ID, fraud: 2 },
    });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad).code).toBe('INVALID_LABEL');
    expect(errorOf(bad).message).toContain('fraud');
  });
});

describe('similar images', () => {
  it('finds same-kind catalogue images for raw PNG bytes', async () => {
    const response = await service.app.inject({
      method: 'POST',
      url: '/v1/images/similar?k=5',
      payload: artifacts.sampleImagePng,
      headers: { 'content-type': 'image/png' },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.k).toBe(5);
    expect(body.hits).toHaveLength(5);
    expect(body.tookMs).toBeGreaterThan(0);
    const distances = body.hits.map((hit: { distance: number }) => hit.distance);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    const sameKind = body.hits.filter(
      (hit: { label: number }) => hit.label === artifacts.sampleImageLabel,
    );
    expect(sameKind.length).toBeGreaterThanOrEqual(3);
    expect(body.hits[0].metadata.source).toMatch(/^fashion-mnist:train:\d+$/);
    expect(body.hits[0].id).toMatch(/^train-\d+$/);
    expect(typeof body.hits[0].labelName).toBe('string');
  });

  it('accepts application/octet-stream and a multipart form with k and label fields', async () => {
    const raw = await service.app.inject({
      method: 'POST',
      url: '/v1/images/similar',
      payload: artifacts.sampleImagePng,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(raw.statusCode).toBe(200);
    expect(raw.json().hits).toHaveLength(10);
    const form = multipartBody([
      { name: 'k', value: '4' },
      { name: 'label', value: '3' },
      {
        name: 'image',
        filename: 'q.png',
        contentType: 'image/png',
        data: artifacts.sampleImagePng,
      },
    ]);
    const response = await service.app.inject({
      method: 'POST',
      url: '/v1/images/similar',
      ...form,
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.k).toBe(4);
    expect(body.hits).toHaveLength(4);
    expect(body.hits.every((hit: { label: number }) => hit.label === 3)).toBe(true);
  });

  it('filters by label (number or name) from the query string', async () => {
    const response = await service.app.inject({
      method: 'POST',
      url: '/v1/images/similar?k=3&label=7',
      payload: artifacts.sampleImagePng,
      headers: { 'content-type': 'image/png' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().hits.map((hit: { label: number }) => hit.label)).toEqual([7, 7, 7]);
    const byName = await service.app.inject({
      method: 'POST',
      url: '/v1/images/similar?k=2&label=Trouser',
      payload: artifacts.sampleImagePng,
      headers: { 'content-type': 'image/png' },
    });
    expect(byName.json().hits.map((hit: { labelName: string }) => hit.labelName)).toEqual([
      'Trouser',
      'Trouser',
    ]);
  });

  it('serves a catalogue thumbnail as PNG', async () => {
    const response = await service.app.inject({ url: '/v1/images/train-0/thumbnail' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    expect([...response.rawPayload.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });
});

describe('status routes and the page', () => {
  it("publishes an OpenAPI document built from the routes' zod schemas", async () => {
    const response = await service.app.inject({ url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json() as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/fraud/score', '/v1/images/similar', '/metrics', '/healthz']),
    );
    expect(document.paths['/v1/fraud/score']!.post!.requestBody).toBeDefined();
    expect(JSON.stringify(document.paths['/v1/fraud/score'])).toContain('TX_AMOUNT');
  });

  it('answers /healthz, /readyz and /v1/info', async () => {
    expect((await service.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await service.app.inject({ url: '/readyz' })).json()).toEqual({
      status: 'ready',
      fraud: true,
      images: true,
    });
    const info = (await service.app.inject({ url: '/v1/info' })).json();
    expect(info.fraud.store).toBe('memory');
    expect(info.fraud.features).toContain('TX_AMOUNT');
    // The clock is the latest transaction the state holds: the model's history or later.
    expect(info.fraud.clock).toBeGreaterThanOrEqual(36 * 86_400);
    expect(info.images).toMatchObject({ count: 600, dim: expect.any(Number) });
    expect(info.images.labels).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(info.images.labelNames['9']).toBe('Ankle boot');
  });

  it('serves the page files with their content types', async () => {
    const page = await service.app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<title>mlsd</title>');
    const script = await service.app.inject({ url: '/app.js' });
    expect(script.headers['content-type']).toContain('javascript');
    const style = await service.app.inject({ url: '/style.css' });
    expect(style.headers['content-type']).toContain('text/css');
    const other = await service.app.inject({ url: '/../package.json' });
    expect(other.statusCode).toBe(404);
  });

  it('exposes request, model, decision, state and drift series in /metrics', async () => {
    expect((await score(take(60))).statusCode).toBe(200);
    // The drift check runs after the responses, one feature per turn: wait for its gauges.
    const response = await eventually(async () => {
      const metrics = await service.app.inject({ url: '/metrics' });
      return (metricValue(metrics.body, 'mlsd_drift_window_rows') ?? 0) > 0 ? metrics : undefined;
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    const text = response.body;
    const scoreCount = metricValue(
      text,
      'mlsd_http_requests_total{route="/v1/fraud/score",method="POST",status="200"}',
    );
    expect(scoreCount).toBeGreaterThanOrEqual(5);
    expect(text).toContain(
      'mlsd_http_request_duration_seconds_bucket{le="0.01",route="/v1/fraud/score",method="POST"}',
    );
    const info = (await service.app.inject({ url: '/v1/info' })).json();
    expect(
      metricValue(text, `mlsd_model_info{model="fraud",version="${info.fraud.version}"}`),
    ).toBe(1);
    expect(
      metricValue(text, `mlsd_model_info{model="images",version="${info.images.version}"}`),
    ).toBe(1);
    const pass = metricValue(text, 'mlsd_fraud_decisions_total{decision="pass"}') ?? 0;
    const alert = metricValue(text, 'mlsd_fraud_decisions_total{decision="alert"}') ?? 0;
    expect(pass + alert).toBeGreaterThanOrEqual(100);
    expect(metricValue(text, 'mlsd_drift_statistic{column="TX_AMOUNT",test="ks"}')).toBeGreaterThan(
      0,
    );
    expect(metricValue(text, 'mlsd_drift_detected{column="TX_AMOUNT"}')).toBe(0);
    // Checked every 50 scores over the last (up to) 100.
    const windowRows = metricValue(text, 'mlsd_drift_window_rows')!;
    expect(windowRows).toBeGreaterThanOrEqual(50);
    expect(windowRows).toBeLessThanOrEqual(100);
    expect(metricValue(text, 'mlsd_online_state_entities{store="memory"}')).toBeGreaterThan(100);
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});

describe('bad requests get a 4xx with a stable code, and the service keeps serving', () => {
  const json = { 'content-type': 'application/json' };

  it('INVALID_JSON for malformed or empty JSON', async () => {
    for (const payload of ['{"TRANSACTION_ID": 1,', '']) {
      const response = await service.app.inject({
        method: 'POST',
        url: '/v1/fraud/score',
        payload,
        headers: json,
      });
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).code).toBe('INVALID_JSON');
      await expectStillServing();
    }
  });

  it('INVALID_TRANSACTION naming every bad field, in a single transaction or a batch', async () => {
    const [tx] = take(1);
    const { CUSTOMER_ID: _dropped, ...missing } = tx!;
    const wrong = await score({ ...missing, TX_AMOUNT: 'twelve', COLOUR: 'red' });
    expect(wrong.statusCode).toBe(400);
    const error = errorOf(wrong);
    expect(error.code).toBe('INVALID_TRANSACTION');
    expect(error.message).toContain('CUSTOMER_ID');
    expect(error.message).toContain('TX_AMOUNT');
    expect(error.message).toContain('COLOUR');
    await expectStillServing();

    const batch = await score([take(1)[0], { ...tx!, TERMINAL_ID: { id: 3 } }]);
    expect(batch.statusCode).toBe(400);
    expect(errorOf(batch).message).toContain('transaction [1]: TERMINAL_ID: expected text');
    for (const body of [[], 'a string', 42, null]) {
      const response = await service.app.inject({
        method: 'POST',
        url: '/v1/fraud/score',
        payload: JSON.stringify(body),
        headers: json,
      });
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).code).toBe('INVALID_TRANSACTION');
    }
    const tooMany = Array.from({ length: 1_001 }, (_, i) => ({ ...tx!, TRANSACTION_ID: i }));
    const big = await score(tooMany);
    expect(big.statusCode).toBe(400);
    expect(errorOf(big).message).toMatch(/1000/);
    await expectStillServing();
  });

  it('DUPLICATE_TRANSACTION and OUT_OF_ORDER (409) leave the state unchanged', async () => {
    const [tx] = take(1);
    expect((await score(tx)).statusCode).toBe(200);
    // The same id with other values (a retry with the same values is answered again: 200).
    const again = await score({ ...tx!, TX_AMOUNT: tx!.TX_AMOUNT + 1 });
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).code).toBe('DUPLICATE_TRANSACTION');
    expect(errorOf(again).message).toContain(String(tx!.TRANSACTION_ID));
    const late = await score({ ...tx!, TRANSACTION_ID: 1_600_000_000, TX_TIME_SECONDS: 0 });
    expect(late.statusCode).toBe(409);
    expect(errorOf(late).code).toBe('OUT_OF_ORDER');
    expect(errorOf(late).message).toContain('older than');
    // The refused transaction was not recorded: its id is still free.
    const [next] = take(1);
    expect((await score({ ...next!, TRANSACTION_ID: 1_600_000_000 })).statusCode).toBe(200);
    await expectStillServing();
  });

  it('PAYLOAD_TOO_LARGE (413) for a body over the limit, JSON, raw or multipart', async () => {
    const small = await createService({
      fraudModelDir: artifacts.fraudModelDir,
      imageIndexDir: artifacts.imageIndexDir,
      logger: false,
      bodyLimitBytes: 4_096,
    });
    try {
      const [tx] = take(1);
      const jsonBody = await small.app.inject({
        method: 'POST',
        url: '/v1/fraud/score',
        payload: JSON.stringify({ ...tx, pad: 'x'.repeat(5_000) }),
        headers: json,
      });
      expect(jsonBody.statusCode).toBe(413);
      expect(errorOf(jsonBody).code).toBe('PAYLOAD_TOO_LARGE');
      const big = Buffer.alloc(10_000, 7);
      const raw = await small.app.inject({
        method: 'POST',
        url: '/v1/images/similar',
        payload: big,
        headers: { 'content-type': 'image/png' },
      });
      expect(raw.statusCode).toBe(413);
      expect(errorOf(raw).code).toBe('PAYLOAD_TOO_LARGE');
      const form = multipartBody([
        { name: 'image', filename: 'big.png', contentType: 'image/png', data: big },
      ]);
      const multi = await small.app.inject({ method: 'POST', url: '/v1/images/similar', ...form });
      expect(multi.statusCode).toBe(413);
      expect(errorOf(multi).code).toBe('PAYLOAD_TOO_LARGE');
      expect((await small.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('UNSUPPORTED_MEDIA_TYPE (415) for a wrong content type on either route', async () => {
    const cases = [
      { url: '/v1/fraud/score', type: 'text/plain', payload: '{}' },
      { url: '/v1/fraud/score', type: 'image/png', payload: artifacts.sampleImagePng },
      { url: '/v1/fraud/score', type: 'application/xml', payload: '<tx/>' },
      { url: '/v1/images/similar', type: 'application/json', payload: '{"image": 1}' },
      { url: '/v1/images/similar', type: 'text/plain', payload: 'hello' },
    ];
    for (const c of cases) {
      const response = await service.app.inject({
        method: 'POST',
        url: c.url,
        payload: c.payload,
        headers: { 'content-type': c.type },
      });
      expect(response.statusCode, `${c.url} ${c.type}`).toBe(415);
      expect(errorOf(response).code).toBe('UNSUPPORTED_MEDIA_TYPE');
      await expectStillServing();
    }
  });

  it('INVALID_IMAGE for empty, garbage, truncated and file-less uploads', async () => {
    const png = artifacts.sampleImagePng;
    const bodies = [Buffer.alloc(0), Buffer.from('not an image at all'), png.subarray(0, 60)];
    for (const payload of bodies) {
      const response = await service.app.inject({
        method: 'POST',
        url: '/v1/images/similar',
        payload,
        headers: { 'content-type': 'image/png' },
      });
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).code).toBe('INVALID_IMAGE');
      await expectStillServing();
    }
    const boundary = '----cut';
    const truncatedForms = [
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nabc`,
      'not a form at all',
    ];
    for (const payload of truncatedForms) {
      const cut = await service.app.inject({
        method: 'POST',
        url: '/v1/images/similar',
        payload,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      expect(cut.statusCode).toBe(400);
      expect(errorOf(cut).code).toBe('INVALID_IMAGE');
    }
    const noBoundary = await service.app.inject({
      method: 'POST',
      url: '/v1/images/similar',
      payload: 'x',
      headers: { 'content-type': 'multipart/form-data' },
    });
    expect(noBoundary.statusCode).toBe(400);
    const noFile = multipartBody([{ name: 'k', value: '3' }]);
    const response = await service.app.inject({
      method: 'POST',
      url: '/v1/images/similar',
      ...noFile,
    });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response).code).toBe('INVALID_IMAGE');
    expect(errorOf(response).message).toContain('"image"');
    await expectStillServing();
  });

  it('INVALID_QUERY for a bad k or an unknown label', async () => {
    for (const query of ['k=0', 'k=abc', 'k=101', 'k=2.5', 'label=shoes']) {
      const response = await service.app.inject({
        method: 'POST',
        url: `/v1/images/similar?${query}`,
        payload: artifacts.sampleImagePng,
        headers: { 'content-type': 'image/png' },
      });
      expect(response.statusCode, query).toBe(400);
      expect(errorOf(response).code).toBe('INVALID_QUERY');
    }
    const form = multipartBody([
      { name: 'k', value: '-1' },
      {
        name: 'image',
        filename: 'q.png',
        contentType: 'image/png',
        data: artifacts.sampleImagePng,
      },
    ]);
    const response = await service.app.inject({
      method: 'POST',
      url: '/v1/images/similar',
      ...form,
    });
    expect(errorOf(response).code).toBe('INVALID_QUERY');
    await expectStillServing();
  });

  it('UNKNOWN_IMAGE, NOT_FOUND, INVALID_REQUEST for bad URLs, and 404 on /admin/reload when no token was set', async () => {
    const image = await service.app.inject({ url: '/v1/images/no-such-id/thumbnail' });
    expect(image.statusCode).toBe(404);
    expect(errorOf(image).code).toBe('UNKNOWN_IMAGE');
    for (const url of [
      '/v1/images/%E0%A4%A/thumbnail',
      `/v1/images/${'a'.repeat(1_001)}/thumbnail`,
    ]) {
      const bad = await service.app.inject({ url });
      expect(bad.statusCode).toBeGreaterThanOrEqual(400);
      expect(bad.statusCode).toBeLessThan(500);
      expect(errorOf(bad).code).toBe('INVALID_REQUEST');
    }
    const route = await service.app.inject({ url: '/v2/anything' });
    expect(route.statusCode).toBe(404);
    expect(errorOf(route).code).toBe('NOT_FOUND');
    // A known path with the wrong method: 405 naming the right one.
    const wrongMethod = await service.app.inject({ method: 'GET', url: '/v1/fraud/score' });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
    expect(errorOf(wrongMethod)).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
    expect(errorOf(wrongMethod).message).toContain('takes POST');
    const admin = await service.app.inject({
      method: 'POST',
      url: '/admin/reload',
      payload: { fraudModelDir: artifacts.fraudModelDir },
      headers: { authorization: 'Bearer whatever-token' },
    });
    expect(admin.statusCode).toBe(404);
    expect(errorOf(admin).message).toContain('--admin-token-env');
    await expectStillServing();
  });

  it('FRAUD_MODEL_NOT_LOADED and IMAGE_INDEX_NOT_LOADED on a service with one artifact', async () => {
    const imagesOnly = await createService({
      imageIndexDir: artifacts.imageIndexDir,
      logger: false,
    });
    const fraudOnly = await createService({
      fraudModelDir: artifacts.fraudModelDir,
      logger: false,
    });
    try {
      for (const url of ['/v1/fraud/score', '/v1/fraud/label']) {
        const response = await imagesOnly.app.inject({ method: 'POST', url, payload: {} });
        expect(response.statusCode).toBe(404);
        expect(errorOf(response).code).toBe('FRAUD_MODEL_NOT_LOADED');
      }
      const similar = await fraudOnly.app.inject({
        method: 'POST',
        url: '/v1/images/similar',
        payload: artifacts.sampleImagePng,
        headers: { 'content-type': 'image/png' },
      });
      expect(similar.statusCode).toBe(404);
      expect(errorOf(similar).code).toBe('IMAGE_INDEX_NOT_LOADED');
      const thumbnail = await fraudOnly.app.inject({ url: '/v1/images/train-0/thumbnail' });
      expect(errorOf(thumbnail).code).toBe('IMAGE_INDEX_NOT_LOADED');
      expect((await imagesOnly.app.inject({ url: '/v1/info' })).json().fraud).toBeNull();
      expect((await fraudOnly.app.inject({ url: '/v1/info' })).json().images).toBeNull();
    } finally {
      await imagesOnly.close();
      await fraudOnly.close();
    }
  });
});
