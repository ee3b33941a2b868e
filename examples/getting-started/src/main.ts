/** `pnpm --filter @mlsd/example-getting-started start`: the tour on its own. */
import { fileURLToPath } from 'node:url';
import { runGettingStarted } from './getting-started.js';

await runGettingStarted({
  outDir: fileURLToPath(new URL('../../../out/getting-started', import.meta.url)),
});
