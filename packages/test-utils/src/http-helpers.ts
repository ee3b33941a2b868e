/** A multipart/form-data body with text fields and files, built by hand for `app.inject`. */
export function multipartBody(
  parts: (
    | { name: string; value: string }
    | { name: string; filename: string; contentType: string; data: Uint8Array }
  )[],
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----mlsd-test-boundary-7f3a';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('value' in part) {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`,
        ),
      );
    } else {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.contentType}\r\n\r\n`,
        ),
        Buffer.from(part.data),
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** The value of one Prometheus series in `/metrics` text, or undefined when absent. */
export function metricValue(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

/** Polls `probe` every 10 ms until it returns a value (not undefined), or fails after `ms`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What `POST /v1/fraud/score` answered with one transaction: the fields the tests read. */
export interface ScoredAnswer {
  transactionId: string | number;
  score: number;
  decision: string;
  features: Record<string, number>;
  error?: { code: string; message: string };
}

/** POSTs `body` as JSON to the service at `base`'s `/v1/fraud/score`; the status and parsed body. */
export async function postScore(
  base: string,
  body: unknown,
): Promise<{ status: number; json: ScoredAnswer }> {
  const response = await fetch(`${base}/v1/fraud/score`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as ScoredAnswer };
}
