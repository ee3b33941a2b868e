import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import { InvalidArgumentError, parseOptions } from '@mlsd/core';
import type { EmbedderPoolOptions } from '@mlsd/vision';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import pino, { type LoggerOptions } from 'pino';
import { z } from 'zod';
import { withFraudRequestSchema } from './fraud/fraud-openapi.js';
import { FraudService, type FraudServiceOptions } from './fraud/fraud-service.js';
import { createClientErrorHandler } from './http/client-error.js';
import { errorCodes, handleError } from './http/error-handler.js';
import { errorBody, HttpError } from './http/http-error.js';
import { MULTIPART_FIELD_LIMIT_BYTES } from './http/read-multipart.js';
import { RouteMethods } from './http/route-methods.js';
import { ImageService } from './images/image-service.js';
import { ServiceMetrics } from './metrics.js';
import { PUBLIC_DIR } from './public-dir.js';
import { adminRoutes } from './routes/admin-routes.js';
import { fraudRoutes } from './routes/fraud-routes.js';
import { imageRoutes } from './routes/image-routes.js';
import { staticRoutes } from './routes/static-routes.js';
import { statusRoutes } from './routes/status-routes.js';
import type { ServiceContext } from './service-context.js';

/** Version of the HTTP API (the routes and bodies), stated in the OpenAPI document. */
const SERVICE_API_VERSION = '1.0.0';

/** Options of {@link createService}. At least one of the two artifacts is required. */
export interface ServiceOptions {
  /** Fraud-model artifact folder (`mlsd fraud train --out`). */
  fraudModelDir?: string | undefined;
  /** Image-search artifact folder (`mlsd images index --out`). */
  imageIndexDir?: string | undefined;
  /**
   * Keep the fraud online state in this Redis (`redis://host:port`) or Redis Cluster
   * (`redis+cluster://host:port,…`) instead of in process.
   */
  redisUrl?: string | undefined;
  /**
   * Seconds a transaction may arrive late for one of its entities (default 0). Replicas (and
   * stream consumers) sharing one Redis namespace must agree: it is part of the namespace.
   */
  allowedLatenessSeconds?: number | undefined;
  /** Bearer token of `POST /admin/reload`; without one the route answers 404. */
  adminToken?: string | undefined;
  /**
   * Logging: pino options (default `{ level: 'info' }`) written to stderr, `true` for the
   * default, `false` for none (tests).
   */
  logger?: boolean | LoggerOptions | undefined;
  /** Largest request body, bytes (JSON, raw image or the whole multipart form); default 8 MiB. */
  bodyLimitBytes?: number | undefined;
  /**
   * Largest JSON body, bytes; default 1 MiB (a batch of 1,000 transactions is ~150 KB). Parsing
   * and validating a JSON body costs time in proportion to its size, so JSON gets its own limit
   * below `bodyLimitBytes` (which images need).
   */
  jsonBodyLimitBytes?: number | undefined;
  /**
   * The whole request (headers and body) must arrive within this many milliseconds, or it is
   * answered 408 and its connection closed; default 30,000. Bounds slow-drip bodies.
   */
  requestTimeoutMs?: number | undefined;
  /**
   * The request headers must arrive within this many milliseconds; default 10,000 (or
   * `requestTimeoutMs` when that is shorter).
   */
  headersTimeoutMs?: number | undefined;
  /**
   * `close()` waits this many milliseconds for requests in flight, then closes every
   * connection left; default 10,000.
   */
  shutdownTimeoutMs?: number | undefined;
  /** Recently scored fraud rows the drift monitor compares with the reference; default 2,000. */
  driftWindowRows?: number | undefined;
  /** Fraud scores between drift checks; default 500. */
  driftCheckEvery?: number | undefined;
  /** Least time between drift checks, milliseconds; default 5,000 (0: every `driftCheckEvery`). */
  driftMinIntervalMs?: number | undefined;
  /** Folder of the web page; default the package's `public/`. */
  publicDir?: string | undefined;
  /**
   * Where the image index's embedder runs (see `ImageServiceOptions.embedding`): default one
   * worker thread with 16 queries waiting at most; `false` in the serving thread.
   */
  imageEmbedding?: EmbedderPoolOptions | false | undefined;
}

/** A running (or ready to run) service. */
export interface Service {
  /** The fastify instance (`app.inject()` in tests). */
  app: FastifyInstance;
  /** Starts listening; resolves to the base URL, e.g. `http://127.0.0.1:8080`. */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  /**
   * Stops accepting connections, waits for in-flight requests to finish, then closes the
   * online state store and flushes the log.
   */
  close(): Promise<void>;
}

const OptionsSchema = z
  .object({
    fraudModelDir: z.string().min(1).optional(),
    imageIndexDir: z.string().min(1).optional(),
    redisUrl: z.string().min(1).optional(),
    allowedLatenessSeconds: z.number().nonnegative().finite().optional(),
    adminToken: z.string().min(8, 'must be at least 8 characters').optional(),
    logger: z.union([z.boolean(), z.record(z.string(), z.unknown())]).optional(),
    bodyLimitBytes: z
      .number()
      .int()
      .positive()
      .default(8 * 1024 * 1024),
    jsonBodyLimitBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
    requestTimeoutMs: z.number().int().positive().default(30_000),
    headersTimeoutMs: z.number().int().positive().optional(),
    shutdownTimeoutMs: z.number().int().nonnegative().default(10_000),
    driftWindowRows: z.number().int().positive().optional(),
    driftCheckEvery: z.number().int().positive().optional(),
    driftMinIntervalMs: z.number().int().nonnegative().optional(),
    publicDir: z.string().min(1).optional(),
    imageEmbedding: z
      .union([
        z.literal(false),
        z.object({
          workers: z.number().int().positive().optional(),
          queue: z.number().int().nonnegative().optional(),
          modules: z.array(z.string().min(1)).optional(),
        }),
      ])
      .optional(),
  })
  .strict();

/** How often Node looks for requests past their deadline: well within the shortest one. */
function checkingInterval(headersTimeoutMs: number): number {
  return Math.max(50, Math.min(1_000, Math.floor(headersTimeoutMs / 4)));
}

/** The URL a server listens on, as bound (0.0.0.0 stays 0.0.0.0; IPv6 in brackets). */
function listeningUrl(address: ReturnType<FastifyInstance['server']['address']>): string {
  if (address === null || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function createLogger(option: ServiceOptions['logger']): pino.Logger | undefined {
  if (option === false) return undefined;
  const options: LoggerOptions = option === true || option === undefined ? {} : option;
  return pino(
    { level: 'info', ...options },
    pino.destination({ dest: 2, sync: false, minLength: 0 }),
  );
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Builds the mlsd HTTP service: loads and checks the artifacts (refusing to start, with a
 * message naming the folder, when one is missing or fails its checksum), opens the fraud
 * online state store, and registers every route. Call `listen()` to serve.
 * @throws InvalidArgumentError for bad options or no artifact; NotFoundError,
 *   ManifestInvalidError or ChecksumMismatchError for a bad artifact folder.
 */
export async function createService(options: ServiceOptions): Promise<Service> {
  const o = parseOptions(OptionsSchema, dropUndefined(options), 'createService options');
  if (o.fraudModelDir === undefined && o.imageIndexDir === undefined) {
    throw new InvalidArgumentError(
      'Nothing to serve: give a fraud model (--fraud-model <dir>), an image index (--image-index <dir>) or both.',
    );
  }
  if (o.redisUrl !== undefined && o.fraudModelDir === undefined) {
    throw new InvalidArgumentError('--redis holds the fraud online state; it needs --fraud-model.');
  }
  const metrics = new ServiceMetrics();
  const logger = createLogger(options.logger);
  const fraudOptions: FraudServiceOptions = {
    redisUrl: o.redisUrl,
    ...(o.allowedLatenessSeconds === undefined
      ? {}
      : { state: { allowedLatenessSeconds: o.allowedLatenessSeconds } }),
    driftWindowRows: o.driftWindowRows,
    driftCheckEvery: o.driftCheckEvery,
    driftMinIntervalMs: o.driftMinIntervalMs,
    onDecision: (decision) => metrics.decisions.inc({ decision }),
    onDrift: (report) => {
      metrics.setDrift(report);
      const drifted = report.columns.filter((column) => column.drifted).map((c) => c.column);
      logger?.info(
        { rows: report.rows, drifted, datasetDrift: report.datasetDrift },
        'drift check',
      );
    },
    onDriftError: (error) => logger?.warn({ err: error }, 'drift check failed'),
  };
  const imageOptions = {
    live: o.adminToken !== undefined,
    ...(o.imageEmbedding === undefined ? {} : { embedding: o.imageEmbedding }),
  };
  const [fraudLoad, imagesLoad] = await Promise.allSettled([
    o.fraudModelDir === undefined ? undefined : FraudService.open(o.fraudModelDir, fraudOptions),
    o.imageIndexDir === undefined ? undefined : ImageService.open(o.imageIndexDir, imageOptions),
  ]);
  if (fraudLoad.status === 'rejected' || imagesLoad.status === 'rejected') {
    // Do not leave a state store (a Redis connection) open behind a refused start.
    if (fraudLoad.status === 'fulfilled') await fraudLoad.value?.close();
    if (imagesLoad.status === 'fulfilled') await imagesLoad.value?.close();
    logger?.flush();
    throw fraudLoad.status === 'rejected'
      ? fraudLoad.reason
      : (imagesLoad as PromiseRejectedResult).reason;
  }
  const fraud = fraudLoad.value;
  const images = imagesLoad.value;
  const context: ServiceContext = {
    fraud,
    images,
    metrics,
    adminToken: o.adminToken,
    closing: false,
    openFraud: (dir) => FraudService.open(dir, fraudOptions),
    openImages: (dir) => ImageService.open(dir, imageOptions),
  };
  if (fraud !== undefined) metrics.setModelVersion('fraud', fraud.version);
  if (images !== undefined) metrics.setModelVersion('images', images.version);
  metrics.readStateStatsFrom(async () => context.fraud?.runtime.store.stats());

  const headersTimeoutMs = Math.min(o.headersTimeoutMs ?? 10_000, o.requestTimeoutMs);
  const clientErrorHandler = createClientErrorHandler(
    { requestTimeoutMs: o.requestTimeoutMs, headersTimeoutMs },
    () => app.log,
    (status) =>
      metrics.requests.inc({ route: 'client-error', method: '-', status: String(status) }),
  );
  const app = Fastify({
    ...(logger === undefined ? { logger: false } : { loggerInstance: logger }),
    bodyLimit: o.bodyLimitBytes,
    // Slow clients: the whole request within requestTimeout, its headers within headersTimeout
    // (Node answers 408 through clientErrorHandler and closes the connection).
    requestTimeout: o.requestTimeoutMs,
    http: {
      headersTimeout: headersTimeoutMs,
      connectionsCheckingInterval: checkingInterval(headersTimeoutMs),
    },
    clientErrorHandler,
    // Our error handler writes the message (with its issue cap); fastify's own formatter would
    // first join every issue of a huge invalid body into one string.
    schemaErrorFormatter: (errors, dataVar) =>
      new Error(`${dataVar} failed validation with ${errors.length} issue(s)`),
    // Bad URLs and over-long path parameters are rejected by the router: same error shape.
    frameworkErrors: (error, request, reply) => handleError(error, request, reply),
    routerOptions: { maxParamLength: 1_000 },
    // One line per request, written by the onResponse hook below (with the error code).
    logController: new LogController({ disableRequestLogging: true }),
    // Requests arriving while draining get our own 503 body (hook below), not fastify's.
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>();
  const routeMethods = new RouteMethods();
  app.addHook('onRoute', (route) => routeMethods.add(route.method, route.url));
  // Node answers an Expect header other than 100-continue itself (417, empty body): ours instead.
  app.server.on('checkExpectation', (request, response) => {
    const body = JSON.stringify(
      errorBody(
        'EXPECTATION_FAILED',
        `The service does not support "Expect: ${String(request.headers.expect).slice(0, 100)}"; send the request without it.`,
      ),
    );
    metrics.requests.inc({ route: 'client-error', method: request.method ?? '-', status: '417' });
    response.writeHead(417, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    response.end(body);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    // A known path asked with another method: 405 with the methods it takes.
    const allowed = routeMethods.allowed(path);
    if (allowed.length > 0) {
      errorCodes.set(request, 'METHOD_NOT_ALLOWED');
      void reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send(
          errorBody(
            'METHOD_NOT_ALLOWED',
            `${path} takes ${allowed.join(' or ')}, not ${request.method}.`,
          ),
        );
      return;
    }
    errorCodes.set(request, 'NOT_FOUND');
    void reply.code(404).send(errorBody('NOT_FOUND', `No route ${request.method} ${path}.`));
  });

  // fastify's own JSON parser (prototype-poisoning checks included), with the JSON limit.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: Math.min(o.jsonBodyLimitBytes, o.bodyLimitBytes) },
    parseJson,
  );
  // Raw image uploads arrive as one Buffer (bounded by bodyLimit).
  const rawBody = (_request: unknown, body: Buffer, done: (error: null, body: Buffer) => void) =>
    done(null, body);
  app.addContentTypeParser(/^image\/[\w.+-]+$/i, { parseAs: 'buffer' }, rawBody);
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, rawBody);
  await app.register(multipart, {
    limits: {
      fileSize: o.bodyLimitBytes,
      files: 1,
      fields: 10,
      parts: 12,
      // Routes may raise it for their own forms (readMultipartForm passes fieldLimitBytes).
      fieldSize: MULTIPART_FIELD_LIMIT_BYTES,
    },
  });

  // The per-request hooks take callbacks, not async functions: each async hook costs a promise
  // per request on the scoring path.
  app.addHook('onRequest', (request, _reply, done) => {
    if (context.closing && request.url !== '/healthz' && !request.url.startsWith('/readyz')) {
      done(
        new HttpError(
          503,
          'SHUTTING_DOWN',
          'The service is shutting down; retry on another replica.',
        ),
      );
      return;
    }
    done();
  });
  // While draining, tell keep-alive clients to go: an idle connection would hold close() open.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (context.closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.observeRequest(route, request.method, reply.statusCode, seconds);
    if (logger !== undefined) {
      const code = errorCodes.get(request);
      request.log.info(
        {
          method: request.method,
          url: request.url,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 100) / 100,
          ...(code === undefined ? {} : { code }),
        },
        'request',
      );
    }
    done();
  });

  // OpenAPI 3 document of every route, generated from the same zod schemas that validate them.
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'mlsd serve',
        description: 'Fraud scoring and similar-image lookup (see packages/serve/README.md).',
        version: SERVICE_API_VERSION,
      },
    },
    transform: jsonSchemaTransform,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () =>
    withFraudRequestSchema(app.swagger(), context.fraud),
  );

  await app.register(statusRoutes(context));
  await app.register(fraudRoutes(context));
  await app.register(imageRoutes(context));
  await app.register(adminRoutes(context));
  await app.register(staticRoutes(o.publicDir ?? PUBLIC_DIR));
  await app.ready();

  let closed: Promise<void> | undefined;
  return {
    // Typed as a plain instance: callers inject requests and read the server, not route types.
    app: app as unknown as FastifyInstance,
    async listen(listenOptions = {}) {
      await app.listen({
        host: listenOptions.host ?? '127.0.0.1',
        port: listenOptions.port ?? 8080,
      });
      return listeningUrl(app.server.address());
    },
    close() {
      closed ??= (async () => {
        context.closing = true;
        const draining = app.close();
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<'deadline'>((resolve) => {
          timer = setTimeout(() => resolve('deadline'), o.shutdownTimeoutMs);
        });
        if ((await Promise.race([draining, deadline])) === 'deadline') {
          // A slow or stuck client must not hold the process: past the deadline, cut it off.
          logger?.warn(
            { shutdownTimeoutMs: o.shutdownTimeoutMs },
            'shutdown deadline passed: closing the connections still open',
          );
          app.server.closeAllConnections();
        }
        clearTimeout(timer);
        await draining;
        await context.fraud?.close();
        await context.images?.close();
        logger?.info('service closed');
        logger?.flush();
      })();
      return closed;
    },
  };
}
