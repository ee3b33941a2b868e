/**
 * Compiles every WebAssembly text kernel of the repo (`packages/<name>/src/**\/*.wat`) into the
 * TypeScript module beside it (`*.wasm.ts`, the bytes as base64), with wabt's npm build (no
 * native tool). The generated modules are checked in and published, so users never compile.
 *
 * Run: pnpm --filter @mlsd/core build:wasm          (writes the modules)
 *      pnpm --filter @mlsd/core build:wasm --check  (exit 1 when one is stale)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { generatedModule, generatedPath, watSources } from './wat-modules.js';

const check = process.argv.includes('--check');
let stale = 0;
for (const wat of watSources()) {
  const target = generatedPath(wat);
  const text = await generatedModule(wat);
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // not generated yet
  }
  const name = relative(process.cwd(), target);
  if (current === text) {
    process.stderr.write(`up to date: ${name}\n`);
  } else if (check) {
    stale++;
    process.stderr.write(`stale: ${name} (run pnpm --filter @mlsd/core build:wasm)\n`);
  } else {
    writeFileSync(target, text);
    process.stderr.write(`wrote: ${name}\n`);
  }
}
process.exitCode = stale === 0 ? 0 : 1;
