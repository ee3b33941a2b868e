import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { HttpError } from '../http/http-error.js';

/** The page's files and their content types. */
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/**
 * The web page: three static files read from `publicDir` on each request (they are small, and
 * an edited page shows up without a restart). Only these names are served, so no path from a
 * request ever reaches the file system.
 */
export function staticRoutes(publicDir: string): FastifyPluginAsyncZod {
  return async (app) => {
    for (const [url, { file, type }] of Object.entries(FILES)) {
      app.get(url, async (_request, reply) => {
        let body: Buffer;
        try {
          body = await readFile(join(publicDir, file));
        } catch {
          throw new HttpError(
            404,
            'NOT_FOUND',
            `The web page file ${file} is missing from ${publicDir}; reinstall @mlsd/serve.`,
          );
        }
        return reply.type(type).header('cache-control', 'no-cache').send(body);
      });
    }
  };
}
