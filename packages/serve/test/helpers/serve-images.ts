/**
 * Child process of the crash test: serves an image index with an admin token and prints its
 * URL on stdout. Usage: serve-images.ts <index dir> <token>
 */
import { createService } from '../../src/index.js';

const [dir, token] = process.argv.slice(2) as [string, string];
const service = await createService({ imageIndexDir: dir, adminToken: token, logger: false });
process.stdout.write(`${await service.listen({ port: 0 })}\n`);
