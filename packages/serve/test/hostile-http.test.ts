import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service, type ServiceOptions } from '../src/index.js';
import { buildTestArtifacts, type TestArtifacts } from './fixtures.js';
import { multipartBody } from './http-helpers.js';
import { postHead, RawClient } from './raw-client.js';

let dir: string;
let artifacts: TestArtifacts;
/** Next unused fixture transaction (the online state only moves forward in time). */
let cursor = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-serve-hostile-'));
  artifacts = await buildTestArtifacts(join(dir, 'artifacts'));
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `body` against a listening service with `options`, closing it afterwards. */
async function withService(
  options: Omit<ServiceOptions, 'fraudModelDir' | 'imageIndexDir' | 'logger'>,
  body: (service: Service, port: number, base: string) => Promise<void>,
): Promise<void> {
  const service = await createService({
    fraudModelDir: artifacts.fraudModelDir,
    imageIndexDir: artifacts.imageIndexDir,
    logger: false,
    ...options,
  });
  try {
    const base = await service.listen({ port: 0 });
    await body(service, Number(new URL(base).port), base);
  } finally {
    await service.close();
  }
}

/** The service still scores a fresh transaction over HTTP. */
async function expectStillScoring(base: string): Promise<void> {
  const transaction = artifacts.transactions[cursor++]!;
  const response = await fetch(`${base}/v1/fraud/score`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(transaction),
  });
  expect(response.status).toBe(200);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function errorOf(value: unknown): { code: string; message: string } {
  return (value as { error: { code: string; message: string } }).error;
}

describe('slow bodies and shutdown (issue 13, item 4)', () => {
  it('answers a body drip-fed one byte at a time with 408 and our error body, then closes', async () => {
    await withService({ requestTimeoutMs: 600 }, async (_service, port, base) => {
      const client = new RawClient(port);
      await client.connected;
      client.write(
        postHead('/v1/fraud/score', { 'content-type': 'application/json', 'content-length': 200 }),
      );
      // A byte every 100 ms keeps the socket busy: only a whole-request deadline ends it.
      const drip = setInterval(() => client.write('{'), 100);
      const exchange = await client.closedByServer();
      clearInterval(drip);
      expect(exchange.status).toBe(408);
      expect(errorOf(exchange.json).code).toBe('REQUEST_TIMEOUT');
      expect(errorOf(exchange.json).message).toMatch(/600 ms/);
      await expectStillScoring(base);
    });
  });

  it('closes 1,000 half-sent bodies and keeps serving', async () => {
    await withService({ requestTimeoutMs: 1_000 }, async (_service, port, base) => {
      const clients = Array.from({ length: 1_000 }, () => new RawClient(port));
      await Promise.all(clients.map((client) => client.connected));
      for (const client of clients) {
        client.write(
          postHead('/v1/fraud/score', {
            'content-type': 'application/json',
            'content-length': 500,
          }),
        );
        client.write('{"TRANSACTION_ID": 1');
      }
      const exchanges = await Promise.all(clients.map((client) => client.closedByServer()));
      expect(exchanges.every((exchange) => exchange.closed)).toBe(true);
      expect(new Set(exchanges.map((exchange) => exchange.status))).toEqual(new Set([408]));
      await expectStillScoring(base);
    });
  }, 30_000);

  it('closes a connection that never finishes its headers', async () => {
    await withService(
      { requestTimeoutMs: 2_000, headersTimeoutMs: 500 },
      async (_service, port) => {
        const client = new RawClient(port);
        await client.connected;
        client.write('POST /v1/fraud/score HTTP/1.1\r\nHost: x\r\n');
        const drip = setInterval(() => client.write('X-Slow: 1\r\n'), 100);
        const exchange = await client.closedByServer();
        clearInterval(drip);
        expect(exchange.status).toBe(408);
        expect(errorOf(exchange.json).code).toBe('REQUEST_TIMEOUT');
      },
    );
  });

  it('close() ends after the shutdown deadline even while a slow client holds a request open', async () => {
    const service = await createService({
      fraudModelDir: artifacts.fraudModelDir,
      logger: false,
      requestTimeoutMs: 120_000,
      shutdownTimeoutMs: 300,
    });
    const base = await service.listen({ port: 0 });
    const client = new RawClient(Number(new URL(base).port));
    await client.connected;
    client.write(
      postHead('/v1/fraud/score', { 'content-type': 'application/json', 'content-length': 100 }),
    );
    client.write('{');
    await sleep(100);
    let closed = false;
    const closing = service.close().then(() => {
      closed = true;
    });
    await sleep(50);
    // Draining: the deadline has not passed, the slow request is still open.
    expect(closed).toBe(false);
    expect(client.exchange.closed).toBe(false);
    await closing;
    expect((await client.closedByServer()).closed).toBe(true);
  });
});

describe('multipart has the same byte limits as JSON and raw bodies (item 5)', () => {
  /** Streams `total` bytes of a multipart file part, counting what got written before an answer. */
  function streamMultipart(
    port: number,
    total: number,
    headers: Record<string, string | number>,
  ): Promise<{ status: number; body: string; written: number }> {
    const boundary = 'hostile-boundary';
    return new Promise((resolve, reject) => {
      let written = 0;
      let answered = false;
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/images/similar',
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...headers },
        },
        (res) => {
          answered = true;
          let body = '';
          res.on('data', (chunk) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, written }));
        },
      );
      req.on('error', (error) => {
        if (!answered) reject(error);
      });
      req.write(
        `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`,
      );
      const chunk = Buffer.alloc(64 * 1024, 7);
      const pump = () => {
        while (!answered && written < total) {
          written += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        if (!answered) req.end(`\r\n--${boundary}--\r\n`);
      };
      pump();
    });
  }

  it('refuses an oversized multipart upload with 413 before reading it to the end', async () => {
    await withService({ bodyLimitBytes: 64 * 1024 }, async (_service, port, base) => {
      const total = 64 * 1024 * 1024;
      const streamed = await streamMultipart(port, total, { 'transfer-encoding': 'chunked' });
      expect(streamed.status).toBe(413);
      expect(errorOf(JSON.parse(streamed.body)).code).toBe('PAYLOAD_TOO_LARGE');
      // The answer came while most of the body was still unsent (kernel buffers hold a few MB).
      expect(streamed.written).toBeLessThan(total / 4);
      await expectStillScoring(base);
    });
  });

  it('refuses a declared Content-Length over the limit at once', async () => {
    await withService({ bodyLimitBytes: 64 * 1024 }, async (_service, port) => {
      const client = new RawClient(port);
      await client.connected;
      client.write(
        postHead('/v1/images/similar', {
          'content-type': 'multipart/form-data; boundary=b',
          'content-length': 200 * 1024 * 1024,
        }),
      );
      client.write('--b\r\n');
      const exchange = await client.closedByServer();
      expect(exchange.status).toBe(413);
      expect(errorOf(exchange.json).code).toBe('PAYLOAD_TOO_LARGE');
      expect(errorOf(exchange.json).message).toMatch(/65536 bytes/);
    });
  });

  it('refuses a form field over the field limit instead of truncating it', async () => {
    await withService({}, async (service) => {
      // Truncated to its first 1 KiB, this k would read as "1": a silently different query.
      const form = multipartBody([
        { name: 'k', value: `1${' '.repeat(1_100)}0` },
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
      expect(response.statusCode).toBe(413);
      expect(errorOf(response.json()).code).toBe('PAYLOAD_TOO_LARGE');
      expect(errorOf(response.json()).message).toMatch(/field "k".*1024 bytes/);
    });
  });
});

describe('error bodies stay small (item 6)', () => {
  it('refuses a JSON body over the JSON limit before parsing it', async () => {
    await withService({}, async (service) => {
      const [transaction] = artifacts.transactions;
      const payload = JSON.stringify({ ...transaction, padding: 'x'.repeat(2 * 1024 * 1024) });
      const response = await service.app.inject({
        method: 'POST',
        url: '/v1/fraud/score',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode).toBe(413);
      expect(errorOf(response.json()).code).toBe('PAYLOAD_TOO_LARGE');
      expect(response.headers.connection).toBe('close');
    });
  });

  it('caps the issues listed for a batch of objects full of unknown keys', async () => {
    const limit = 16 * 1024 * 1024;
    await withService({ bodyLimitBytes: limit, jsonBodyLimitBytes: limit }, async (service) => {
      // 1,000 transactions, each with 300 fields the schema does not know (~6 MB of JSON).
      const unknown = Array.from({ length: 300 }, (_, k) => `"UNKNOWN_KEY_${k}":${k}`).join(',');
      const one = JSON.stringify(artifacts.transactions[0]).slice(0, -1);
      const payload = `[${Array.from({ length: 1_000 }, () => `${one},${unknown}}`).join(',')}]`;
      expect(payload.length).toBeGreaterThan(5_000_000);
      const response = await service.app.inject({
        method: 'POST',
        url: '/v1/fraud/score',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.body.length).toBeLessThan(8_192);
      const { code, message } = errorOf(response.json());
      expect(code).toBe('INVALID_TRANSACTION');
      expect(message).toMatch(/^transaction \[0\]: unknown field "UNKNOWN_KEY_0"/);
      expect(message).toMatch(/and \d+ more unknown fields/);
    });
  });
});

describe('Node-level errors, addresses and internal failures (item 15)', () => {
  it('answers oversized headers and malformed HTTP with our error body', async () => {
    await withService({}, async (_service, port, base) => {
      const big = new RawClient(port);
      await big.connected;
      big.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
      const headers = await big.closedByServer();
      expect(headers.status).toBe(431);
      expect(errorOf(headers.json).code).toBe('HEADERS_TOO_LARGE');

      const garbled = new RawClient(port);
      await garbled.connected;
      garbled.write('NOT AN HTTP REQUEST\r\n\r\n');
      const bad = await garbled.closedByServer();
      expect(bad.status).toBe(400);
      expect(errorOf(bad.json).code).toBe('INVALID_REQUEST');
      await expectStillScoring(base);
    });
  });

  it('answers an unsupported Expect header and a path with route syntax with our error body (found by fuzzing)', async () => {
    await withService({}, async (service, port, base) => {
      const client = new RawClient(port);
      await client.connected;
      client.write('GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: tea\r\nConnection: close\r\n\r\n');
      const expectation = await client.closedByServer();
      expect(expectation.status).toBe(417);
      expect(errorOf(expectation.json).code).toBe('EXPECTATION_FAILED');
      // fastify's hasRoute reads its argument as a pattern: "*" mid-path made it throw (500).
      for (const url of ['/*%7CW%20@5;', '/v1/*/x', '/:id/thumbnail']) {
        const response = await service.app.inject({ method: 'PUT', url });
        expect(response.statusCode).toBe(404);
        expect(errorOf(response.json()).code).toBe('NOT_FOUND');
      }
      const wrongMethod = await service.app.inject({
        method: 'POST',
        url: '/v1/images/x/thumbnail',
      });
      expect(wrongMethod.statusCode).toBe(405);
      expect(wrongMethod.headers.allow).toBe('GET');
      await expectStillScoring(base);
    });
  });

  it('listen on 0.0.0.0 reports 0.0.0.0, not loopback', async () => {
    const service = await createService({ imageIndexDir: artifacts.imageIndexDir, logger: false });
    try {
      const url = await service.listen({ host: '0.0.0.0', port: 0 });
      expect(url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
      expect((await fetch(`http://127.0.0.1:${new URL(url).port}/healthz`)).status).toBe(200);
    } finally {
      await service.close();
    }
  });
});
