import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { errorBody, HttpError, type ServiceErrorCode } from './http-error.js';

/** Per-route settings the error handler reads from `config`. */
export interface RouteErrorConfig {
  /** Code of a schema validation failure on this route (default INVALID_REQUEST). */
  validationCode?: ServiceErrorCode;
  /** What the body is, for messages ("transaction"). */
  bodyName?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig extends RouteErrorConfig {}
}

/** The code the error handler chose for a request (for the request log line). */
export const errorCodes = new WeakMap<FastifyRequest, ServiceErrorCode>();

interface ValidationIssue {
  instancePath: string;
  message?: string | undefined;
  keyword: string;
  params: Record<string, unknown>;
}

interface ZodIssueLike {
  path: PropertyKey[];
  message: string;
  code: string;
  errors?: ZodIssueLike[][];
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(root)';
}

/** Issues listed in one error message; the rest are counted ("and 2,999 more issues"). */
const MAX_ISSUES = 20;
/** Longest line of one issue (an unknown-keys issue lists every key). */
const MAX_ISSUE_CHARS = 200;

/**
 * Flattens zod issues into "field: problem" lines, at most `MAX_ISSUES` of them (each cut at
 * `MAX_ISSUE_CHARS`), and counts the rest: a batch of a thousand bad objects must not become a
 * megabyte of error. For a union (one transaction or a batch), only the branch matching the
 * value's shape is reported, so a batch with one bad field says which element and field, not
 * "invalid input".
 */
function describeIssues(
  issues: readonly ZodIssueLike[],
  value: unknown,
  prefix: PropertyKey[],
  out: { lines: string[]; more: number },
): void {
  for (const issue of issues) {
    if (
      issue.code === 'invalid_union' &&
      Array.isArray(issue.errors) &&
      issue.errors.length === 2
    ) {
      const branch = issue.errors[Array.isArray(value) ? 1 : 0]!;
      describeIssues(branch, value, [...prefix, ...issue.path], out);
      continue;
    }
    if (out.lines.length >= MAX_ISSUES) {
      out.more++;
      continue;
    }
    const path = [...prefix, ...issue.path];
    const message =
      issue.code === 'unrecognized_keys'
        ? issue.message.replace(/^Unrecognized/, 'unknown')
        : issue.message;
    const line = `${formatPath(path)}: ${message}`;
    out.lines.push(line.length > MAX_ISSUE_CHARS ? `${line.slice(0, MAX_ISSUE_CHARS)}…` : line);
  }
}

function validationMessage(
  validation: readonly ValidationIssue[],
  context: string | undefined,
  value: unknown,
  bodyName: string,
): string {
  const issues: ZodIssueLike[] = validation.map((v) => ({
    path: v.instancePath
      .split('/')
      .filter((part) => part !== '')
      .map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
    message: v.message ?? 'invalid',
    code: v.keyword,
    ...(Array.isArray(v.params.errors) ? { errors: v.params.errors as ZodIssueLike[][] } : {}),
  }));
  const what = context === 'body' ? `Invalid ${bodyName}` : `Invalid ${context ?? 'request'}`;
  const described = { lines: [] as string[], more: 0 };
  describeIssues(issues, value, [], described);
  const more =
    described.more === 0
      ? ''
      : `; and ${described.more} more issue${described.more === 1 ? '' : 's'}`;
  return `${what}: ${described.lines.join('; ')}${more}`;
}

/** Status and stable code of any error a route, a parser or a plugin throws. */
export function classifyError(
  error: unknown,
  request: FastifyRequest,
): { status: number; code: ServiceErrorCode; message: string } {
  if (error instanceof HttpError) {
    return { status: error.statusCode, code: error.code, message: error.message };
  }
  const config = (request.routeOptions?.config ?? {}) as RouteErrorConfig;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as { validationContext?: string }).validationContext;
    const value =
      context === 'querystring'
        ? request.query
        : context === 'params'
          ? request.params
          : request.body;
    return {
      status: 400,
      code: config.validationCode ?? 'INVALID_REQUEST',
      message: validationMessage(
        error.validation as unknown as ValidationIssue[],
        context,
        value,
        config.bodyName ?? 'request body',
      ),
    };
  }

  const fastifyError = error as Partial<FastifyError> & { message?: string };
  const message = fastifyError.message ?? String(error);
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        code: 'INVALID_JSON',
        message: `The body is not valid JSON: ${message}`,
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: `The request is too large: ${message}`,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return {
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: `Unsupported content type ${JSON.stringify(request.headers['content-type'] ?? '')} for ${request.method} ${request.url.split('?')[0]} (${message}).`,
      };
    default:
      break;
  }
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return { status: 400, code: 'INVALID_JSON', message: `The body is not valid JSON: ${message}` };
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      status,
      code:
        status === 413
          ? 'PAYLOAD_TOO_LARGE'
          : status === 415
            ? 'UNSUPPORTED_MEDIA_TYPE'
            : 'INVALID_REQUEST',
      message,
    };
  }
  // Anything else, our typed errors included, was not the request's fault: a route turns the
  // errors a client can act on into HttpErrors, so what reaches here (a model that failed to
  // score, a state store bug) is a 500 whose message does not leak internals.
  return {
    status: 500,
    code: 'INTERNAL',
    message: `Internal error while handling the request (id ${request.id}); the service log has the details.`,
  };
}

/**
 * The service's one error handler: every error becomes `{ error: { code, message } }` with a
 * 4xx/5xx status; 5xx errors are logged with their stack, 4xx ones only by the request line.
 * A request whose connection is already closed gets nothing (there is no one to answer).
 */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, code, message } = classifyError(error, request);
  errorCodes.set(request, code);
  if (status >= 500) request.log.error({ err: error, code }, message);
  // The client is gone (a half-sent body cut off at the request deadline, a reset): no answer can
  // reach it. Sending one would only have Node raise, and format the stack of, a write-after-
  // destroy error — per slow client, and slow clients time out together. A timed-out one was
  // answered and counted by the clientErrorHandler already.
  if (request.raw.socket?.destroyed === true) return;
  // The rest of a body refused for its size or slowness is not read: close instead of draining.
  if (status === 413 || status === 408) void reply.header('connection', 'close');
  void reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message));
}
