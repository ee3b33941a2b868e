import { z } from 'zod';

/** Most transactions one `POST /v1/fraud/score` may carry. */
export const MAX_BATCH = 1_000;
/** Most neighbours one similar-image query may ask for. */
export const MAX_K = 100;

/**
 * One transaction to score: a JSON object with the log's own column names. The fields depend on
 * the model's config (see `/v1/info` and `/openapi.json`); the service checks them with the
 * config's row normalizer, which names the field and the problem.
 */
export const TransactionBodySchema = z
  .record(z.string(), z.unknown())
  .describe("One transaction with the log's own column names, as the model's config reads them.");

/** Body of `POST /v1/fraud/score`: one transaction or a batch of 1..1000 in time order. */
export const ScoreBodySchema = z.union([
  TransactionBodySchema,
  z.array(TransactionBodySchema).min(1).max(MAX_BATCH),
]);

/** The answer for one transaction (the fraud scorer's result). */
export const ScoreResultSchema = z.object({
  transactionId: z.string(),
  score: z.number(),
  decision: z.enum(['alert', 'pass']),
  threshold: z.number(),
  features: z.record(z.string(), z.number()),
});

/** 200 body of `POST /v1/fraud/score`: one result, or `{ results }` for a batch. */
export const ScoreResponseSchema = z.union([
  ScoreResultSchema.extend({ modelVersion: z.string() }),
  z.object({ results: z.array(ScoreResultSchema), modelVersion: z.string() }),
]);

/** Body of `POST /v1/fraud/label`. */
export const LabelBodySchema = z
  .object({
    transactionId: z.union([z.string().min(1).max(200), z.number().int()]),
    fraud: z.union([z.literal(0), z.literal(1)]),
  })
  .strict();

/** Query string (or multipart fields) of `POST /v1/images/similar`. */
export const SimilarQuerySchema = z.object({
  k: z.coerce.number().int().min(1).max(MAX_K).default(10),
  label: z.string().min(1).max(200).optional(),
});

/** 200 body of `POST /v1/images/similar`. */
export const SimilarResponseSchema = z.object({
  hits: z.array(
    z.object({
      id: z.string(),
      distance: z.number(),
      label: z.union([z.string(), z.number()]).nullable(),
      labelName: z.string().nullable(),
      metadata: z.record(z.string(), z.unknown()).nullable(),
    }),
  ),
  k: z.number(),
  tookMs: z.number(),
});

/** Path parameters of `GET /v1/images/:id/thumbnail`. */
export const ThumbnailParamsSchema = z.object({ id: z.string().min(1).max(1_000) });

/** 200 body of `GET /v1/info`. */
export const InfoResponseSchema = z.object({
  fraud: z
    .object({
      version: z.string(),
      threshold: z.number(),
      features: z.array(z.string()),
      store: z.enum(['memory', 'redis']),
      kind: z.string(),
      /** Time of the latest transaction the online state holds (epoch seconds), null before any. */
      clock: z.number().nullable(),
      /** The fields of a scoring request, from the model's config. */
      transaction: z.object({
        fields: z.array(
          z.object({
            name: z.string(),
            role: z.string(),
            types: z.array(z.enum(['string', 'number', 'boolean'])),
            required: z.boolean(),
            description: z.string(),
          }),
        ),
      }),
    })
    .nullable(),
  images: z
    .object({
      version: z.string(),
      count: z.number(),
      dim: z.number(),
      labels: z.array(z.union([z.string(), z.number()])),
      labelNames: z.record(z.string(), z.string()).nullable(),
      embedder: z.object({ kind: z.string(), version: z.string(), name: z.string() }),
      live: z.boolean(),
    })
    .nullable(),
});

/** 200 body of `GET /v1/fraud/example`: a transaction to try, null when the model has none. */
export const ExampleResponseSchema = z.object({
  transaction: z.record(z.string(), z.union([z.string(), z.number()])).nullable(),
});

/** Body of `POST /admin/reload`: at least one artifact folder. */
export const ReloadBodySchema = z
  .object({
    fraudModelDir: z.string().min(1).optional(),
    imageIndexDir: z.string().min(1).optional(),
  })
  .strict()
  .refine((body) => body.fraudModelDir !== undefined || body.imageIndexDir !== undefined, {
    message: 'give fraudModelDir, imageIndexDir or both',
  });

/** 200 body of `POST /admin/reload`. */
export const ReloadResponseSchema = z.object({
  fraud: z.object({ version: z.string() }).nullable(),
  images: z.object({ version: z.string() }).nullable(),
});

/** Body of every error response. */
export const ErrorResponseSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
