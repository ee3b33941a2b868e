import { MAX_BATCH } from '../http/schemas.js';
import type { FraudService } from './fraud-service.js';
import { transactionJsonSchema } from './transaction-fields.js';

/**
 * The OpenAPI document with the scoring request of the model being served: the body of
 * `POST /v1/fraud/score` becomes one transaction (or a batch) with the fields its config reads,
 * their types and descriptions and the model's example, instead of "any object". Generated on
 * each call, so a reloaded model with other columns documents itself.
 */
export function withFraudRequestSchema(
  document: unknown,
  fraud: FraudService | undefined,
): unknown {
  if (fraud === undefined) return document;
  const patched = structuredClone(document) as {
    paths?: Record<
      string,
      Record<string, { requestBody?: { content?: Record<string, { schema?: unknown }> } }>
    >;
  };
  const content =
    patched.paths?.['/v1/fraud/score']?.post?.requestBody?.content?.['application/json'];
  if (content === undefined) return document;
  const runtime = fraud.runtime;
  const transaction = transactionJsonSchema(runtime.fields, runtime.model.example);
  content.schema = {
    anyOf: [transaction, { type: 'array', items: transaction, minItems: 1, maxItems: MAX_BATCH }],
  };
  return patched;
}
