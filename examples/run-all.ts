/**
 * `pnpm start`: runs every example pipeline end to end on its embedded defaults, one after
 * another, and ends with a summary. Output goes under out/<example>/ at the repository root.
 */
import { fileURLToPath } from 'node:url';
import { runBringYourOwnData } from './bring-your-own-data/src/bring-your-own-data.js';
import { runDriftMonitoring } from './drift-monitoring/src/drift-monitoring.js';
import { runFraudDetection } from './fraud-detection/src/fraud-detection.js';
import { runGettingStarted } from './getting-started/src/getting-started.js';
import { runVisualSearch } from './visual-search/src/visual-search.js';

interface ExampleRun {
  name: string;
  run: (outDir: string) => Promise<unknown>;
}

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const examples: ExampleRun[] = [
  { name: 'getting-started', run: (outDir) => runGettingStarted({ outDir }) },
  { name: 'fraud-detection', run: (outDir) => runFraudDetection({ outDir }) },
  { name: 'bring-your-own-data', run: (outDir) => runBringYourOwnData({ outDir }) },
  { name: 'visual-search', run: (outDir) => runVisualSearch({ outDir }) },
  { name: 'drift-monitoring', run: (outDir) => runDriftMonitoring({ outDir }) },
];

const failures: string[] = [];
const timings: string[] = [];
for (const example of examples) {
  const started = performance.now();
  process.stderr.write(`\n=== example: ${example.name}\n`);
  try {
    await example.run(`${repoRoot}out/${example.name}`);
    timings.push(`${example.name}: ok in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    failures.push(example.name);
    timings.push(`${example.name}: FAILED`);
    process.stderr.write(
      `example ${example.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
}
process.stderr.write(`\n=== done\n${timings.map((line) => `  ${line}`).join('\n')}\n`);
if (failures.length === 0) {
  // Both artifacts the examples just wrote, served over HTTP (packages/serve).
  process.stderr.write(
    [
      '',
      'Serve what these examples wrote (fraud scoring, similar images, a web page, /metrics):',
      '  pnpm mlsd serve --fraud-model out/fraud-detection/model --image-index out/visual-search/index',
      'then open http://127.0.0.1:8080/ (the URL is printed on start; Ctrl-C drains and stops).',
      '',
    ].join('\n'),
  );
}
process.exitCode = failures.length > 0 ? 1 : 0;
