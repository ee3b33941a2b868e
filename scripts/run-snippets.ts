/**
 * Runs the complete README snippets from source, for writing them: no build, no pack, no npm.
 * CI checks them against the packed packages instead (scripts/check-packed.ts).
 *
 *   pnpm exec tsx scripts/run-snippets.ts [name-filter]    e.g. drift, or drift-2
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allSnippets } from './lib/readme-snippets.js';
import { repoRoot } from './lib/workspace-packages.js';

const filter = process.argv[2] ?? '';
// The CLI package depends on every other package, so their names resolve from its folder.
const folder = join(repoRoot, 'packages', 'cli', '.tmp', 'snippets');
rmSync(folder, { recursive: true, force: true });
mkdirSync(folder, { recursive: true });
let failed = 0;
const snippets = allSnippets().filter((s) => !s.excerpt && s.file.startsWith(filter));
for (const snippet of snippets) {
  const file = join(folder, snippet.file);
  writeFileSync(file, snippet.code);
  const cwd = mkdtempSync(join(tmpdir(), 'mlsd-snippet-'));
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), '--conditions=@mlsd/source', file],
    { cwd, encoding: 'utf8' },
  );
  rmSync(cwd, { recursive: true, force: true });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const where = `${snippet.readme}:${snippet.line} (${snippet.file}, ${seconds} s)`;
  if (child.status === 0) {
    process.stdout.write(`ok   ${where}\n${indent(child.stdout)}`);
  } else {
    failed++;
    process.stdout.write(`FAIL ${where}\n${indent(child.stderr || child.stdout)}`);
  }
}
process.stdout.write(`${snippets.length - failed} snippets ran, ${failed} failed\n`);
process.exitCode = failed === 0 ? 0 : 1;

function indent(text: string): string {
  const lines = text.trimEnd().split('\n').slice(0, 40);
  return lines.length === 1 && lines[0] === ''
    ? ''
    : `${lines.map((l) => `     ${l}`).join('\n')}\n`;
}
