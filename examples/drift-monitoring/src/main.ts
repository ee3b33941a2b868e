/** `pnpm --filter @mlsd/example-drift-monitoring start`: the monitoring loop on its own. */
import { fileURLToPath } from 'node:url';
import { runDriftMonitoring } from './drift-monitoring.js';

await runDriftMonitoring({
  outDir: fileURLToPath(new URL('../../../out/drift-monitoring', import.meta.url)),
});
