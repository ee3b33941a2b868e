import { connect, type Socket } from 'node:net';
import { LatencyRecorder, type LatencySummary } from './latency-summary.js';

/** Options of {@link runPaced}. */
export interface PacedRunOptions {
  /** Base URL of the service, e.g. http://127.0.0.1:41234 (plain HTTP). */
  url: string;
  /** Path with query, e.g. /v1/fraud/score. */
  path: string;
  contentType: string;
  /** The body of each request, made just before it is sent. */
  nextBody: () => string | Buffer;
  /** Called once per request when its response or its error arrives. */
  onAnswered?: () => void;
  /** Requests per second, evenly spaced. */
  rate: number;
  seconds: number;
  /** Keep-alive connections opened before the schedule starts (more open on demand). */
  warmConnections?: number;
  /** Most connections; beyond that requests wait for a free one (and their wait counts). */
  maxConnections?: number;
}

/** What one paced run measured. */
export interface PacedRunResult {
  path: string;
  mode: 'open loop';
  targetRate: number;
  seconds: number;
  sent: number;
  responses: number;
  requestsPerSecond: number;
  /** 2xx latency from each request's scheduled send time (includes any wait for a connection). */
  latency: LatencySummary;
  /**
   * 2xx latency from the moment the request was written: leaves out the client's own delays
   * (its process descheduled on a busy machine), as autocannon's figures do.
   */
  latencyFromSend: LatencySummary;
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  errorSamples: string[];
  /** Most requests in flight at once, and connections opened. */
  maxInFlight: number;
  connections: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');

/**
 * One keep-alive HTTP/1.1 connection carrying one request at a time, with just enough response
 * parsing for this service (status line, Content-Length or chunked body). Far lighter than
 * node:http's client, whose per-request cost would otherwise be measured along with the server.
 */
class Connection {
  readonly socket: Socket;
  #chunks: Buffer[] = [];
  #length = 0;
  #onResponse: ((status: number, body: Buffer) => void) | undefined;
  #onError: ((error: Error) => void) | undefined;

  constructor(host: string, port: number) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk) => this.#receive(chunk));
    this.socket.on('error', (error) => this.#fail(error));
    this.socket.on('close', () => this.#fail(new Error('connection closed')));
  }

  get busy(): boolean {
    return this.#onResponse !== undefined;
  }

  get open(): boolean {
    return !this.socket.destroyed;
  }

  send(
    request: Buffer,
    onResponse: (status: number, body: Buffer) => void,
    onError: (error: Error) => void,
  ): void {
    this.#onResponse = onResponse;
    this.#onError = onError;
    this.socket.write(request);
  }

  #fail(error: Error): void {
    const onError = this.#onError;
    this.#onResponse = undefined;
    this.#onError = undefined;
    this.#chunks = [];
    this.#length = 0;
    onError?.(error);
  }

  #receive(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    const data = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks, this.#length);
    const headerEnd = data.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = data.subarray(0, headerEnd).toString('latin1');
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const bodyStart = headerEnd + 4;
    let end: number;
    if (length !== null) {
      end = bodyStart + Number(length[1]);
      if (data.length < end) return;
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const terminator = data.indexOf(CHUNKED_END, bodyStart);
      if (terminator < 0) return;
      end = terminator + CHUNKED_END.length;
    } else {
      end = bodyStart;
    }
    const onResponse = this.#onResponse;
    this.#onResponse = undefined;
    this.#onError = undefined;
    this.#chunks = data.length > end ? [data.subarray(end)] : [];
    this.#length = data.length - end;
    onResponse?.(status, data.subarray(bodyStart, end));
  }
}

/**
 * An open-loop load run: requests leave on a fixed schedule (`rate` per second, evenly spaced)
 * whether or not earlier ones have been answered, the way independent clients arrive. Latency
 * is counted from the scheduled time, so a stalled server or client cannot hide queueing
 * (no coordinated omission). autocannon's rate limit instead hands each connection a quota per
 * second that it spends back to back, which measures bursts of `connections` requests in
 * flight rather than an even stream.
 */
export async function runPaced(options: PacedRunOptions): Promise<PacedRunResult> {
  const target = new URL(options.url);
  const host = target.hostname;
  const port = Number(target.port);
  const head = `POST ${options.path} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: keep-alive\r\nContent-Type: ${options.contentType}\r\n`;
  const maxConnections = options.maxConnections ?? 256;
  const connections: Connection[] = [];
  const idle: Connection[] = [];
  const waiting: { scheduled: number; request: Buffer }[] = [];
  const latencies = new LatencyRecorder();
  const fromSend = new LatencyRecorder();
  const statusCodes: Record<string, number> = {};
  const errorSamples: string[] = [];
  let sent = 0;
  let answered = 0;
  let errors = 0;
  let inFlight = 0;
  let maxInFlight = 0;

  const open = async (): Promise<Connection> => {
    const connection = new Connection(host, port);
    connections.push(connection);
    await new Promise<void>((resolve, reject) => {
      connection.socket.once('connect', resolve);
      connection.socket.once('error', reject);
    });
    return connection;
  };
  for (let i = 0; i < (options.warmConnections ?? 16); i++) idle.push(await open());

  const dispatch = (connection: Connection, scheduled: number, request: Buffer) => {
    const written = performance.now();
    const done = () => {
      inFlight--;
      answered++;
      options.onAnswered?.();
      if (!connection.open) {
        connections.splice(connections.indexOf(connection), 1);
        const next = waiting.shift();
        if (next !== undefined) send(next.scheduled, next.request);
        return;
      }
      const next = waiting.shift();
      if (next !== undefined) dispatch(connection, next.scheduled, next.request);
      else idle.push(connection);
    };
    connection.send(
      request,
      (status, body) => {
        statusCodes[status] = (statusCodes[status] ?? 0) + 1;
        if (status >= 200 && status < 300) {
          const now = performance.now();
          latencies.record(now - scheduled);
          fromSend.record(now - written);
        } else if (errorSamples.length < 5) errorSamples.push(body.toString('utf8').slice(0, 400));
        done();
      },
      (error) => {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(String(error));
        done();
      },
    );
  };

  const fire = (scheduled: number) => {
    const body = options.nextBody();
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const request = Buffer.concat([
      Buffer.from(`${head}Content-Length: ${bytes.length}\r\n\r\n`, 'latin1'),
      bytes,
    ]);
    inFlight++;
    if (inFlight > maxInFlight) maxInFlight = inFlight;
    send(scheduled, request);
  };

  /** Sends on an idle connection, a new one, or queues for the next free one. */
  function send(scheduled: number, request: Buffer): void {
    let connection = idle.pop();
    while (connection !== undefined && !connection.open) connection = idle.pop();
    if (connection !== undefined) dispatch(connection, scheduled, request);
    else if (connections.length < maxConnections) {
      open().then(
        (fresh) => dispatch(fresh, scheduled, request),
        (error) => {
          errors++;
          inFlight--;
          answered++;
          options.onAnswered?.();
          if (errorSamples.length < 5) errorSamples.push(String(error));
        },
      );
    } else waiting.push({ scheduled, request });
  }

  const interval = 1000 / options.rate;
  const total = Math.round(options.rate * options.seconds);
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && started + sent * interval <= now) {
        fire(started + sent * interval);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, started + sent * interval - now - 0.5));
      else resolve();
    };
    tick();
  });
  // Let the last requests come back (at most 10 s).
  const deadline = performance.now() + 10_000;
  while (answered < sent && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const seconds = (performance.now() - started) / 1000;
  for (const connection of connections) connection.socket.destroy();
  const responses = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return {
    path: options.path,
    mode: 'open loop',
    targetRate: options.rate,
    seconds: Math.round(seconds * 100) / 100,
    sent,
    responses,
    requestsPerSecond: Math.round((responses / seconds) * 10) / 10,
    latency: latencies.summary(),
    latencyFromSend: fromSend.summary(),
    errors,
    non2xx: responses - latencies.count,
    statusCodes,
    errorSamples,
    maxInFlight,
    connections: connections.length,
  };
}
