/** `pnpm --filter @mlsd/example-bring-your-own-data start`: the pipeline on its own. */
import { fileURLToPath } from 'node:url';
import { runBringYourOwnData } from './bring-your-own-data.js';

await runBringYourOwnData({
  outDir: fileURLToPath(new URL('../../../out/bring-your-own-data', import.meta.url)),
});
