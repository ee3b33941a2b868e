import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteErrorConfig } from '../http/error-handler.js';
import { HttpError } from '../http/http-error.js';
import { MULTIPART_FIELD_LIMIT_BYTES, readMultipartForm } from '../http/read-multipart.js';
import {
  SimilarQuerySchema,
  SimilarResponseSchema,
  ThumbnailParamsSchema,
} from '../http/schemas.js';
import type { ImageService } from '../images/image-service.js';
import type { ServiceContext } from '../service-context.js';
import { authorize } from './admin-routes.js';

/** Multipart field that carries the image. */
export const IMAGE_FIELD = 'image';

const RAW_TYPE = /^(image\/[\w.+-]+|application\/octet-stream)\s*(;|$)/i;
const MULTIPART_TYPE = /^multipart\/form-data\s*(;|$)/i;

function requireImages(context: ServiceContext): ImageService {
  if (context.images === undefined) {
    throw new HttpError(
      404,
      'IMAGE_INDEX_NOT_LOADED',
      'No image index is loaded: start the service with --image-index <dir> (or load one with POST /admin/reload).',
    );
  }
  return context.images;
}

function parseFields<S extends z.ZodType>(
  schema: S,
  value: unknown,
  code: 'INVALID_QUERY' | 'INVALID_REQUEST',
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new HttpError(
      400,
      code,
      `Invalid ${code === 'INVALID_QUERY' ? 'query' : 'request'}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** Largest text field of an image add's form: its `metadata` JSON may take up to 8 KiB. */
const ADD_FIELD_LIMIT_BYTES = 8_192;

/** Query string (or multipart fields) of `POST /v1/images`. */
const AddImageFieldsSchema = z
  .object({
    id: z.string().min(1).max(512),
    label: z.string().min(1).max(200).optional(),
    /** A JSON object stored with the image (no `source`: the service records where it keeps it). */
    metadata: z.string().max(ADD_FIELD_LIMIT_BYTES).optional(),
    /** The embedder version the client expects (from GET /v1/info); refused when it differs. */
    embedderVersion: z.string().min(1).max(200).optional(),
  })
  .strict();

/** 201 body of `POST /v1/images` and 200 body of `DELETE /v1/images/:id`. */
const CatalogueChangeSchema = z.object({ id: z.string(), seq: z.number(), count: z.number() });

const ImageIdParamsSchema = z.object({ id: z.string().min(1).max(512) });

/** The stored metadata of an add: the JSON object, the label, never a client-chosen source. */
function addMetadata(fields: z.output<typeof AddImageFieldsSchema>): Record<string, unknown> {
  let metadata: Record<string, unknown> = {};
  if (fields.metadata !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fields.metadata);
    } catch {
      throw new HttpError(
        400,
        'INVALID_REQUEST',
        'metadata must be a JSON object, e.g. {"sku":"A-12"}.',
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new HttpError(
        400,
        'INVALID_REQUEST',
        'metadata must be a JSON object, e.g. {"sku":"A-12"}.',
      );
    }
    metadata = parsed as Record<string, unknown>;
  }
  if ('source' in metadata) {
    throw new HttpError(
      400,
      'INVALID_REQUEST',
      'metadata.source is set by the service (it keeps the uploaded bytes); leave it out.',
    );
  }
  return fields.label === undefined ? metadata : { ...metadata, label: fields.label };
}

/**
 * The image bytes and fields of a raw or multipart upload. A multipart form is held to the
 * route's body limit and `fieldLimitBytes` per text field (refused, never truncated).
 */
async function readUpload(
  request: FastifyRequest,
  fieldLimitBytes = MULTIPART_FIELD_LIMIT_BYTES,
): Promise<{ bytes: Buffer; fields: Record<string, unknown> }> {
  if (!request.isMultipart()) {
    return {
      bytes: (request.body as Buffer | null | undefined) ?? Buffer.alloc(0),
      fields: request.query as Record<string, unknown>,
    };
  }
  const form = await readMultipartForm(request, {
    bodyLimitBytes: request.routeOptions.bodyLimit ?? 0,
    fieldLimitBytes,
  });
  const image = form.files[IMAGE_FIELD];
  if (image === undefined) {
    throw new HttpError(
      400,
      'INVALID_IMAGE',
      `The form has no file field "${IMAGE_FIELD}"; attach the image as ${IMAGE_FIELD}.`,
    );
  }
  return { bytes: image, fields: { ...(request.query as object), ...form.fields } };
}

/** Refuses bodies that are neither image bytes nor a multipart form. */
async function requireImageBody(request: FastifyRequest): Promise<void> {
  const type = request.headers['content-type'] ?? '';
  if (!RAW_TYPE.test(type) && !MULTIPART_TYPE.test(type)) {
    throw new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Send the image bytes with Content-Type image/* or application/octet-stream, or a multipart/form-data form with a file field "${IMAGE_FIELD}" (got ${type || 'no content type'}).`,
    );
  }
}

/**
 * `POST /v1/images/similar`, `GET /v1/images/:id/thumbnail`, and the live catalogue behind the
 * admin token: `POST /v1/images` (bytes or multipart, with an id and metadata) and
 * `DELETE /v1/images/:id`.
 */
export function imageRoutes(context: ServiceContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/v1/images/similar',
      {
        schema: {
          querystring: SimilarQuerySchema,
          body: z.instanceof(Buffer).nullish(),
          response: { 200: SimilarResponseSchema },
        },
        config: { validationCode: 'INVALID_QUERY', bodyName: 'image' } satisfies RouteErrorConfig,
        onRequest: async () => {
          requireImages(context);
        },
        preValidation: requireImageBody,
      },
      async (request) => {
        const images = requireImages(context);
        const { bytes, fields } = await readUpload(request);
        const query = parseFields(SimilarQuerySchema, fields, 'INVALID_QUERY');
        return images.similar(bytes, query.k, query.label);
      },
    );

    app.post(
      '/v1/images',
      {
        schema: {
          querystring: AddImageFieldsSchema.partial(),
          body: z.instanceof(Buffer).nullish(),
          response: { 201: CatalogueChangeSchema },
        },
        config: { validationCode: 'INVALID_REQUEST', bodyName: 'image' } satisfies RouteErrorConfig,
        onRequest: async (request) => {
          requireImages(context);
          authorize(context, request, 'POST /v1/images');
        },
        preValidation: requireImageBody,
      },
      async (request, reply) => {
        const images = requireImages(context);
        const { bytes, fields } = await readUpload(request, ADD_FIELD_LIMIT_BYTES);
        const parsed = parseFields(AddImageFieldsSchema, fields, 'INVALID_REQUEST');
        const change = await images.add(
          parsed.id,
          bytes,
          addMetadata(parsed),
          parsed.embedderVersion,
        );
        return reply.code(201).send(change);
      },
    );

    app.delete(
      '/v1/images/:id',
      {
        schema: { params: ImageIdParamsSchema, response: { 200: CatalogueChangeSchema } },
        config: { validationCode: 'UNKNOWN_IMAGE' } satisfies RouteErrorConfig,
        onRequest: async (request) => {
          requireImages(context);
          authorize(context, request, 'DELETE /v1/images/:id');
        },
      },
      async (request) => requireImages(context).remove(request.params.id),
    );

    app.get(
      '/v1/images/:id/thumbnail',
      {
        schema: { params: ThumbnailParamsSchema },
        config: { validationCode: 'UNKNOWN_IMAGE' } satisfies RouteErrorConfig,
      },
      async (request, reply) => {
        const thumbnail = await requireImages(context).thumbnail(request.params.id);
        return reply
          .type(thumbnail.contentType)
          .header('cache-control', 'public, max-age=3600')
          .send(thumbnail.body);
      },
    );
  };
}
