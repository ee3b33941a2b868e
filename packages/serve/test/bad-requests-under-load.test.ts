import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HandbookTransaction } from '@mlsd/fraud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../src/index.js';
import { buildTestArtifacts, type TestArtifacts } from './fixtures.js';

/** Small so that an oversized body is cheap to send. */
const BODY_LIMIT = 64 * 1024;
const LOAD_MS = 2_000;
const IMAGE_CLIENTS = 3;
const BAD_ROUNDS = 3;
/** Good requests of each kind (fraud, images) the test waits for before it stops. */
const MIN_GOOD = 20;

/** One request of the bad corpus and the answer it must get. */
interface BadRequest {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  contentType?: string;
  body?: string | Uint8Array;
  status: number;
  code: string;
  /** Words the error message must contain, so a person can act on it. */
  mentions?: string[];
}

interface Answer {
  status: number;
  body: unknown;
}

async function send(base: string, request: BadRequest): Promise<Answer> {
  const response = await fetch(`${base}${request.path}`, {
    method: request.method,
    ...(request.contentType === undefined
      ? {}
      : { headers: { 'content-type': request.contentType } }),
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, body };
}

function badCorpus(artifacts: TestArtifacts): BadRequest[] {
  const valid = artifacts.transactions[0]!;
  const fresh = { ...valid, TRANSACTION_ID: 2_000_000_000 };
  const json = 'application/json';
  const score = '/v1/fraud/score';
  const similar = '/v1/images/similar?k=5';
  const png = artifacts.sampleImagePng;
  const oversizedJson = JSON.stringify({ ...fresh, padding: 'x'.repeat(BODY_LIMIT + 10) });
  const oversizedImage = new Uint8Array(BODY_LIMIT + 1024);
  oversizedImage.set(png);
  const garbage = Uint8Array.from({ length: 2_000 }, (_, i) => (i * 7919) % 251);
  const corruptPng = new Uint8Array(png.length);
  corruptPng.set(png.subarray(0, 16));
  corruptPng.set(garbage.subarray(0, png.length - 16), 16);
  return [
    // Fraud scoring
    {
      name: 'malformed JSON',
      method: 'POST',
      path: score,
      contentType: json,
      body: '{"TRANSACTION_ID": 1, "CUSTOMER_ID": ',
      status: 400,
      code: 'INVALID_JSON',
    },
    {
      name: 'wrong type (amount as text)',
      method: 'POST',
      path: score,
      contentType: json,
      body: JSON.stringify({ ...fresh, TX_AMOUNT: 'lots' }),
      status: 400,
      code: 'INVALID_TRANSACTION',
      mentions: ['TX_AMOUNT'],
    },
    {
      name: 'missing fields',
      method: 'POST',
      path: score,
      contentType: json,
      body: JSON.stringify({ TRANSACTION_ID: 2_000_000_001, TX_AMOUNT: 10 }),
      status: 400,
      code: 'INVALID_TRANSACTION',
      mentions: ['CUSTOMER_ID', 'TERMINAL_ID', 'TX_TIME_SECONDS'],
    },
    {
      name: 'negative amount',
      method: 'POST',
      path: score,
      contentType: json,
      body: JSON.stringify({ ...fresh, TX_AMOUNT: -5 }),
      status: 400,
      code: 'INVALID_TRANSACTION',
      mentions: ['TX_AMOUNT'],
    },
    {
      name: 'unknown field',
      method: 'POST',
      path: score,
      contentType: json,
      body: JSON.stringify({ ...fresh, CARD_NUMBER: '4111' }),
      status: 400,
      code: 'INVALID_TRANSACTION',
      mentions: ['CARD_NUMBER'],
    },
    {
      name: 'a bare number',
      method: 'POST',
      path: score,
      contentType: json,
      body: '42',
      status: 400,
      code: 'INVALID_TRANSACTION',
    },
    {
      name: 'a bad row in a batch',
      method: 'POST',
      path: score,
      contentType: json,
      body: JSON.stringify([fresh, { ...fresh, TRANSACTION_ID: 2_000_000_002, CUSTOMER_ID: [1] }]),
      status: 400,
      code: 'INVALID_TRANSACTION',
      mentions: ['CUSTOMER_ID'],
    },
    {
      name: 'oversized JSON body',
      method: 'POST',
      path: score,
      contentType: json,
      body: oversizedJson,
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'wrong content type for a transaction',
      method: 'POST',
      path: score,
      contentType: 'text/plain',
      body: JSON.stringify(fresh),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'a transaction older than the state clock',
      method: 'POST',
      path: score,
      contentType: json,
      body: JSON.stringify({ ...fresh, TRANSACTION_ID: 2_000_000_003, TX_TIME_SECONDS: 0 }),
      status: 409,
      code: 'OUT_OF_ORDER',
    },
    {
      name: 'a repeated transaction id',
      method: 'POST',
      path: score,
      contentType: json,
      // Already scored before the load starts; its time is ahead of the good stream's.
      body: JSON.stringify({ ...valid, TX_TIME_SECONDS: valid.TX_TIME_SECONDS + 20 * 86_400 }),
      status: 409,
      code: 'DUPLICATE_TRANSACTION',
    },
    {
      name: 'label of an unknown transaction',
      method: 'POST',
      path: '/v1/fraud/label',
      contentType: json,
      body: JSON.stringify({ transactionId: 1_999_999_999, fraud: 1 }),
      status: 404,
      code: 'UNKNOWN_TRANSACTION',
    },
    // Similar images
    {
      name: 'corrupt image bytes (PNG signature, garbage after)',
      method: 'POST',
      path: similar,
      contentType: 'image/png',
      body: corruptPng,
      status: 400,
      code: 'INVALID_IMAGE',
    },
    {
      name: 'truncated PNG',
      method: 'POST',
      path: similar,
      contentType: 'image/png',
      body: png.subarray(0, Math.floor(png.length / 2)),
      status: 400,
      code: 'INVALID_IMAGE',
    },
    {
      name: 'a text file sent as an image',
      method: 'POST',
      path: similar,
      contentType: 'image/png',
      body: 'These are notes, not a picture.\n',
      status: 400,
      code: 'INVALID_IMAGE',
    },
    {
      name: 'an empty image body',
      method: 'POST',
      path: similar,
      contentType: 'application/octet-stream',
      body: new Uint8Array(0),
      status: 400,
      code: 'INVALID_IMAGE',
    },
    {
      name: 'oversized image',
      method: 'POST',
      path: similar,
      contentType: 'image/png',
      body: oversizedImage,
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'wrong content type for an image',
      method: 'POST',
      path: similar,
      contentType: 'text/plain',
      body: 'not an image upload',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'k = 0',
      method: 'POST',
      path: '/v1/images/similar?k=0',
      contentType: 'image/png',
      body: png,
      status: 400,
      code: 'INVALID_QUERY',
    },
    {
      name: 'k = abc',
      method: 'POST',
      path: '/v1/images/similar?k=abc',
      contentType: 'image/png',
      body: png,
      status: 400,
      code: 'INVALID_QUERY',
    },
    {
      name: 'k = 2.5',
      method: 'POST',
      path: '/v1/images/similar?k=2.5',
      contentType: 'image/png',
      body: png,
      status: 400,
      code: 'INVALID_QUERY',
    },
    {
      name: 'thumbnail of an unknown image',
      method: 'GET',
      path: '/v1/images/no-such-image/thumbnail',
      status: 404,
      code: 'UNKNOWN_IMAGE',
    },
    // Anything else
    {
      name: 'unknown route',
      method: 'GET',
      path: '/v1/does-not-exist',
      status: 404,
      code: 'NOT_FOUND',
    },
  ];
}

/** Transactions after the fixtures' ones: new ids, one minute apart, in time order. */
function* goodTransactions(first: readonly HandbookTransaction[]): Generator<HandbookTransaction> {
  yield* first;
  const last = first[first.length - 1]!;
  for (let i = 1; ; i++) {
    yield {
      TRANSACTION_ID: last.TRANSACTION_ID + 1_000_000 + i,
      TX_TIME_SECONDS: last.TX_TIME_SECONDS + 60 * i,
      CUSTOMER_ID: (i * 37) % 300,
      TERMINAL_ID: (i * 101) % 600,
      TX_AMOUNT: 5 + ((i * 13) % 140),
    };
  }
}

describe('bad requests while good traffic runs', () => {
  let dir: string;
  let artifacts: TestArtifacts;
  let service: Service;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlsd-serve-bad-'));
    artifacts = await buildTestArtifacts(dir);
    service = await createService({
      fraudModelDir: artifacts.fraudModelDir,
      imageIndexDir: artifacts.imageIndexDir,
      logger: false,
      bodyLimitBytes: BODY_LIMIT,
    });
    base = await service.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await service?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('answers every bad request with its 4xx and code, and every good one with 200', async () => {
    const corpus = badCorpus(artifacts);
    const stream = goodTransactions(artifacts.transactions);
    const goodFailures: string[] = [];
    let goodFraud = 0;
    let goodImages = 0;
    // Good clients run until the bad corpus is done and each kind has answered a few times: a
    // count, not a wall-clock floor, so a loaded machine slows the test instead of failing it.
    let badDone = false;
    const stop = () => badDone && goodFraud >= MIN_GOOD && goodImages >= MIN_GOOD;

    // One client scores transactions in time order (the online state refuses older ones, so
    // concurrent scorers could overtake each other); it starts before the bad corpus so the
    // repeated-id request has something to repeat.
    const scoreOne = async () => {
      const transaction = stream.next().value as HandbookTransaction;
      const response = await fetch(`${base}/v1/fraud/score`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(transaction),
      });
      const body = (await response.json()) as { transactionId?: string; decision?: string };
      if (
        response.status !== 200 ||
        body.transactionId !== String(transaction.TRANSACTION_ID) ||
        (body.decision !== 'alert' && body.decision !== 'pass')
      ) {
        goodFailures.push(
          `fraud ${transaction.TRANSACTION_ID}: ${response.status} ${JSON.stringify(body)}`,
        );
      } else {
        goodFraud++;
      }
    };
    await scoreOne();
    const fraudClient = async () => {
      while (!stop()) await scoreOne();
    };
    const imageClient = async (client: number) => {
      for (let i = 0; !stop(); i++) {
        const k = 3 + ((client + i) % 5);
        const response = await fetch(`${base}/v1/images/similar?k=${k}`, {
          method: 'POST',
          headers: { 'content-type': 'image/png' },
          body: artifacts.sampleImagePng,
        });
        const body = (await response.json()) as { hits?: unknown[] };
        if (response.status !== 200 || body.hits?.length !== k) {
          goodFailures.push(`image k=${k}: ${response.status} ${JSON.stringify(body)}`);
        } else {
          goodImages++;
        }
      }
    };

    const answers: { request: BadRequest; answer: Answer }[] = [];
    let goodDuringBad = 0;
    const badClient = async () => {
      for (let round = 0; round < BAD_ROUNDS; round++) {
        // All of a round at once, then a pause: bursts of bad traffic in the middle of the good.
        const results = await Promise.all(corpus.map((request) => send(base, request)));
        for (const [i, answer] of results.entries()) answers.push({ request: corpus[i]!, answer });
        await new Promise((resolve) => setTimeout(resolve, LOAD_MS / (BAD_ROUNDS + 1)));
      }
      goodDuringBad = goodFraud + goodImages;
      badDone = true;
    };

    const good = [
      fraudClient(),
      ...Array.from({ length: IMAGE_CLIENTS }, (_, c) => imageClient(c)),
    ];
    await Promise.all([badClient(), ...good]);

    // Every bad request got its own status and stable code, with a message.
    expect(answers).toHaveLength(corpus.length * BAD_ROUNDS);
    const wrong = answers
      .filter(({ request, answer }) => {
        const error = (answer.body as { error?: { code?: unknown; message?: unknown } }).error;
        return (
          answer.status !== request.status ||
          error?.code !== request.code ||
          typeof error.message !== 'string' ||
          error.message.length < 10 ||
          !(request.mentions ?? []).every((word) => (error.message as string).includes(word))
        );
      })
      .map(
        ({ request, answer }) =>
          `${request.name}: expected ${request.status} ${request.code}, got ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`,
      );
    expect(wrong).toEqual([]);

    // The good traffic was unaffected: all 200, and it kept flowing between the bad bursts.
    expect(goodFailures).toEqual([]);
    expect(goodDuringBad).toBeGreaterThan(0);

    // The process is healthy, ready, and still scores.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    await scoreOne();
    expect(goodFailures).toEqual([]);
  });
});
