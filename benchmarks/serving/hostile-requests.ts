import { connect } from 'node:net';

/** One kind of hostile request and the answer the service must give it. */
export interface HostileRequest {
  name: string;
  /** The raw bytes sent on a fresh connection. */
  bytes: () => Buffer;
  /** Acceptable statuses. */
  status: readonly number[];
}

/** What one hostile request got back. */
export interface HostileAnswer {
  status: number;
  /** `error.code` of our body, or undefined when the body was not ours. */
  code: string | undefined;
  ms: number;
}

const head = (lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');

function post(path: string, type: string, body: Buffer | string, extra: string[] = []): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([
    head([
      `POST ${path} HTTP/1.1`,
      'Host: 127.0.0.1',
      `Content-Type: ${type}`,
      `Content-Length: ${bytes.length}`,
      'Connection: close',
      ...extra,
    ]),
    bytes,
  ]);
}

function multipart(parts: { name: string; value: string }[]): { type: string; body: Buffer } {
  const boundary = 'hostile-mix-boundary';
  const text = parts
    .map(
      (p) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`,
    )
    .join('');
  return {
    type: `multipart/form-data; boundary=${boundary}`,
    body: Buffer.from(`${text}--${boundary}--\r\n`),
  };
}

/**
 * The hostile corpus of issue 13 that this service answers itself (items 3–6, 11–15 and what
 * fuzzing found), as raw requests. Left out: PNG bombs and slow decodes (items 1–2, the image
 * decoder's), times far in the future and amounts the model cannot take (items 7–8, the online
 * state's) — those have their own owners and would measure their fixes, not these.
 * @param transaction - a valid transaction to derive bodies from (its id and time are reused
 *   for the duplicate and out-of-order cases).
 */
export function hostileCorpus(transaction: Record<string, number>, png: Buffer): HostileRequest[] {
  const json = 'application/json';
  const unknownKeys = (n: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, k) => [`UNKNOWN_${k}`, k]));
  const corruptPng = Buffer.from(png);
  corruptPng.fill(0x5a, 40);
  const fieldForm = multipart([{ name: 'k', value: `1${' '.repeat(2_000)}0` }]);
  return [
    {
      name: 'malformed JSON',
      bytes: () => post('/v1/fraud/score', json, '{"TRANSACTION_ID": 1, '),
      status: [400],
    },
    {
      name: 'unknown fields',
      bytes: () =>
        post('/v1/fraud/score', json, JSON.stringify({ ...transaction, ...unknownKeys(20) })),
      status: [400],
    },
    {
      name: 'batch of 200 objects × 40 unknown keys (capped error)',
      bytes: () =>
        post(
          '/v1/fraud/score',
          json,
          JSON.stringify(
            Array.from({ length: 200 }, () => ({ ...transaction, ...unknownKeys(40) })),
          ),
        ),
      status: [400],
    },
    {
      name: 'JSON declaring 2 MB (over the JSON limit)',
      bytes: () =>
        Buffer.concat([
          head([
            'POST /v1/fraud/score HTTP/1.1',
            'Host: x',
            `Content-Type: ${json}`,
            `Content-Length: ${2 * 1024 * 1024}`,
          ]),
          Buffer.from('[{"TRANSACTION_ID":1}'),
        ]),
      status: [413],
    },
    {
      name: 'multipart declaring 200 MB',
      bytes: () =>
        Buffer.concat([
          head([
            'POST /v1/images/similar HTTP/1.1',
            'Host: x',
            'Content-Type: multipart/form-data; boundary=b',
            `Content-Length: ${200 * 1024 * 1024}`,
          ]),
          Buffer.from('--b\r\n'),
        ]),
      status: [413],
    },
    {
      name: 'multipart field over 1 KiB',
      bytes: () => post('/v1/images/similar', fieldForm.type, fieldForm.body),
      status: [413],
    },
    {
      name: 'corrupt PNG',
      bytes: () => post('/v1/images/similar?k=3', 'image/png', corruptPng),
      status: [400],
    },
    {
      name: 'text sent as an image',
      bytes: () => post('/v1/images/similar', 'image/png', 'not an image at all'),
      status: [400],
    },
    {
      name: 'wrong content type',
      bytes: () => post('/v1/fraud/score', 'text/plain', JSON.stringify(transaction)),
      status: [415],
    },
    {
      name: 'headers over 16 KiB',
      bytes: () => head(['GET /v1/info HTTP/1.1', 'Host: x', `X-Big: ${'a'.repeat(20_000)}`]),
      status: [431],
    },
    { name: 'not HTTP', bytes: () => Buffer.from('HELLO THERE\r\n\r\n'), status: [400] },
    {
      name: 'Expect: tea',
      bytes: () => head(['GET /healthz HTTP/1.1', 'Host: x', 'Expect: tea', 'Connection: close']),
      status: [417],
    },
    {
      // A repeat with the same values is a retry and is answered again (200, issue 13 item 10);
      // the same id with other values is the conflict.
      name: 'repeated transaction id with other values',
      bytes: () =>
        post(
          '/v1/fraud/score',
          json,
          JSON.stringify({ ...transaction, TX_AMOUNT: Number(transaction.TX_AMOUNT) + 1 }),
        ),
      status: [409],
    },
    {
      name: 'transaction older than the clock',
      bytes: () =>
        post(
          '/v1/fraud/score',
          json,
          JSON.stringify({ ...transaction, TRANSACTION_ID: 2_000_000_000, TX_TIME_SECONDS: 0 }),
        ),
      status: [409],
    },
    {
      name: 'unknown route',
      bytes: () => head(['GET /wp-admin/setup.php HTTP/1.1', 'Host: x', 'Connection: close']),
      status: [404],
    },
    {
      name: 'route syntax in the path',
      bytes: () => head(['PUT /*%7CW%20@5; HTTP/1.1', 'Host: x', 'Connection: close']),
      status: [404],
    },
    {
      name: 'wrong method',
      bytes: () => head(['GET /v1/fraud/score HTTP/1.1', 'Host: x', 'Connection: close']),
      status: [405],
    },
    {
      name: 'reload with a wrong token',
      bytes: () =>
        post('/admin/reload', json, '{"fraudModelDir":"/etc"}', [
          'Authorization: Bearer guessed-token',
        ]),
      status: [401],
    },
    {
      name: 'k out of range',
      bytes: () => post('/v1/images/similar?k=100000', 'image/png', png),
      status: [400],
    },
  ];
}

/** Sends one request on a fresh connection; resolves with the first answer (or status 0). */
export function sendRaw(port: number, bytes: Buffer, timeoutMs = 10_000): Promise<HostileAnswer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const split = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, Math.max(0, split)));
      let code: string | undefined;
      try {
        const body = text.slice(split + 4, split + 4 + Number(length?.[1] ?? 0));
        code = (JSON.parse(body) as { error?: { code?: string } }).error?.code;
      } catch {
        code = undefined;
      }
      socket.destroy();
      resolve({ status, code, ms: performance.now() - started });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, Math.max(0, split)));
      if (split >= 0 && length !== null && text.length >= split + 4 + Number(length[1])) finish();
    });
    socket.on('error', () => {});
    socket.on('close', finish);
    socket.write(bytes);
  });
}

/**
 * Keeps `count` connections open that send the headers and half of a JSON body, then nothing:
 * each is answered 408 and closed at the service's request deadline, and is replaced at once.
 * Resolves, when stopped, to how many were opened and how many got 408 with our body.
 */
export function holdSlowClients(
  port: number,
  count: number,
): { stop: () => Promise<{ opened: number; timedOut: number; other: number }> } {
  let stopped = false;
  let opened = 0;
  let timedOut = 0;
  let other = 0;
  const open = () => {
    if (stopped) return;
    opened++;
    void sendRaw(
      port,
      Buffer.concat([
        head([
          'POST /v1/fraud/score HTTP/1.1',
          'Host: x',
          'Content-Type: application/json',
          'Content-Length: 400',
        ]),
        Buffer.from('{"TRANSACTION_ID": 1, "TX_TIME'),
      ]),
      120_000,
    ).then((answer) => {
      if (answer.status === 408 && answer.code === 'REQUEST_TIMEOUT') timedOut++;
      else if (!stopped) other++;
      open();
    });
  };
  for (let i = 0; i < count; i++) open();
  return {
    stop: async () => {
      stopped = true;
      return { opened, timedOut, other };
    },
  };
}
