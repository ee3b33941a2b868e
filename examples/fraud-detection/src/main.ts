/** `pnpm --filter @mlsd/example-fraud-detection start`: the fraud pipeline on its own. */
import { fileURLToPath } from 'node:url';
import { runFraudDetection } from './fraud-detection.js';

await runFraudDetection({
  outDir: fileURLToPath(new URL('../../../out/fraud-detection', import.meta.url)),
});
