import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

/**
 * WebAssembly text kernels (`packages/<name>/src/**\/<kernel>.wat`) and the TypeScript modules
 * compiled from them (`<kernel>.wasm.ts` beside each), which ship the bytes in the packages so
 * nothing is compiled on a user's machine. Used by `build-wasm.ts` and by the test that checks
 * every generated module is up to date.
 */

/** The repository's `packages/` folder. */
const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));

/** Characters of base64 per line of a generated module (a line stays under the 100 of the linter). */
const LINE = 76;

/** Every `.wat` file under `packages/<name>/src`, sorted. */
export function watSources(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.wat')) found.push(path);
    }
  };
  for (const entry of readdirSync(PACKAGES, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      const src = join(PACKAGES, entry.name, 'src');
      try {
        walk(src);
      } catch {
        // a package without src/
      }
    }
  }
  return found.sort();
}

/** The generated module's path for a `.wat` source. */
export function generatedPath(watPath: string): string {
  return watPath.replace(/\.wat$/, '.wasm.ts');
}

/** Compiles WebAssembly text (with SIMD) to module bytes, with wabt's npm build. */
export async function compileWat(watPath: string): Promise<Uint8Array> {
  const wabt = await initWabt();
  const module = wabt.parseWat(basename(watPath), readFileSync(watPath, 'utf8'), { simd: true });
  try {
    module.resolveNames();
    module.validate();
    return module.toBinary({ log: false }).buffer;
  } finally {
    module.destroy();
  }
}

/** The TypeScript source of the generated module for `watPath`. */
export async function generatedModule(watPath: string): Promise<string> {
  const base64 = Buffer.from(await compileWat(watPath)).toString('base64');
  const lines: string[] = [];
  for (let at = 0; at < base64.length; at += LINE)
    lines.push(`  '${base64.slice(at, at + LINE)}',`);
  const source = basename(watPath);
  return [
    `// Generated from ${source} by packages/core/scripts/build-wasm.ts: do not edit.`,
    '// Rebuild after changing the .wat: pnpm --filter @mlsd/core build:wasm',
    '',
    `/** The WebAssembly module compiled from \`${source}\`, as base64 (decode with \`decodeWasm\`). */`,
    'export const WASM_BASE64 = [',
    ...lines,
    "].join('');",
    '',
  ].join('\n');
}
