import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';

/** 415 for a body that is not declared JSON (before it is validated). */
export async function requireJson(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const type = request.headers['content-type'];
  if (type === undefined || !/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Send the body as JSON with Content-Type: application/json (got ${type ?? 'no content type'}).`,
    );
  }
}
