/**
 * Runs the benchmarks one after another, each in its own process so that timings and peak
 * memory do not leak between them. `pnpm bench` runs all; `pnpm bench ann drift` runs some.
 * Each benchmark writes its figures to benchmarks/results/<name>.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here, { withFileTypes: true })
  .filter(
    (entry) => entry.isDirectory() && entry.name !== 'results' && entry.name !== 'node_modules',
  )
  .flatMap((entry) =>
    readdirSync(`${here}${entry.name}`)
      .filter((file) => file.endsWith('.bench.ts'))
      .map((file) => ({ group: entry.name, path: `${here}${entry.name}/${file}` })),
  );

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !available.some((bench) => bench.group === name));
if (unknown.length > 0) {
  process.stderr.write(
    `bench: no benchmark group ${unknown.join(', ')}; groups: ${[...new Set(available.map((b) => b.group))].join(', ')}\n`,
  );
  process.exit(2);
}
const selected =
  wanted.length === 0 ? available : available.filter((bench) => wanted.includes(bench.group));

let failed = 0;
for (const bench of selected) {
  if (!existsSync(bench.path)) continue;
  process.stderr.write(`\n== ${bench.group}: ${bench.path.slice(here.length)}\n`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=@mlsd/source', bench.path],
    {
      stdio: 'inherit',
      cwd: `${here}..`,
    },
  );
  if (result.status !== 0) {
    failed++;
    process.stderr.write(`== ${bench.group} failed (exit ${result.status})\n`);
  }
}
process.exit(failed > 0 ? 1 : 0);
