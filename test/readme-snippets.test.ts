import { describe, expect, it } from 'vitest';
import { allSnippets, parseSnippets } from '../scripts/lib/readme-snippets.js';

const readme = [
  '# pkg',
  '```ts',
  "import { ksTwoSample } from '@mlsd/drift';",
  "import { Rng } from '@mlsd/core';",
  '```',
  '````md',
  '```ts',
  'not a block of its own: inside a four-backtick fence',
  '```',
  '````',
  '```ts excerpt',
  'const y = x + 1;',
  '```',
  '```ts dom',
  "import { getTf } from '@mlsd/tf/tfjs';",
  '```',
  '```sh',
  'mlsd info',
  '```',
].join('\n');

describe('README snippets', () => {
  it('extracts ts blocks with their flags, lines and our imports', () => {
    const snippets = parseSnippets(readme, 'packages/drift/README.md');
    expect(
      snippets.map(({ file, line, excerpt, dom, imports }) => ({
        file,
        line,
        excerpt,
        dom,
        imports,
      })),
    ).toEqual([
      {
        file: 'drift-1.ts',
        line: 2,
        excerpt: false,
        dom: false,
        imports: ['@mlsd/core', '@mlsd/drift'],
      },
      { file: 'drift-2.ts', line: 11, excerpt: true, dom: false, imports: [] },
      { file: 'drift-3.ts', line: 14, excerpt: false, dom: true, imports: ['@mlsd/tf'] },
    ]);
    expect(snippets[0]!.code).toBe(
      "import { ksTwoSample } from '@mlsd/drift';\nimport { Rng } from '@mlsd/core';\n",
    );
  });

  it('refuses unknown flags, other TypeScript fence names and unclosed fences', () => {
    expect(() => parseSnippets('```ts exerpt\nx\n```\n', 'README.md')).toThrow(
      /README\.md:1: unknown flag exerpt after ```ts \(allowed: excerpt, dom\)/,
    );
    expect(() => parseSnippets('```typescript\nx\n```\n', 'README.md')).toThrow(
      /fence TypeScript as ```ts \(found ```typescript\)/,
    );
    expect(() => parseSnippets('```ts\nx\n', 'README.md')).toThrow(/never closed/);
  });

  it("every README of the repository parses, and each package's has a complete program", () => {
    const snippets = allSnippets();
    const complete = new Set(snippets.filter((s) => !s.excerpt).map((s) => s.readme));
    const withBlocks = new Set(snippets.map((s) => s.readme));
    expect([...withBlocks].filter((readme) => !complete.has(readme))).toEqual([]);
  });
});
