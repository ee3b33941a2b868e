import { InvalidDataError, NotFoundError } from '@mlsd/core';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { errorCodes, handleError } from '../src/http/error-handler.js';
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

describe('a request whose client is gone', () => {
  it('gets no answer written (nothing can reach it), but its code is still recorded', async () => {
    const app = Fastify({ logger: false });
    app.setErrorHandler(handleError);
    let seen: { request: FastifyRequest; reply: FastifyReply } | undefined;
    app.addHook('onError', async (request, reply) => {
      // Runs before the error handler: the handler sees the socket already closed.
      request.raw.socket.destroy();
      seen = { request, reply };
    });
    app.get('/gone', async () => {
      throw new HttpError(400, 'INVALID_REQUEST', 'too late');
    });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const answer = await fetch(`${base}/gone`).then(
      (response) => response.status,
      () => 'closed' as const,
    );
    await app.close();
    expect(answer).toBe('closed');
    expect(seen?.reply.sent).toBe(false);
    expect(errorCodes.get(seen!.request)).toBe('INVALID_REQUEST');
  });
});
