import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/** A running `/metrics` endpoint. */
export interface MetricsServer {
  /** `http://host:port` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves a prom-client registry on `GET /metrics` (Prometheus text) and `GET /healthz`
 * (`{"status":"ok"}`) — all a worker process without an HTTP API needs to be scraped and
 * probed. Anything else is 404.
 */
export async function serveMetrics(
  registry: Registry,
  options: { host?: string; port?: number } = {},
): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (request.method === 'GET' && path === '/metrics') {
      registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': registry.contentType });
          response.end(text);
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { code: 'INTERNAL', message: String(error) } }));
        },
      );
      return;
    }
    const [status, body] =
      request.method === 'GET' && path === '/healthz'
        ? [200, { status: 'ok' }]
        : [404, { error: { code: 'NOT_FOUND', message: 'Only GET /metrics and GET /healthz.' } }];
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
