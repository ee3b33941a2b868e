import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RouteErrorConfig } from '../http/error-handler.js';
import { HttpError } from '../http/http-error.js';
import { requireJson } from '../http/require-json.js';
import {
  ExampleResponseSchema,
  LabelBodySchema,
  ScoreBodySchema,
  ScoreResponseSchema,
} from '../http/schemas.js';
import { scoreBodyValidator, scoreResponseSerializer } from '../http/score-route-compilers.js';
import type { ServiceContext } from '../service-context.js';

/**
 * 404 FRAUD_MODEL_NOT_LOADED when the service has no fraud model (checked first). A callback
 * hook: an async one would cost a promise on every scoring request.
 */
function requireFraud(context: ServiceContext) {
  return (_request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    if (context.fraud === undefined) {
      done(
        new HttpError(
          404,
          'FRAUD_MODEL_NOT_LOADED',
          'No fraud model is loaded: start the service with --fraud-model <dir> (or load one with POST /admin/reload).',
        ),
      );
      return;
    }
    done();
  };
}

/** `POST /v1/fraud/score`, `POST /v1/fraud/label` and `GET /v1/fraud/example`. */
export function fraudRoutes(context: ServiceContext): FastifyPluginAsyncZod {
  return async (app) => {
    const onRequest = requireFraud(context);
    app.post(
      '/v1/fraud/score',
      {
        schema: { body: ScoreBodySchema, response: { 200: ScoreResponseSchema } },
        validatorCompiler: scoreBodyValidator,
        serializerCompiler: scoreResponseSerializer,
        config: {
          validationCode: 'INVALID_TRANSACTION',
          bodyName: 'transaction',
        } satisfies RouteErrorConfig,
        onRequest,
        preValidation: requireJson,
      },
      async (request) => {
        const fraud = context.fraud!;
        const body = request.body;
        if (Array.isArray(body)) {
          const { results, version } = await fraud.scoreBatch(body);
          return { results, modelVersion: version };
        }
        const { result, version } = await fraud.score(body);
        return { ...result, modelVersion: version };
      },
    );
    app.post(
      '/v1/fraud/label',
      {
        schema: { body: LabelBodySchema },
        config: { validationCode: 'INVALID_LABEL', bodyName: 'label' } satisfies RouteErrorConfig,
        onRequest,
        preValidation: requireJson,
      },
      async (request, reply) => {
        await context.fraud!.label(request.body.transactionId, request.body.fraud);
        return reply.code(204).send();
      },
    );
    app.get(
      '/v1/fraud/example',
      { schema: { response: { 200: ExampleResponseSchema } }, onRequest },
      async () => ({ transaction: await context.fraud!.example() }),
    );
  };
}
