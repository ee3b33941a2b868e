import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { CLIENT_ERRORS_PER_TURN, createClientErrorHandler } from '../src/http/client-error.js';

/** The socket calls the handler makes, recorded. */
class FakeSocket {
  destroyed = false;
  writable = true;
  written: string[] = [];
  end(bytes: Buffer): void {
    this.written.push(bytes.toString('utf8'));
    this.writable = false;
  }
  once(): this {
    return this;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

const silent = { info: () => {} } as unknown as FastifyBaseLogger;
const timeout = () => Object.assign(new Error('timed out'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('client errors answered in turns (the hostile mix: slow clients time out together)', () => {
  it('answers a burst a few per event-loop turn, every one of them, with our 408 body', async () => {
    const counted: number[] = [];
    const handle = createClientErrorHandler(
      { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000 },
      () => silent,
      (status) => counted.push(status),
    );
    const sockets = Array.from({ length: CLIENT_ERRORS_PER_TURN * 2 + 3 }, () => new FakeSocket());
    for (const socket of sockets) handle(timeout(), socket as unknown as Socket);
    // Counted at once (the metric), answered later.
    expect(counted).toEqual(sockets.map(() => 408));
    const answered = () => sockets.filter((socket) => socket.written.length > 0).length;
    expect(answered()).toBe(0);
    await nextTurn();
    expect(answered()).toBe(CLIENT_ERRORS_PER_TURN);
    await nextTurn();
    expect(answered()).toBe(CLIENT_ERRORS_PER_TURN * 2);
    await nextTurn();
    expect(answered()).toBe(sockets.length);
    for (const socket of sockets) {
      expect(socket.written).toHaveLength(1);
      const [head, body] = socket.written[0]!.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(head).toMatch(new RegExp(`\r\nContent-Length: ${Buffer.byteLength(body!)}\r\n`));
      expect(JSON.parse(body!).error.code).toBe('REQUEST_TIMEOUT');
    }
  });

  it('skips a socket that went away while it waited, and answers the next burst too', async () => {
    const handle = createClientErrorHandler(
      { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000 },
      () => silent,
      () => {},
    );
    const [gone, kept] = [new FakeSocket(), new FakeSocket()];
    handle(timeout(), gone as unknown as Socket);
    handle(
      Object.assign(new Error('bad'), { code: 'HPE_INVALID_METHOD' }),
      kept as unknown as Socket,
    );
    gone.destroyed = true;
    await nextTurn();
    expect(gone.written).toEqual([]);
    expect(kept.written[0]).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const later = new FakeSocket();
    handle(timeout(), later as unknown as Socket);
    await nextTurn();
    expect(later.written[0]).toMatch(/^HTTP\/1\.1 408 /);
  });
});
