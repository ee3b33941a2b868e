import { connect, type Socket } from 'node:net';

/** What the server did with a raw connection: its bytes back, and whether it closed it. */
export interface RawExchange {
  /** Everything the server sent (latin1). */
  text: string;
  /** Status of the first response, 0 when none came. */
  status: number;
  /** Body of the first response parsed as JSON, undefined when it is not JSON. */
  json: unknown;
  /** True once the server closed the connection. */
  closed: boolean;
}

/**
 * A hand-driven HTTP/1.1 connection for what fetch cannot send: half bodies, drip-fed bytes,
 * oversized headers, malformed request lines.
 */
export class RawClient {
  readonly socket: Socket;
  readonly connected: Promise<void>;
  #chunks: Buffer[] = [];
  #closed = false;
  readonly #done: Promise<void>;

  constructor(port: number) {
    this.socket = connect({ host: '127.0.0.1', port });
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk: Buffer) => this.#chunks.push(chunk));
    // Writes after the server closed fail with EPIPE/ECONNRESET: that is the point.
    this.socket.on('error', () => {});
    this.#done = new Promise((resolve) =>
      this.socket.once('close', () => {
        this.#closed = true;
        resolve();
      }),
    );
  }

  /** Writes bytes unless the connection is already gone. */
  write(data: string | Uint8Array): boolean {
    if (this.socket.destroyed || !this.socket.writable) return false;
    return this.socket.write(data);
  }

  /** What was exchanged so far. */
  get exchange(): RawExchange {
    const text = Buffer.concat(this.#chunks).toString('latin1');
    const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
    const split = text.indexOf('\r\n\r\n');
    let json: unknown;
    if (split >= 0) {
      try {
        json = JSON.parse(text.slice(split + 4));
      } catch {
        json = undefined;
      }
    }
    return { text, status: status === null ? 0 : Number(status[1]), json, closed: this.#closed };
  }

  /** Resolves when the server has closed the connection. */
  async closedByServer(): Promise<RawExchange> {
    await this.#done;
    return this.exchange;
  }

  /** Closes our side. */
  destroy(): void {
    this.socket.destroy();
  }
}

/** Request head for a POST with the given headers (no body). */
export function postHead(path: string, headers: Record<string, string | number>): string {
  const lines = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
