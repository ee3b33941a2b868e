import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { loadFashionMnist } from '@mlsd/datasets';
import {
  DEFAULT_EMBEDDER_DIR,
  fashionMnistCatalogue,
  fashionMnistPng,
  ImageSearch,
  loadImageEmbedder,
} from '@mlsd/vision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../src/index.js';

const TOKEN = 'catalogue-admin-token';
const auth = { authorization: `Bearer ${TOKEN}` };
let dir: string;
let index: string;
let query: Buffer;
let other: Buffer;

function errorOf(response: { json(): unknown }): { code: string; message: string } {
  return (response.json() as { error: { code: string; message: string } }).error;
}

/** A fresh copy of the small index (the catalogue is changed in place). */
async function freshIndex(name: string): Promise<string> {
  const { cp } = await import('node:fs/promises');
  const target = join(dir, name);
  await cp(index, target, { recursive: true });
  return target;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-serve-catalogue-'));
  const dataset = await loadFashionMnist();
  const catalogue = fashionMnistCatalogue(dataset, 200);
  const search = await ImageSearch.build({
    embedder: await loadImageEmbedder(DEFAULT_EMBEDDER_DIR),
    ids: catalogue.ids,
    pixels: catalogue.pixels,
    metadata: catalogue.metadata,
  });
  index = join(dir, 'index');
  await search.save(index);
  query = await fashionMnistPng(dataset.test.images.subarray(0, 784));
  other = await fashionMnistPng(dataset.test.images.subarray(784, 1568));
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('POST /v1/images and DELETE /v1/images/:id', () => {
  let service: Service;
  afterAll(async () => service?.close());

  it('adds raw and multipart uploads behind the admin token, serves them, and removes them', async () => {
    service = await createService({
      imageIndexDir: await freshIndex('live'),
      adminToken: TOKEN,
      logger: false,
    });
    const app = service.app;
    const info = (await app.inject({ url: '/v1/info' })).json().images;
    expect(info).toMatchObject({ count: 200, live: true, embedder: { kind: 'tfjs' } });

    const post = (url: string, headers: Record<string, string>, payload: Buffer) =>
      app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'image/png', ...headers },
        payload,
      });
    expect((await post('/v1/images?id=new-1', {}, query)).statusCode).toBe(401);
    const metadata = encodeURIComponent(JSON.stringify({ sku: 'A-12' }));
    const added = await post(`/v1/images?id=new-1&label=shoe&metadata=${metadata}`, auth, query);
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toEqual({ id: 'new-1', seq: 1, count: 201 });

    const boundary = 'mlsd-test-boundary';
    const form = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="id"\r\n\r\nnew-2\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n{"colour":"red"}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="b.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      other,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const multipart = await app.inject({
      method: 'POST',
      url: '/v1/images',
      headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: form,
    });
    expect(multipart.statusCode, multipart.body).toBe(201);
    expect(multipart.json()).toMatchObject({ id: 'new-2', seq: 2, count: 202 });

    const similar = await post('/v1/images/similar?k=1', {}, query);
    const hit = similar.json().hits[0];
    expect(hit).toMatchObject({
      id: 'new-1',
      label: 'shoe',
      metadata: { sku: 'A-12', label: 'shoe' },
    });
    expect(hit.distance).toBeLessThan(1e-4);
    const thumbnail = await app.inject({ url: '/v1/images/new-1/thumbnail' });
    expect(thumbnail.statusCode).toBe(200);
    expect(thumbnail.headers['content-type']).toBe('image/png');
    expect(thumbnail.rawPayload.equals(query)).toBe(true);
    expect((await app.inject({ url: '/v1/info' })).json().images.labels).toContain('shoe');

    const again = await post('/v1/images?id=new-1', auth, query);
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).code).toBe('IMAGE_EXISTS');

    const removed = await app.inject({ method: 'DELETE', url: '/v1/images/new-1', headers: auth });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json()).toEqual({ id: 'new-1', seq: 3, count: 201 });
    const gone = await app.inject({ method: 'DELETE', url: '/v1/images/new-1', headers: auth });
    expect(gone.statusCode).toBe(404);
    expect(errorOf(gone).code).toBe('UNKNOWN_IMAGE');
    expect((await post('/v1/images/similar?k=1', {}, query)).json().hits[0].id).not.toBe('new-1');
    expect((await app.inject({ url: '/v1/info' })).json().images.labels).not.toContain('shoe');
  });

  it('refuses bad uploads with a code and a reason, recording nothing', async () => {
    const app = service.app;
    const post = (url: string, payload: Buffer) =>
      app.inject({
        method: 'POST',
        url,
        headers: { ...auth, 'content-type': 'image/png' },
        payload,
      });
    const cases: [string, Buffer, number, string][] = [
      ['/v1/images?id=x', Buffer.from('not an image'), 400, 'INVALID_IMAGE'],
      ['/v1/images?id=x', Buffer.alloc(0), 400, 'INVALID_IMAGE'],
      ['/v1/images', query, 400, 'INVALID_REQUEST'],
      [
        `/v1/images?id=x&metadata=${encodeURIComponent('{"source":"/etc/passwd"}')}`,
        query,
        400,
        'INVALID_REQUEST',
      ],
      ['/v1/images?id=x&metadata=%5B1%5D', query, 400, 'INVALID_REQUEST'],
      ['/v1/images?id=x&embedderVersion=onnx:0123456789abcdef', query, 409, 'EMBEDDER_MISMATCH'],
    ];
    for (const [url, payload, status, code] of cases) {
      const response = await post(url, payload);
      expect(response.statusCode, `${url}: ${response.body}`).toBe(status);
      expect(errorOf(response).code).toBe(code);
    }
    // A header declaring 50 megapixels: refused before decoding, naming the limit.
    const header = Buffer.alloc(13);
    header.writeUInt32BE(8000, 0);
    header.writeUInt32BE(6250, 4);
    header[8] = 8;
    header[9] = 2;
    const chunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type), data]);
      const out = Buffer.alloc(body.length + 8);
      out.writeUInt32BE(data.length, 0);
      body.copy(out, 4);
      out.writeUInt32BE(zlib.crc32(body), body.length + 4);
      return out;
    };
    const big = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', zlib.deflateSync(Buffer.alloc(100))),
      chunk('IEND', Buffer.alloc(0)),
    ]);
    const tooLarge = await post('/v1/images?id=x', big);
    expect(tooLarge.statusCode).toBe(422);
    expect(errorOf(tooLarge)).toMatchObject({
      code: 'IMAGE_TOO_LARGE',
      message: expect.stringMatching(/8000×6250.*maxPixels/),
    });
    const similar = await app.inject({
      method: 'POST',
      url: '/v1/images/similar',
      headers: { 'content-type': 'image/png' },
      payload: big,
    });
    expect(similar.statusCode).toBe(422);
    expect((await app.inject({ url: '/v1/info' })).json().images.count).toBe(201);
  });

  it('keeps every change across a reload of the same folder, and takes changes after it', async () => {
    const folder = await freshIndex('reload');
    const live = await createService({ imageIndexDir: folder, adminToken: TOKEN, logger: false });
    const post = (id: string) =>
      live.app.inject({
        method: 'POST',
        url: `/v1/images?id=${id}`,
        headers: { ...auth, 'content-type': 'image/png' },
        payload: query,
      });
    expect((await post('before-reload')).statusCode).toBe(201);
    const reload = await live.app.inject({
      method: 'POST',
      url: '/admin/reload',
      headers: auth,
      payload: { imageIndexDir: folder },
    });
    expect(reload.statusCode, reload.body).toBe(200);
    expect((await post('after-reload')).statusCode).toBe(201);
    const info = (await live.app.inject({ url: '/v1/info' })).json().images;
    expect(info.count).toBe(202);
    await live.close();
    // The journal holds both; the lock was released at close.
    const reopened = await createService({
      imageIndexDir: folder,
      adminToken: TOKEN,
      logger: false,
    });
    expect((await reopened.app.inject({ url: '/v1/info' })).json().images.count).toBe(202);
    await reopened.close();
  });

  it('keeps the catalogue read-only without an admin token', async () => {
    const readOnly = await createService({
      imageIndexDir: await freshIndex('read-only'),
      logger: false,
    });
    const response = await readOnly.app.inject({
      method: 'POST',
      url: '/v1/images?id=x',
      headers: { 'content-type': 'image/png' },
      payload: query,
    });
    expect(response.statusCode).toBe(404);
    expect(errorOf(response).message).toMatch(/admin token/);
    expect((await readOnly.app.inject({ url: '/v1/info' })).json().images.live).toBe(false);
    await readOnly.close();
  });
});

describe('an acknowledged add survives SIGKILL and a restart', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  async function start(indexDir: string): Promise<{ child: ChildProcess; url: string }> {
    const script = fileURLToPath(new URL('./helpers/serve-images.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@mlsd/source', script, indexDir, TOKEN],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.on('exit', (code) => reject(new Error(`service exited with ${code}`)));
    });
    return { child, url };
  }

  it('finds the image after kill -9 and a new process on the same folder', async () => {
    const indexDir = await freshIndex('crash');
    const first = await start(indexDir);
    const added = await fetch(`${first.url}/v1/images?id=after-crash&label=kept`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'image/png' },
      body: query,
    });
    expect(added.status).toBe(201);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await start(indexDir);
    const similar = await fetch(`${second.url}/v1/images/similar?k=1`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: query,
    });
    const body = (await similar.json()) as { hits: { id: string; label: string }[] };
    expect(body.hits[0]).toMatchObject({ id: 'after-crash', label: 'kept' });
    second.child.kill('SIGTERM');
  }, 90_000);
});
