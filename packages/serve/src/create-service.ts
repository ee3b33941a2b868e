import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import { InvalidArgumentError, parseOptions } from '@mlsd/core';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import pino, { type LoggerOptions } from 'pino';
import { z } from 'zod';
import { FraudService, type FraudServiceOptions } from './fraud/fraud-service.js';
import { errorCodes, handleError } from './http/error-handler.js';
import { errorBody, HttpError } from './http/http-error.js';
import { ImageService } from './images/image-service.js';
import { ServiceMetrics } from './metrics.js';
import { PUBLIC_DIR } from './public-dir.js';
import { adminRoutes } from './routes/admin-routes.js';
import { fraudRoutes } from './routes/fraud-routes.js';
import { imageRoutes } from './routes/image-routes.js';
import { staticRoutes } from './routes/static-routes.js';
import { statusRoutes } from './routes/status-routes.js';
import type { ServiceContext } from './service-context.js';

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
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
  /** Largest request body, bytes; default 8 MiB. */
  bodyLimitBytes?: number | undefined;
  /** Recently scored fraud rows the drift monitor compares with the reference; default 2,000. */
  driftWindowRows?: number | undefined;
  /** Fraud scores between drift checks; default 500. */
  driftCheckEvery?: number | undefined;
  /** Least time between drift checks, milliseconds; default 5,000 (0: every `driftCheckEvery`). */
  driftMinIntervalMs?: number | undefined;
  /** Folder of the web page; default the package's `public/`. */
  publicDir?: string | undefined;
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
    driftWindowRows: z.number().int().positive().optional(),
    driftCheckEvery: z.number().int().positive().optional(),
    driftMinIntervalMs: z.number().int().nonnegative().optional(),
    publicDir: z.string().min(1).optional(),
  })
  .strict();

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
  const [fraudLoad, imagesLoad] = await Promise.allSettled([
    o.fraudModelDir === undefined ? undefined : FraudService.open(o.fraudModelDir, fraudOptions),
    o.imageIndexDir === undefined ? undefined : ImageService.open(o.imageIndexDir),
  ]);
  if (fraudLoad.status === 'rejected' || imagesLoad.status === 'rejected') {
    // Do not leave a state store (a Redis connection) open behind a refused start.
    if (fraudLoad.status === 'fulfilled') await fraudLoad.value?.close();
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
    openImages: (dir) => ImageService.open(dir),
  };
  if (fraud !== undefined) metrics.setModelVersion('fraud', fraud.version);
  if (images !== undefined) metrics.setModelVersion('images', images.version);
  metrics.readStateStatsFrom(async () => context.fraud?.runtime.store.stats());

  const app = Fastify({
    ...(logger === undefined ? { logger: false } : { loggerInstance: logger }),
    bodyLimit: o.bodyLimitBytes,
    // Bad URLs and over-long path parameters are rejected by the router: same error shape.
    frameworkErrors: (error, request, reply) => handleError(error, request, reply),
    routerOptions: { maxParamLength: 1_000 },
    // One line per request, written by the onResponse hook below (with the error code).
    logController: new LogController({ disableRequestLogging: true }),
    // Requests arriving while draining get our own 503 body (hook below), not fastify's.
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    // A known path asked with another method: 405 with the methods it takes.
    const allowed = HTTP_METHODS.filter((method) => app.hasRoute({ url: path, method }));
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

  // Raw image uploads arrive as one Buffer (bounded by bodyLimit).
  const rawBody = (_request: unknown, body: Buffer, done: (error: null, body: Buffer) => void) =>
    done(null, body);
  app.addContentTypeParser(/^image\/[\w.+-]+$/i, { parseAs: 'buffer' }, rawBody);
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, rawBody);
  await app.register(multipart, {
    limits: { fileSize: o.bodyLimitBytes, files: 1, fields: 10, parts: 12, fieldSize: 1024 },
  });

  app.addHook('onRequest', async (request) => {
    if (context.closing && request.url !== '/healthz' && !request.url.startsWith('/readyz')) {
      throw new HttpError(
        503,
        'SHUTTING_DOWN',
        'The service is shutting down; retry on another replica.',
      );
    }
  });
  // While draining, tell keep-alive clients to go: an idle connection would hold close() open.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (context.closing) void reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.observeRequest(route, request.method, reply.statusCode, seconds);
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
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

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
      return app.listen({
        host: listenOptions.host ?? '127.0.0.1',
        port: listenOptions.port ?? 8080,
      });
    },
    close() {
      closed ??= (async () => {
        context.closing = true;
        await app.close();
        await context.fraud?.close();
        logger?.info('service closed');
        logger?.flush();
      })();
      return closed;
    },
  };
}
