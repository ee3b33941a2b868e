import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { HttpError } from './http-error.js';

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * 415 for a body that is not declared JSON (before it is validated). A callback hook, not an
 * async one: it runs on every scoring request, and an async hook costs a promise each time.
 */
export function requireJson(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const type = request.headers['content-type'];
  if (type === undefined || !JSON_TYPE.test(type)) {
    done(
      new HttpError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        `Send the body as JSON with Content-Type: application/json (got ${type ?? 'no content type'}).`,
      ),
    );
    return;
  }
  done();
}
