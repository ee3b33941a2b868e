import { InvalidDataError, NotFoundError } from '@mlsd/core';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { handleError } from '../src/http/error-handler.js';
import { HttpError } from '../src/http/http-error.js';

/** A bare fastify app with the service's error handler and routes that throw `error`. */
async function answerFor(error: Error) {
  const app = Fastify({ logger: false });
  app.setErrorHandler(handleError);
  app.get('/boom', async () => {
    throw error;
  });
  const response = await app.inject({ url: '/boom' });
  await app.close();
  return {
    status: response.statusCode,
    body: response.json() as { error: Record<string, string> },
  };
}

describe('errors no route turned into an answer (issue 13, item 15)', () => {
  it('a model failure is a 500 with a stable code, not a 400 naming an internal class', async () => {
    const failure = new InvalidDataError(
      'LogisticRegression.predictProba: X[0, 0] is Infinity; impute or drop non-finite feature values first.',
    );
    const { status, body } = await answerFor(failure);
    expect(status).toBe(500);
    expect(body.error!.code).toBe('INTERNAL');
    expect(body.error!.message).toMatch(/request \(id req-\d+\); the service log has the details/);
    expect(JSON.stringify(body)).not.toMatch(/LogisticRegression|predictProba|Infinity/);
  });

  it('any typed error that reaches the handler is ours, not the client’s', async () => {
    for (const error of [
      new NotFoundError('feature state file gone'),
      new TypeError('x is undefined'),
    ]) {
      const { status, body } = await answerFor(error);
      expect(status).toBe(500);
      expect(body.error!.code).toBe('INTERNAL');
    }
  });

  it('an HttpError keeps its status, code and message', async () => {
    const { status, body } = await answerFor(new HttpError(409, 'OUT_OF_ORDER', 'older than 12'));
    expect(status).toBe(409);
    expect(body.error).toEqual({ code: 'OUT_OF_ORDER', message: 'older than 12' });
  });
});
