/**
 * Fuzzing the HTTP service: JSON, raw and multipart bodies, query strings, paths, methods and
 * headers (the last over real sockets, through Node's HTTP parser). Properties: every answer is
 * a 2xx, or a 4xx with our `{ error: { code, message } }` body; and after each property the
 * service still answers its health check, scores a fresh transaction and finds similar images,
 * so no input poisons later requests.
 *
 * Deliberately out of range here, because other items of issue 13 own them: transaction times
 * far in the future (item 7) and amounts the model cannot take (item 8) — generated values stay
 * within a day of the state's clock and below 1e9.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createService, type Service } from '@mlsd/serve';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestArtifacts, type TestArtifacts } from '../../packages/serve/test/fixtures.js';
import { multipartBody } from '../../packages/serve/test/http-helpers.js';
import { budget, timeoutFor } from './fuzz-budget.js';

let dir: string;
let artifacts: TestArtifacts;
let service: Service;
let base: string;
let port: number;
/** Ids far above the fixtures', one per transaction the suite sends. */
let nextId = 1_900_000_000;

const BODY_LIMIT = 256 * 1024;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-fuzz-http-'));
  artifacts = await buildTestArtifacts(join(dir, 'artifacts'));
  service = await createService({
    fraudModelDir: artifacts.fraudModelDir,
    imageIndexDir: artifacts.imageIndexDir,
    logger: false,
    bodyLimitBytes: BODY_LIMIT,
    jsonBodyLimitBytes: 64 * 1024,
    requestTimeoutMs: 2_000,
    driftCheckEvery: 20,
    driftWindowRows: 50,
    driftMinIntervalMs: 0,
  });
  base = await service.listen({ port: 0 });
  port = Number(new URL(base).port);
}, 120_000);

afterAll(async () => {
  await service?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: string;
}

/** A 2xx, or a 4xx whose body is our error shape with a stable code and a message. */
function expectOurAnswer(answer: Answer, what: string): void {
  const { status, body } = answer;
  if (status >= 200 && status < 300) return;
  expect(status, `${what} → ${status} ${body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(status, `${what} → ${status} ${body.slice(0, 300)}`).toBeLessThan(500);
  const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
  expect(parsed.error?.code, `${what}: ${body.slice(0, 300)}`).toMatch(/^[A-Z][A-Z_]+$/);
  expect(typeof parsed.error?.message).toBe('string');
  expect((parsed.error!.message as string).length).toBeGreaterThan(5);
}

/** The simulator's time column counts seconds from this midnight (UTC), the handbook preset's origin. */
const SIMULATOR_TIME_ORIGIN = Date.UTC(2018, 3, 1) / 1000;

/**
 * The state's clock (epoch seconds in `/v1/info`) in the simulator's TX_TIME_SECONDS: fuzzed
 * transactions stay near it (see the header comment).
 */
async function clock(): Promise<number> {
  const info = (await service.app.inject({ url: '/v1/info' })).json() as {
    fraud: { clock: number | null };
  };
  return info.fraud.clock === null ? 0 : info.fraud.clock - SIMULATOR_TIME_ORIGIN;
}

/** Health, a fresh transaction after the clock, and an image query all still succeed. */
async function expectStillServing(): Promise<void> {
  expect((await service.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  expect((await service.app.inject({ url: '/readyz' })).statusCode).toBe(200);
  const template = artifacts.transactions[0]!;
  const scored = await service.app.inject({
    method: 'POST',
    url: '/v1/fraud/score',
    payload: { ...template, TRANSACTION_ID: nextId++, TX_TIME_SECONDS: (await clock()) + 1 },
  });
  expect(scored.statusCode, scored.body).toBe(200);
  const similar = await service.app.inject({
    method: 'POST',
    url: '/v1/images/similar?k=3',
    payload: artifacts.sampleImagePng,
    headers: { 'content-type': 'image/png' },
  });
  expect(similar.statusCode, similar.body).toBe(200);
  expect((similar.json() as { hits: unknown[] }).hits).toHaveLength(3);
}

/** Values that break assumptions: wrong types, edge numbers, prototype keys, deep nesting. */
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    '',
    '12',
    'NaN',
    -1,
    0,
    -0,
    0.5,
    2 ** 31,
    2 ** 53,
    1e9,
    [],
    {},
    { __proto__: { polluted: true } },
  ),
  fc.integer(),
  fc.double({ min: -1e9, max: 1e9, noNaN: true }),
  fc.string({ maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }),
);

const FIELDS = ['TRANSACTION_ID', 'TX_TIME_SECONDS', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT'];

/** A transaction near the clock with 0–3 fields broken, removed or added. */
function mutatedTransaction(now: number): fc.Arbitrary<Record<string, unknown>> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('set'), field: fc.constantFrom(...FIELDS), value: weirdValue }),
    fc.record({
      kind: fc.constant('drop'),
      field: fc.constantFrom(...FIELDS),
      value: fc.constant(0),
    }),
    fc.record({
      kind: fc.constant('add'),
      field: fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.constantFrom('__proto__', 'constructor', 'prototype'),
      ),
      value: weirdValue,
    }),
  );
  return fc
    .record({
      dt: fc.integer({ min: -1_000, max: 86_400 }),
      customer: fc.nat({ max: 400 }),
      terminal: fc.nat({ max: 700 }),
      amount: fc.double({ min: 0, max: 1e6, noNaN: true }),
      edits: fc.array(edit, { maxLength: 3 }),
    })
    .map(({ dt, customer, terminal, amount, edits }) => {
      const transaction: Record<string, unknown> = {
        TRANSACTION_ID: nextId++,
        TX_TIME_SECONDS: now + dt,
        CUSTOMER_ID: customer,
        TERMINAL_ID: terminal,
        TX_AMOUNT: amount,
      };
      for (const { kind, field, value } of edits) {
        if (kind === 'drop') delete transaction[field];
        else
          Object.defineProperty(transaction, field, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
      }
      return transaction;
    });
}

describe('POST /v1/fraud/score with hostile bodies', () => {
  it(
    'answers arbitrary JSON, mutated transactions and batches with a 2xx or our 4xx',
    async () => {
      const now = await clock();
      const body = fc.oneof(
        fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
        mutatedTransaction(now).map((t) => JSON.stringify(t)),
        fc
          .array(mutatedTransaction(now), { minLength: 0, maxLength: 6 })
          .map((b) => JSON.stringify(b)),
        fc.string({ maxLength: 200 }),
        fc.constantFrom(
          '',
          '{',
          '[',
          'null',
          '{"__proto__":{"x":1}}',
          '{"constructor":{"prototype":{"x":1}}}',
        ),
      );
      await fc.assert(
        fc.asyncProperty(
          body,
          fc.constantFrom(
            'application/json',
            'application/json; charset=utf-8',
            'text/plain',
            'application/x-www-form-urlencoded',
          ),
          async (payload, type) => {
            const response = await service.app.inject({
              method: 'POST',
              url: '/v1/fraud/score',
              headers: { 'content-type': type },
              payload,
            });
            expectOurAnswer(
              { status: response.statusCode, body: response.body },
              payload.slice(0, 200),
            );
            expect(({} as Record<string, unknown>).x).toBeUndefined();
            expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          },
        ),
        budget(1_000),
      );
      await expectStillServing();
    },
    timeoutFor(1_000, 30),
  );

  it(
    'answers hostile labels with a 2xx or our 4xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.record({ transactionId: weirdValue, fraud: weirdValue }),
            fc.record({ transactionId: fc.nat(), fraud: fc.constantFrom(0, 1) }),
            fc.jsonValue({ maxDepth: 2 }),
          ),
          async (label) => {
            const response = await service.app.inject({
              method: 'POST',
              url: '/v1/fraud/label',
              payload: JSON.stringify(label),
              headers: { 'content-type': 'application/json' },
            });
            expectOurAnswer(
              { status: response.statusCode, body: response.body },
              JSON.stringify(label),
            );
          },
        ),
        budget(200),
      );
      await expectStillServing();
    },
    timeoutFor(200, 30),
  );
});

/** A few edits to a byte string. */
function mutatedBytes(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc
    .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'cut')), {
      minLength: 1,
      maxLength: 4,
    })
    .map((edits) => {
      let bytes = Uint8Array.from(base);
      for (const [at, value, kind] of edits) {
        if (bytes.length === 0) break;
        const i = at % bytes.length;
        if (kind === 'set') bytes[i] = value;
        else bytes = bytes.subarray(0, i);
      }
      return bytes;
    });
}

describe('POST /v1/images/similar with hostile bodies, forms and queries', () => {
  it(
    'answers mutated and random image bytes under any content type with a 2xx or our 4xx',
    async () => {
      const png = Uint8Array.from(artifacts.sampleImagePng);
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            mutatedBytes(png),
            fc.uint8Array({ maxLength: 512 }),
            fc.constant(new Uint8Array(0)),
          ),
          fc.constantFrom(
            'image/png',
            'image/jpeg',
            'image/svg+xml',
            'application/octet-stream',
            'text/plain',
            'image/x-unknown',
          ),
          async (bytes, type) => {
            const response = await service.app.inject({
              method: 'POST',
              url: '/v1/images/similar?k=2',
              headers: { 'content-type': type },
              payload: Buffer.from(bytes),
            });
            expectOurAnswer(
              { status: response.statusCode, body: response.body },
              `${type} ${bytes.length} bytes`,
            );
          },
        ),
        budget(200),
      );
      await expectStillServing();
    },
    timeoutFor(200, 150),
  );

  it(
    'answers hostile multipart forms (fields, files, sizes around the limits) with a 2xx or our 4xx',
    async () => {
      const png = artifacts.sampleImagePng;
      const part = fc.oneof(
        fc.record({
          name: fc.oneof(
            fc.constantFrom('k', 'label', 'image', 'extra'),
            fc.string({ minLength: 1, maxLength: 120 }),
          ),
          value: fc.oneof(
            fc.string({ maxLength: 30 }),
            fc.integer({ min: 900, max: 1_100 }).map((n) => 'x'.repeat(n)),
          ),
        }),
        fc.record({
          name: fc.constantFrom('image', 'other'),
          filename: fc.constantFrom('a.png', '../../etc/passwd', 'x'.repeat(300)),
          contentType: fc.constantFrom('image/png', 'text/plain'),
          data: fc.oneof(
            fc.constant(png),
            fc
              .integer({ min: BODY_LIMIT - 1_024, max: BODY_LIMIT + 1_024 })
              .map((n) => new Uint8Array(n)),
            fc.uint8Array({ maxLength: 64 }),
          ),
        }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(part, { maxLength: 14 }), async (parts) => {
          const form = multipartBody(
            parts.map((p) => ({ ...p, name: p.name.replace(/["\r\n]/g, '_') })) as Parameters<
              typeof multipartBody
            >[0],
          );
          const response = await service.app.inject({
            method: 'POST',
            url: '/v1/images/similar',
            ...form,
          });
          expectOurAnswer(
            { status: response.statusCode, body: response.body },
            `${parts.length} parts`,
          );
        }),
        budget(200),
      );
      await expectStillServing();
    },
    timeoutFor(200, 150),
  );

  it(
    'answers hostile query strings, paths and methods with a 2xx or our 4xx',
    async () => {
      const query = fc
        .array(
          fc.tuple(
            fc.oneof(
              fc.constantFrom('k', 'label', 'k[]', '__proto__', 'constructor'),
              fc.string({ maxLength: 10 }),
            ),
            fc.oneof(
              fc.constantFrom('0', '1', '100', '101', '-1', '2.5', 'abc', '1e3', '', '%00', '%'),
              fc.string({ maxLength: 30 }),
            ),
          ),
          { maxLength: 4 },
        )
        .map((pairs) =>
          pairs
            .map(
              ([k, v]) => `${encodeURIComponent(k)}=${v.includes('%') ? v : encodeURIComponent(v)}`,
            )
            .join('&'),
        );
      const path = fc.oneof(
        fc.constantFrom(
          '/v1/images/similar',
          '/v1/fraud/score',
          '/v1/images/x/thumbnail',
          '/v1/images/%2e%2e%2f%2e%2e%2fetc%2fpasswd/thumbnail',
          '/admin/reload',
          '/metrics',
          '/',
          '/app.js',
          '/../../etc/passwd',
          '//v1//info',
          '/v1/info%00',
        ),
        fc.string({ maxLength: 40 }).map((s) => `/${encodeURI(s)}`),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
          path,
          query,
          async (method, p, q) => {
            const url = q === '' ? p : `${p}?${q}`;
            const response = await service.app.inject({
              method: method as 'GET',
              url,
              ...(method === 'POST' || method === 'PUT'
                ? { payload: artifacts.sampleImagePng, headers: { 'content-type': 'image/png' } }
                : {}),
            });
            if (method === 'HEAD') return; // no body to check
            expectOurAnswer(
              { status: response.statusCode, body: response.body },
              `${method} ${url}`,
            );
          },
        ),
        budget(600),
      );
      await expectStillServing();
    },
    timeoutFor(600, 20),
  );
});

/** Sends raw bytes on a fresh connection and collects the first answer (or the close). */
function rawExchange(request: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    // Only the first response counts: bytes after a refused request may get answers of their own.
    const finish = () => {
      // Interim answers (100 Continue) come before the real one.
      const text = Buffer.concat(chunks)
        .toString('latin1')
        .replace(/^(HTTP\/1\.1 1\d\d [^\r]*\r\n\r\n)+/, '');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? '' : text.slice(0, split);
      const length = /\r\ncontent-length: (\d+)/i.exec(head);
      let body = split < 0 ? '' : text.slice(split + 4);
      if (length !== null) body = body.slice(0, Number(length[1]));
      else if (/\r\ntransfer-encoding: chunked/i.test(head)) {
        let decoded = '';
        for (let at = 0; ; ) {
          const eol = body.indexOf('\r\n', at);
          const size = eol < 0 ? 0 : Number.parseInt(body.slice(at, eol), 16);
          if (!(size > 0)) break;
          decoded += body.slice(eol + 2, eol + 2 + size);
          at = eol + 2 + size + 2;
        }
        body = decoded;
      }
      resolve({ status, body });
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks)
        .toString('latin1')
        .replace(/^(HTTP\/1\.1 1\d\d [^\r]*\r\n\r\n)+/, '');
      const split = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, split));
      if (split >= 0 && length !== null && text.length >= split + 4 + Number(length[1])) finish();
      if (split >= 0 && /\r\n0\r\n\r\n$/.test(text)) finish();
    });
    socket.on('error', () => {});
    socket.on('close', finish);
    socket.write(request);
  });
}

describe('hostile HTTP over the wire (headers, request lines, lengths)', () => {
  it(
    'answers every request Node can parse or refuse with a 2xx or our 4xx, and never a default body',
    async () => {
      const tokenChar = fc.constantFrom(
        ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_!#$%&*+.^`|~'.split(''),
      );
      const header = fc.tuple(
        fc.oneof(
          fc.string({ unit: tokenChar, minLength: 1, maxLength: 30 }),
          fc.constantFrom(
            'content-length',
            'transfer-encoding',
            'content-type',
            'host',
            'expect',
            'connection',
            'x-forwarded-for',
          ),
        ),
        fc.oneof(
          fc.string({ maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, ' ')),
          fc.constantFrom(
            '-1',
            '99999999999',
            'chunked',
            'gzip, chunked',
            '100-continue',
            'multipart/form-data',
            'application/json',
          ),
          fc.integer({ min: 8_000, max: 20_000 }).map((n) => 'v'.repeat(n)),
        ),
      );
      const requestLine = fc.oneof(
        fc.constantFrom(
          'GET /healthz HTTP/1.1',
          'POST /v1/fraud/score HTTP/1.1',
          'POST /v1/images/similar HTTP/1.1',
          'GET /v1/info HTTP/1.0',
          'BREW /pot HTTP/1.1',
          'GET  HTTP/1.1',
          'GET /x HTTP/9.9',
          'GET /%zz HTTP/1.1',
        ),
        fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, '')),
      );
      await fc.assert(
        fc.asyncProperty(
          requestLine,
          fc.array(header, { maxLength: 6 }),
          fc.string({ maxLength: 80 }),
          async (line, headers, body) => {
            const lines = [line, 'Host: 127.0.0.1', ...headers.map(([n, v]) => `${n}: ${v}`)];
            // Always close: a declared length longer than the body would otherwise wait for it.
            if (
              !headers.some(
                ([n]) =>
                  n.toLowerCase() === 'content-length' || n.toLowerCase() === 'transfer-encoding',
              )
            ) {
              lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
            }
            lines.push('Connection: close');
            const answer = await rawExchange(
              Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'utf8'),
            );
            if (answer.status === 0) return; // closed without an answer (e.g. HTTP/0.9-looking garbage)
            if (line.startsWith('HEAD')) return;
            expectOurAnswer(answer, `${line} + ${headers.length} headers`);
            expect(answer.body).not.toMatch(/"statusCode":/); // fastify's default error body
          },
        ),
        budget(300),
      );
      await expectStillServing();
    },
    timeoutFor(300, 2_100),
  );
});
