/**
 * What a user gets from npm, checked the way a user meets it: the packages are built and packed,
 * each tarball is linted (publint, are-the-types-wrong, our own manifest checks), then all of them
 * are installed with npm into a fresh project outside the workspace, where every complete README
 * snippet is type-checked under strict settings (no skipLibCheck, no DOM lib) and run.
 *
 *   pnpm exec tsx scripts/check-packed.ts [--tarballs DIR] [--out DIR]
 *
 * --tarballs uses tarballs packed already; --out (default .tmp/packed-check) receives the
 * tarballs' list and the compiled snippets, for scripts/check-no-compiler.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { allSnippets, type Snippet } from './lib/readme-snippets.js';
import {
  type PackedPackage,
  packWorkspace,
  repoRoot,
  tarballFiles,
  tarballManifest,
  userEnv,
} from './lib/workspace-packages.js';

const SNIPPET_TIMEOUT_MS = 5 * 60_000;
/**
 * Entries whose declarations reach TensorFlow.js's, which need the DOM lib (tfjs-core names
 * browser types) and, for tfjs-layers, do not compile under strict settings at all (2 errors
 * inside its own .d.ts with TypeScript 5.9). They, and the snippets fenced ```ts dom, are compiled
 * with the DOM lib and every error inside node_modules/@tensorflow/ tolerated and counted; an
 * error anywhere else, ours included, still fails. `@mlsd/tf/tfjs` is tfjs's namespace by design;
 * `@mlsd/vision/tfjs` holds vision's tfjs-typed helpers (the main entries of @mlsd/vision and
 * @mlsd/serve name no tfjs type and compile without the DOM lib).
 */
const TFJS_TYPED_ENTRIES = new Set(['@mlsd/tf/tfjs', '@mlsd/vision/tfjs']);
const TFJS_DECLARATIONS = /^node_modules\/@tensorflow\//;

const { values } = parseArgs({
  options: { tarballs: { type: 'string' }, out: { type: 'string' } },
});
const outDir = resolve(values.out ?? join(repoRoot, '.tmp', 'packed-check'));
const failures: string[] = [];
const started = performance.now();

step('pack');
const packed =
  values.tarballs === undefined
    ? packWorkspace(join(outDir, 'tarballs'), { build: true })
    : readdirSync(values.tarballs)
        .filter((file) => file.endsWith('.tgz'))
        .map((file) => {
          const tarball = resolve(values.tarballs!, file);
          const manifest = tarballManifest(tarball);
          return { name: manifest.name, folder: '', tarball, manifest };
        });
log(`${packed.length} tarballs: ${packed.map((p) => p.name).join(', ')}`);

step('lint the tarballs (manifest, publint, attw)');
// Two at a time: each is a few seconds of one core.
for (let i = 0; i < packed.length; i += 2)
  await Promise.all(packed.slice(i, i + 2).map(lintTarball));

step('install them with npm into a project outside the workspace');
const project = mkdtempSync(join(tmpdir(), 'mlsd-consumer-'));
if (!relative(repoRoot, project).startsWith('..')) {
  throw new Error(`${project} is inside the workspace; set TMPDIR to a folder outside it.`);
}
const workspaceManifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};
writeJson(join(project, 'package.json'), {
  name: 'mlsd-consumer',
  private: true,
  type: 'module',
  dependencies: Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`])),
  devDependencies: {
    typescript: workspaceManifest.devDependencies.typescript,
    '@types/node': workspaceManifest.devDependencies['@types/node'],
  },
});
const install = timed(() => npm(['install', '--no-audit', '--no-fund'], project));
log(`npm install: ${install.seconds.toFixed(1)} s in ${project}`);

step('type-check every complete README snippet strictly');
const snippets = allSnippets();
const complete = snippets.filter((s) => !s.excerpt);
log(
  `${snippets.length} TypeScript blocks in the READMEs: ${complete.length} complete programs, ` +
    `${snippets.length - complete.length} marked excerpt`,
);
mkdirSync(join(project, 'snippets'));
for (const snippet of complete)
  writeFileSync(join(project, 'snippets', snippet.file), snippet.code);
// Every published entry point, so declarations no snippet imports are compiled too.
writeFileSync(join(project, 'snippets', 'entries.ts'), entriesProgram(packed, false));
writeFileSync(join(project, 'snippets', 'entries-dom.ts'), entriesProgram(packed, true));
const strictFiles = ['entries.ts', ...complete.filter((s) => !s.dom).map((s) => s.file)];
const domFiles = ['entries-dom.ts', ...complete.filter((s) => s.dom).map((s) => s.file)];
typeCheck('tsconfig.strict.json', strictFiles, { lib: ['ES2023'], tolerateTfjs: false });
typeCheck('tsconfig.dom.json', domFiles, { lib: ['ES2023', 'DOM'], tolerateTfjs: true });

step('run every complete snippet');
const dataDir = mkdtempSync(join(tmpdir(), 'mlsd-consumer-data-'));
// The snippets fetch Fashion-MNIST from Debian's dataset-fashion-mnist, as a user would (CI
// installs it); elsewhere they read the clone's copy.
const snippetEnv: NodeJS.ProcessEnv = { ...userEnv(), MLSD_DATA_DIR: dataDir, CI: 'true' };
if (!existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz')) {
  snippetEnv.MLSD_FASHION_MNIST_DIR = join(repoRoot, 'datasets', 'fashion-mnist');
  log(
    `no dataset-fashion-mnist on this machine: MLSD_FASHION_MNIST_DIR=${snippetEnv.MLSD_FASHION_MNIST_DIR}`,
  );
}
let ran = 0;
for (const snippet of complete) {
  if (runSnippet(snippet)) ran++;
}

step('keep the compiled snippets for the compiler-free install');
rmSync(join(outDir, 'snippets'), { recursive: true, force: true });
cpSync(join(project, 'out'), join(outDir, 'snippets'), { recursive: true });
writeJson(join(outDir, 'packed-check.json'), {
  tarballs: packed.map((p) => ({ name: p.name, tarball: p.tarball, manifest: p.manifest })),
  snippets: complete.map(({ code: _code, ...rest }) => ({
    ...rest,
    js: rest.file.replace(/\.ts$/, '.js'),
  })),
});
rmSync(project, { recursive: true, force: true });
rmSync(dataDir, { recursive: true, force: true });

const seconds = ((performance.now() - started) / 1000).toFixed(0);
if (failures.length > 0) {
  process.stderr.write(
    `\n${failures.length} problem(s):\n${failures.map((f) => `  - ${f}`).join('\n')}\n`,
  );
  process.stderr.write(`packed-package check failed after ${seconds} s\n`);
  process.exit(1);
}
log(
  `packed-package check passed in ${seconds} s: ${packed.length} tarballs linted, ` +
    `${complete.length} snippets type-checked, ${ran} run`,
);

async function lintTarball(pkg: PackedPackage): Promise<void> {
  const manifestText = JSON.stringify(pkg.manifest);
  if (manifestText.includes('@mlsd/source')) {
    failures.push(
      `${pkg.name}: the packed package.json still has the @mlsd/source export condition`,
    );
  }
  if (manifestText.includes('workspace:')) {
    failures.push(`${pkg.name}: the packed package.json still has a workspace: range`);
  }
  const files = tarballFiles(pkg.tarball);
  for (const entry of pkg.manifest.files ?? []) {
    const present = files.some((file) => file === entry || file.startsWith(`${entry}/`));
    if (!present) failures.push(`${pkg.name}: "files" lists ${entry}, which is not in the tarball`);
  }
  const [publint, attw] = await Promise.all([
    runAsync('pnpm', ['exec', 'publint', 'run', pkg.tarball, '--strict', '--level', 'warning']),
    // esm-only: our packages are ES modules by design; CommonJS consumers use import().
    runAsync('pnpm', [
      'exec',
      'attw',
      pkg.tarball,
      '--profile',
      'esm-only',
      '--format',
      'ascii',
      '--no-color',
    ]),
  ]);
  if (publint.code !== 0) failures.push(`${pkg.name}: publint: ${clip(publint.output)}`);
  if (attw.code !== 0) failures.push(`${pkg.name}: attw: ${clip(attw.output)}`);
  log(
    `${pkg.name}: publint ${publint.code === 0 ? 'ok' : 'FAILED'}, attw ${attw.code === 0 ? 'ok' : 'FAILED'}`,
  );
}

/** Runs a command in the repository without blocking, collecting stdout and stderr together. */
function runAsync(
  command: string,
  args: readonly string[],
): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: repoRoot });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.on('close', (code) => done({ code, output }));
  });
}

/** A program importing every entry point of every package (only tfjs-typed ones when `dom`). */
function entriesProgram(packages: readonly PackedPackage[], dom: boolean): string {
  const entries: string[] = [];
  for (const pkg of packages) {
    const exports = (pkg.manifest.exports ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(exports)) {
      if (key === './package.json') continue;
      const specifier = key === '.' ? pkg.name : `${pkg.name}/${key.replace(/^\.\//, '')}`;
      if (TFJS_TYPED_ENTRIES.has(specifier) === dom) entries.push(specifier);
    }
  }
  // A JSON entry (fraud's config schema) is imported as JSON, as Node requires.
  const lines = entries.map((specifier, i) =>
    specifier.endsWith('.json')
      ? `import entry${i} from '${specifier}' with { type: 'json' };`
      : `import * as entry${i} from '${specifier}';`,
  );
  lines.push(
    `const counts = [${entries.map((_, i) => `Object.keys(entry${i}).length`).join(', ')}];`,
    'console.log(counts.join(" "));',
  );
  return `${lines.join('\n')}\n`;
}

function typeCheck(
  config: string,
  files: readonly string[],
  options: { lib: readonly string[]; tolerateTfjs: boolean },
): void {
  const { lib, tolerateTfjs } = options;
  writeJson(join(project, config), {
    compilerOptions: {
      target: 'ES2022',
      lib,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      // A Node project lists its global types; otherwise the @types packages tfjs installs
      // (offscreencanvas, emscripten) are included and need the DOM lib. tfjs-typed programs
      // keep TypeScript's default so tfjs-core finds @types/long.
      ...(tolerateTfjs ? {} : { types: ['node'] }),
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noImplicitOverride: true,
      noImplicitReturns: true,
      skipLibCheck: false,
      rootDir: 'snippets',
      outDir: 'out',
    },
    files: files.map((file) => `snippets/${file}`),
  });
  const tsc = spawnSync('npx', ['tsc', '-p', config], {
    cwd: project,
    encoding: 'utf8',
    env: userEnv(),
  });
  const errors = tsc.stdout.split('\n').filter((line) => / error TS\d+/.test(line));
  const tolerated = tolerateTfjs ? errors.filter((line) => TFJS_DECLARATIONS.test(line)) : [];
  for (const error of errors) {
    if (!tolerated.includes(error)) failures.push(`tsc (${lib.join('+')}): ${locate(error)}`);
  }
  if (tsc.status !== 0 && errors.length === 0) {
    failures.push(`tsc -p ${config}: ${clip(tsc.stdout + tsc.stderr)}`);
  }
  log(
    `tsc ${config} (${files.length} files, lib ${lib.join(', ')}): ` +
      `${errors.length - tolerated.length} errors` +
      (tolerateTfjs ? `, ${tolerated.length} tolerated inside tfjs's own declarations` : ''),
  );
}

/** `snippets/drift-1.ts(3,5): error …` → the same error at its README line. */
function locate(error: string): string {
  const match = /^snippets\/([^()]+)\((\d+),(\d+)\)(.*)$/.exec(error.trim());
  const snippet = match === null ? undefined : complete.find((s) => s.file === match[1]);
  if (match === null || snippet === undefined) return error.trim();
  return `${snippet.readme}:${snippet.line + Number(match[2])}:${match[3]} (${snippet.file})${match[4]}`;
}

function runSnippet(snippet: Snippet): boolean {
  const cwd = mkdtempSync(join(tmpdir(), 'mlsd-snippet-'));
  const js = join(project, 'out', snippet.file.replace(/\.ts$/, '.js'));
  const child = timed(() =>
    spawnSync(process.execPath, [js], {
      cwd,
      encoding: 'utf8',
      timeout: SNIPPET_TIMEOUT_MS,
      env: snippetEnv,
    }),
  );
  rmSync(cwd, { recursive: true, force: true });
  const where = `${snippet.readme}:${snippet.line} (${snippet.file})`;
  const { status, signal, stdout, stderr } = child.value;
  if (status !== 0) {
    failures.push(`${where} exited with ${status ?? signal}: ${clip(stderr || stdout)}`);
    log(`FAIL ${where}`);
    return false;
  }
  log(`ok   ${where} ${child.seconds.toFixed(1)} s`);
  return true;
}

function npm(args: readonly string[], cwd: string): string {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8', env: userEnv() });
  if (result.status !== 0)
    throw new Error(`npm ${args.join(' ')} failed:\n${clip(result.stderr, 4000)}`);
  return result.stdout;
}

function timed<T>(work: () => T): { value: T; seconds: number } {
  const start = performance.now();
  const value = work();
  return { value, seconds: (performance.now() - start) / 1000 };
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

function clip(text: string, max = 1500): string {
  const trimmed = text.trim();
  return trimmed.length > max ? `${trimmed.slice(0, max)}…` : trimmed;
}

function step(title: string): void {
  const at = ((performance.now() - started) / 1000).toFixed(0);
  process.stdout.write(`\n== ${title} (at ${at} s)\n`);
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}
