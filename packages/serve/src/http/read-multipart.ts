import type { FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';

/** Largest text field of a multipart form, bytes (`k`, `label`: a few characters). */
export const MULTIPART_FIELD_LIMIT_BYTES = 1024;

/** Limits of one multipart form (the route registers @fastify/multipart with the same). */
export interface MultipartLimits {
  /** Largest whole body, bytes: the service's body limit, as for JSON and raw bodies. */
  bodyLimitBytes: number;
  /** Largest text field value, bytes. */
  fieldLimitBytes: number;
}

/** A multipart form read into memory. */
export interface MultipartForm {
  /** Bytes of each file part, by field name (the last one wins). */
  files: Record<string, Buffer>;
  /** Text fields, by name. */
  fields: Record<string, string>;
}

function tooLarge(message: string): HttpError {
  return new HttpError(413, 'PAYLOAD_TOO_LARGE', message);
}

/**
 * Reads a multipart/form-data body within the same byte limit as JSON and raw bodies: a
 * declared Content-Length over it is refused before reading, and the bytes actually received
 * are counted, so a body without a length (chunked) is cut off as soon as it passes the limit
 * instead of being read to its end. A text field over `fieldLimitBytes` (or a field name over
 * busboy's 100 bytes) is refused, never truncated. Refusals are 413 PAYLOAD_TOO_LARGE; the error
 * handler closes the connection so the unread rest is never drained.
 * @throws HttpError 413 for the limits above; 400 INVALID_IMAGE for a form that cannot be parsed.
 */
export async function readMultipartForm(
  request: FastifyRequest,
  limits: MultipartLimits,
): Promise<MultipartForm> {
  const limit = limits.bodyLimitBytes;
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw tooLarge(`The form declares ${declared} bytes; the limit is ${limit} bytes.`);
  }
  const raw = request.raw;
  let fail: (error: HttpError) => void = () => {};
  const overLimit = new Promise<never>((_resolve, reject) => {
    fail = reject;
  });
  overLimit.catch(() => {});
  // parts() pipes the body into the parser synchronously, so counting from here sees every byte.
  const parts = request
    .parts({ limits: { fieldSize: limits.fieldLimitBytes } })
    [Symbol.asyncIterator]();
  let received = 0;
  const count = (chunk: Buffer) => {
    received += chunk.length;
    if (received <= limit) return;
    raw.off('data', count);
    raw.unpipe();
    raw.pause();
    fail(tooLarge(`The form is larger than the limit of ${limit} bytes.`));
  };
  raw.on('data', count);
  const form: MultipartForm = { files: {}, fields: {} };
  try {
    for (;;) {
      const next = await Promise.race([parts.next(), overLimit]);
      if (next.done === true) break;
      const part = next.value;
      if ('fieldnameTruncated' in part && part.fieldnameTruncated === true) {
        throw tooLarge('A form field name is longer than 100 bytes.');
      }
      if (part.type === 'file') {
        form.files[part.fieldname] = await Promise.race([part.toBuffer(), overLimit]);
      } else if (part.valueTruncated) {
        throw tooLarge(
          `The form field "${part.fieldname}" is longer than ${limits.fieldLimitBytes} bytes.`,
        );
      } else if (typeof part.value === 'string') {
        form.fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // Size and count limits of the parser keep their 413; anything else is a broken form.
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status !== 500) throw error;
    throw new HttpError(
      400,
      'INVALID_IMAGE',
      `The multipart form could not be read (${(error as Error).message}); send a well-formed multipart/form-data body.`,
      { cause: error },
    );
  } finally {
    raw.off('data', count);
  }
  return form;
}
