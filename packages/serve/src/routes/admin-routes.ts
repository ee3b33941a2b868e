import { createHash, timingSafeEqual } from 'node:crypto';
import { isMlsdError } from '@mlsd/core';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FraudRuntime } from '../fraud/fraud-runtime.js';
import type { FraudService } from '../fraud/fraud-service.js';
import type { RouteErrorConfig } from '../http/error-handler.js';
import { HttpError } from '../http/http-error.js';
import { requireJson } from '../http/require-json.js';
import { ReloadBodySchema, ReloadResponseSchema } from '../http/schemas.js';
import type { ImageRuntime } from '../images/image-service.js';
import type { ServiceContext } from '../service-context.js';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Checks `Authorization: Bearer <token>` in constant time (admin routes and catalogue changes).
 * @param route - named in the messages, e.g. `POST /admin/reload`.
 */
export function authorize(
  context: ServiceContext,
  request: FastifyRequest,
  route = 'POST /admin/reload',
): void {
  if (context.adminToken === undefined) {
    throw new HttpError(
      404,
      'NOT_FOUND',
      `Admin routes are off: start the service with an admin token (mlsd serve --admin-token-env <VAR>) to enable ${route}.`,
    );
  }
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (match === null || !timingSafeEqual(digest(match[1]!.trim()), digest(context.adminToken))) {
    throw new HttpError(401, 'UNAUTHORIZED', `Missing or wrong bearer token for ${route}.`);
  }
}

/**
 * Why a reload failed, as a 4xx/5xx the caller can act on; the old model keeps serving. Only our
 * typed errors are quoted: their messages name files but never their contents, whereas a
 * parser's own error (JSON.parse quotes the text around a syntax error) could echo whatever
 * file a hostile folder points at, so any other failure is logged, not answered.
 */
function reloadFailure(
  what: string,
  dir: string,
  error: unknown,
  request: FastifyRequest,
): HttpError {
  const typed = isMlsdError(error);
  if (!typed) request.log.error({ err: error, dir }, `reload of the ${what} failed`);
  const reason = typed
    ? error.message
    : `The ${what} could not be loaded (request id ${request.id}; the service log has the details).`;
  return new HttpError(
    typed ? 422 : 500,
    'RELOAD_FAILED',
    `Reload of the ${what} from ${dir} failed; the previous one keeps serving. ${reason}`,
    { cause: error },
  );
}

/**
 * `POST /admin/reload`: loads the named artifacts completely (checksums, models, state store),
 * then swaps them in together. Reloads run one at a time; requests keep flowing meanwhile and
 * the ones already running finish on the previous model.
 */
export function adminRoutes(context: ServiceContext): FastifyPluginAsyncZod {
  let queue: Promise<unknown> = Promise.resolve();
  return async (app) => {
    app.post(
      '/admin/reload',
      {
        schema: { body: ReloadBodySchema, response: { 200: ReloadResponseSchema } },
        config: {
          validationCode: 'INVALID_REQUEST',
          bodyName: 'reload request',
        } satisfies RouteErrorConfig,
        onRequest: async (request) => authorize(context, request),
        preValidation: requireJson,
      },
      async (request) => {
        const { fraudModelDir, imageIndexDir } = request.body;
        const run = queue.then(async () => {
          let freshFraud: FraudService | undefined;
          let fraudRuntime: FraudRuntime | undefined;
          if (fraudModelDir !== undefined) {
            try {
              if (context.fraud === undefined) freshFraud = await context.openFraud(fraudModelDir);
              else fraudRuntime = await context.fraud.prepare(fraudModelDir);
            } catch (error) {
              context.metrics.reloads.inc({ model: 'fraud', outcome: 'failed' });
              throw reloadFailure('fraud model', fraudModelDir, error, request);
            }
          }
          let imageRuntime: ImageRuntime | undefined;
          let freshImages: ServiceContext['images'];
          if (imageIndexDir !== undefined) {
            try {
              if (context.images === undefined)
                freshImages = await context.openImages(imageIndexDir);
              else imageRuntime = await context.images.prepare(imageIndexDir);
            } catch (error) {
              context.metrics.reloads.inc({ model: 'images', outcome: 'failed' });
              await freshFraud?.close();
              await fraudRuntime?.retire();
              throw reloadFailure('image index', imageIndexDir, error, request);
            }
          }
          // Everything loaded: swap.
          if (freshFraud !== undefined) context.fraud = freshFraud;
          if (fraudRuntime !== undefined) context.fraud!.install(fraudRuntime);
          if (freshImages !== undefined) context.images = freshImages;
          if (imageRuntime !== undefined) context.images!.install(imageRuntime);
          if (fraudModelDir !== undefined) {
            context.metrics.reloads.inc({ model: 'fraud', outcome: 'ok' });
            context.metrics.setModelVersion('fraud', context.fraud!.version);
            context.metrics.clearDrift();
          }
          if (imageIndexDir !== undefined) {
            context.metrics.reloads.inc({ model: 'images', outcome: 'ok' });
            context.metrics.setModelVersion('images', context.images!.version);
          }
          request.log.info(
            { fraud: context.fraud?.version, images: context.images?.version },
            'models reloaded',
          );
          return {
            fraud: context.fraud === undefined ? null : { version: context.fraud.version },
            images: context.images === undefined ? null : { version: context.images.version },
          };
        });
        queue = run.catch(() => {});
        return run;
      },
    );
  };
}
