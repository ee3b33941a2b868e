import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread running the module `name` of this folder (`'train-worker'`,
 * `'embed-worker'`): the compiled `<name>.js` beside this file, or, when running from the
 * TypeScript sources (tsx, vitest), `<name>.ts` through a small bootstrap that registers tsx's
 * loader in the worker first (loader flags of the parent do not reach worker threads on every
 * Node version), with the source export condition.
 */
export function startWorker(name: string): Worker {
  const compiled = new URL(`./${name}.js`, import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled);
  const source = new URL(`./${name}.ts`, import.meta.url);
  const bootstrap = [
    "const { workerData } = require('node:worker_threads');",
    "import('tsx/esm/api').then((tsx) => { tsx.register(); return import(workerData.entry); });",
  ].join('\n');
  return new Worker(bootstrap, {
    eval: true,
    workerData: { entry: source.href },
    execArgv: ['--conditions=@mlsd/source'],
  });
}
