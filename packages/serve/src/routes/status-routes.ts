import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody } from '../http/http-error.js';
import { ErrorResponseSchema, InfoResponseSchema } from '../http/schemas.js';
import type { ServiceContext } from '../service-context.js';

/** `GET /healthz`, `GET /readyz`, `GET /v1/info` and `GET /metrics`. */
export function statusRoutes(context: ServiceContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/healthz',
      { schema: { response: { 200: z.object({ status: z.literal('ok') }) } } },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          response: {
            200: z.object({ status: z.literal('ready'), fraud: z.boolean(), images: z.boolean() }),
            503: ErrorResponseSchema,
          },
        },
      },
      async (_request, reply) => {
        if (context.closing) {
          return reply.code(503).send(errorBody('NOT_READY', 'The service is shutting down.'));
        }
        const readiness = await context.fraud?.readiness();
        if (readiness !== undefined && !readiness.ready) {
          // Redis down, or restarted empty (then the store re-seeds it from the model's state).
          return reply
            .code(503)
            .send(
              errorBody(
                'NOT_READY',
                `The fraud online state store is not ready (${readiness.reason ?? 'no answer'}): is Redis up? A namespace found empty is re-seeded from the model's saved state.`,
              ),
            );
        }
        return {
          status: 'ready' as const,
          fraud: context.fraud !== undefined,
          images: context.images !== undefined,
        };
      },
    );

    app.get('/v1/info', { schema: { response: { 200: InfoResponseSchema } } }, async () => ({
      fraud: context.fraud === undefined ? null : await context.fraud.info(),
      images: context.images?.info() ?? null,
    }));

    app.get('/metrics', async (_request, reply) => {
      const registry = context.metrics.registry;
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    });
  };
}
