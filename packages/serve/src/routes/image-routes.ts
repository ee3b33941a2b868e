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

function parseQuery(value: unknown): z.infer<typeof SimilarQuerySchema> {
  const parsed = SimilarQuerySchema.safeParse(value);
  if (!parsed.success) {
    throw new HttpError(
      400,
      'INVALID_QUERY',
      `Invalid query: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** `POST /v1/images/similar` and `GET /v1/images/:id/thumbnail`. */
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
        preValidation: async (request) => {
          const type = request.headers['content-type'] ?? '';
          if (!RAW_TYPE.test(type) && !MULTIPART_TYPE.test(type)) {
            throw new HttpError(
              415,
              'UNSUPPORTED_MEDIA_TYPE',
              `Send the image bytes with Content-Type image/* or application/octet-stream, or a multipart/form-data form with a file field "${IMAGE_FIELD}" (got ${type || 'no content type'}).`,
            );
          }
        },
      },
      async (request) => {
        const images = requireImages(context);
        let bytes: Buffer | undefined;
        let query = request.query;
        if (request.isMultipart()) {
          const form = await readMultipartForm(request, {
            bodyLimitBytes: request.routeOptions.bodyLimit,
            fieldLimitBytes: MULTIPART_FIELD_LIMIT_BYTES,
          });
          const image = form.files[IMAGE_FIELD];
          if (image === undefined) {
            throw new HttpError(
              400,
              'INVALID_IMAGE',
              `The form has no file field "${IMAGE_FIELD}"; attach the image as ${IMAGE_FIELD}.`,
            );
          }
          bytes = image;
          query = parseQuery({ ...request.query, ...form.fields });
        } else {
          bytes = request.body ?? Buffer.alloc(0);
        }
        return images.similar(bytes, query.k, query.label);
      },
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
