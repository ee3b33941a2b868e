import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScoreRequest } from '@mlsd/fraud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../src/create-service.js';
import { buildSmallFraudModel, toRequests } from './fixtures.js';
import { useRedisServer } from './redis-server.js';

const server = useRedisServer();
const PAUSE_MS = 10_000;

interface Answer {
  status: number;
  code: string | undefined;
  /** When the answer arrived (Date.now()). */
  at: number;
}

async function post(base: string, path: string, body: unknown): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { error?: { code: string } };
  return { status: response.status, code: json.error?.code, at: Date.now() };
}

describe('fault: Redis paused with SIGSTOP for 10 s', () => {
  let dir: string;
  let requests: ScoreRequest[];
  let service: Service;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlsd-redis-paused-'));
    const later = await buildSmallFraudModel(join(dir, 'fraud-model'), {
      customers: 100,
      terminals: 200,
      laterDays: 1,
      seed: 5,
      referenceRows: 300,
    });
    requests = toRequests(later, 60);
    service = await createService({
      fraudModelDir: join(dir, 'fraud-model'),
      redisUrl: server().url,
      logger: false,
    });
    base = await service.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);

  afterAll(async () => {
    process.kill(server().pid, 'SIGCONT');
    await service?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 while Redis is stopped (not after the pause), and recovers by itself', async () => {
    for (const request of requests.slice(0, 20)) {
      expect((await post(base, '/v1/fraud/score', request)).status).toBe(200);
    }
    process.kill(server().pid, 'SIGSTOP');
    const stoppedAt = Date.now();
    let answers: Answer[];
    let ready: Answer;
    try {
      // Five at once, then five one after another: none may wait for Redis to come back.
      answers = await Promise.all(
        requests.slice(20, 25).map((request) => post(base, '/v1/fraud/score', request)),
      );
      for (const request of requests.slice(25, 30)) {
        answers.push(await post(base, '/v1/fraud/score', request));
      }
      const response = await fetch(`${base}/readyz`);
      ready = { status: response.status, code: undefined, at: Date.now() };
      const left = PAUSE_MS - (Date.now() - stoppedAt);
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
    } finally {
      process.kill(server().pid, 'SIGCONT');
    }
    const resumedAt = Date.now();
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 503, code: 'STATE_STORE_UNAVAILABLE' });
      expect(answer.at).toBeLessThan(resumedAt);
    }
    expect(ready.status).toBe(503);
    expect(ready.at).toBeLessThan(resumedAt);

    // Recovery needs nobody: the next transactions score, and /readyz says ready again.
    let recovered: Answer | undefined;
    for (const request of requests.slice(30, 60)) {
      recovered = await post(base, '/v1/fraud/score', request);
      if (recovered.status === 200) break;
    }
    expect(recovered?.status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  }, 60_000);
});
