import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { errorBody, type ServiceErrorCode } from './http-error.js';

/** How long a client has to take its error answer before the socket is destroyed anyway. */
const CLOSE_GRACE_MS = 1_000;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** The limits the messages quote. */
export interface ClientErrorLimits {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
}

/** Status, code and message of an error Node's HTTP parser raised before any route ran. */
export function describeClientError(
  error: NodeJS.ErrnoException,
  limits: ClientErrorLimits,
): { status: number; code: ServiceErrorCode; message: string } {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        code: 'REQUEST_TIMEOUT',
        message: `The request did not arrive in time: headers must arrive within ${limits.headersTimeoutMs} ms and the whole request within ${limits.requestTimeoutMs} ms. Send the request in one go.`,
      };
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: 'HEADERS_TOO_LARGE',
        message:
          'The request headers are larger than the server takes (16 KiB in all); send fewer or shorter headers.',
      };
    default:
      return {
        status: 400,
        code: 'INVALID_REQUEST',
        message: `Malformed HTTP request (${error.code ?? 'parse error'}); send a well-formed HTTP/1.1 request.`,
      };
  }
}

/**
 * Answers written per event-loop turn. Requests that started together time out together (Node
 * checks deadlines once per `connectionsCheckingInterval` and expires every late one in one
 * loop): 200 slow clients answered and torn down in one go held the loop for tens of
 * milliseconds, while the requests waiting behind them were good ones. A few per turn, with
 * the rest on the next turn, let the requests already received go between them.
 */
export const CLIENT_ERRORS_PER_TURN = 8;

/**
 * fastify's `clientErrorHandler`: errors Node's HTTP parser raises before a request reaches a
 * route (a timed-out request, headers over the size limit, a request line that is not HTTP)
 * get the same `{ error: { code, message } }` body as every other error, then the connection
 * is closed. Each answer's bytes are built once per kind of error; the answers go out at most
 * {@link CLIENT_ERRORS_PER_TURN} per event-loop turn. Writing to a socket that is already gone
 * is skipped.
 */
export function createClientErrorHandler(
  limits: ClientErrorLimits,
  log: () => FastifyBaseLogger,
  onError: (status: number) => void,
): (error: NodeJS.ErrnoException, socket: Socket) => void {
  const answers = new Map<string, { status: number; code: ServiceErrorCode; bytes: Buffer }>();
  const answerFor = (error: NodeJS.ErrnoException) => {
    const key = error.code ?? '';
    let answer = answers.get(key);
    if (answer === undefined) {
      const { status, code, message } = describeClientError(error, limits);
      const body = JSON.stringify(errorBody(code, message));
      const bytes = Buffer.from(
        `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      answer = { status, code, bytes };
      answers.set(key, answer);
    }
    return answer;
  };
  // A FIFO of sockets waiting for their answer (head index: no shifting of a long array).
  let queue: { socket: Socket; bytes: Buffer }[] = [];
  let head = 0;
  let scheduled = false;
  const send = (socket: Socket, bytes: Buffer) => {
    if (socket.destroyed) return;
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(bytes);
    // Once the answer is flushed the socket goes; a client that never reads cannot keep it.
    socket.once('finish', () => socket.destroy());
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  };
  const drain = () => {
    const end = Math.min(queue.length, head + CLIENT_ERRORS_PER_TURN);
    for (; head < end; head++) {
      const next = queue[head]!;
      send(next.socket, next.bytes);
    }
    if (head < queue.length) {
      setImmediate(drain);
      return;
    }
    queue = [];
    head = 0;
    scheduled = false;
  };
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const { status, code, bytes } = answerFor(error);
    onError(status);
    log().info({ status, code, err: error.code }, 'client error');
    queue.push({ socket, bytes });
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  };
}
