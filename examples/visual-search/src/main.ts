/** `pnpm --filter @mlsd/example-visual-search start`: the visual-search pipeline on its own. */
import { fileURLToPath } from 'node:url';
import { runVisualSearch } from './visual-search.js';

await runVisualSearch({
  outDir: fileURLToPath(new URL('../../../out/visual-search', import.meta.url)),
});
