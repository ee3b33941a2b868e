/**
 * The TypeScript blocks of our READMEs. A block fenced ```` ```ts ```` is a complete program: it
 * must compile under strict settings against the published packages and run. A block that is
 * only part of one says so: ```` ```ts excerpt ````. A complete program whose imports reach
 * tfjs-core's declarations (which name DOM types) says ```` ```ts dom ```` and is compiled with
 * the DOM lib.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './workspace-packages.js';

/** One fenced TypeScript block. */
export interface Snippet {
  /** File name for the extracted program, e.g. `drift-1.ts` (`root-1.ts` for the root README). */
  file: string;
  /** README it comes from, relative to the repository root. */
  readme: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** Marked ```` ```ts excerpt ````: part of a program, not extracted. */
  excerpt: boolean;
  /** Marked ```` ```ts dom ````: compiled with the DOM lib. */
  dom: boolean;
  /** The program text. */
  code: string;
  /** Our packages it imports (`@mlsd/core`, `mlsd`, …). */
  imports: string[];
}

/** Words allowed after ```` ```ts ````. */
const FLAGS = new Set(['excerpt', 'dom']);
/** Fence languages that must be written `ts` instead, so no TypeScript block escapes the check. */
const OTHER_TS_NAMES = new Set(['typescript', 'tsx', 'mts', 'cts']);
const OWN_IMPORT = /from\s+'((?:@mlsd\/[a-z-]+)|mlsd)(?:\/[a-z-]+)?'/g;

/** The README files whose TypeScript blocks are checked: the root's and each package's. */
export function readmeFiles(): string[] {
  const packages = readdirSync(join(repoRoot, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(repoRoot, 'packages', entry.name, 'README.md'));
  return [join(repoRoot, 'README.md'), ...packages].filter((path) => {
    try {
      readFileSync(path);
      return true;
    } catch {
      return false;
    }
  });
}

/** Every TypeScript block of the README at `path`. */
export function readmeSnippets(path: string): Snippet[] {
  return parseSnippets(readFileSync(path, 'utf8'), relative(repoRoot, path));
}

/**
 * Every TypeScript block of a README's text; `name` is its path from the repository root
 * (`packages/drift/README.md`), which names the extracted files (`drift-1.ts`).
 * @throws Error for a fence with an unknown flag, a TypeScript block fenced another way, or a
 * fence never closed.
 */
export function parseSnippets(text: string, name: string): Snippet[] {
  const lines = text.split('\n');
  const folder = name === 'README.md' ? 'root' : (name.split('/')[1] ?? 'readme');
  const snippets: Snippet[] = [];
  let open: { line: number; excerpt: boolean; dom: boolean; body: string[] } | undefined;
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (fence !== undefined) {
      if (line.trim() === fence) {
        if (open !== undefined) {
          const code = `${open.body.join('\n')}\n`;
          snippets.push({
            file: `${folder}-${snippets.length + 1}.ts`,
            readme: name,
            line: open.line,
            excerpt: open.excerpt,
            dom: open.dom,
            code,
            imports: [...new Set([...code.matchAll(OWN_IMPORT)].map((m) => m[1]!))].sort(),
          });
        }
        open = undefined;
        fence = undefined;
      } else {
        open?.body.push(line);
      }
      continue;
    }
    const opening = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/.exec(line);
    if (opening === null) continue;
    fence = opening[2]!;
    const language = opening[3]!.toLowerCase();
    if (OTHER_TS_NAMES.has(language)) {
      throw new Error(`${name}:${i + 1}: fence TypeScript as \`\`\`ts (found \`\`\`${language}).`);
    }
    if (language !== 'ts') continue;
    const flags = opening[4]!.split(/\s+/).filter((word) => word !== '');
    const unknown = flags.filter((flag) => !FLAGS.has(flag));
    if (unknown.length > 0) {
      throw new Error(
        `${name}:${i + 1}: unknown flag ${unknown.join(', ')} after \`\`\`ts (allowed: ${[...FLAGS].join(', ')}).`,
      );
    }
    open = {
      line: i + 1,
      excerpt: flags.includes('excerpt'),
      dom: flags.includes('dom'),
      body: [],
    };
  }
  if (fence !== undefined) throw new Error(`${name}: a code fence is never closed.`);
  return snippets;
}

/** Every TypeScript block of every checked README. */
export function allSnippets(): Snippet[] {
  return readmeFiles().flatMap(readmeSnippets);
}
