/**
 * Installs the packed packages with npm on a Debian image that has no C/C++ compiler, no make and
 * no Python (a debootstrap chroot: node-gyp cannot build anything there), shows that the
 * toolchain is absent, and runs the README snippets of the installed packages in it.
 *
 *   pnpm exec tsx scripts/check-no-compiler.ts [--from .tmp/packed-check] [--root DIR]
 *
 * --from is what scripts/check-packed.ts left (tarballs, compiled snippets and their list). The
 * image (~280 MB, a few minutes to build) is kept in --root (default /var/tmp/mlsd-nocc-bookworm)
 * and reused while its recipe is unchanged. Needs root (debootstrap, chroot, mount).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from './lib/workspace-packages.js';

/**
 * Dependencies whose install script compiles native code (node-gyp). None may be a required
 * dependency of ours; as an optional one npm tries to build it, fails without a compiler and
 * goes on without it (hnswlib-node: `@mlsd/ann` then runs on its own WebAssembly engine).
 */
const NATIVE_BUILD_DEPENDENCIES = new Set(['hnswlib-node']);
/** Packages issue 15 names; every package must install and run here, these are listed first. */
const REQUIRED = [
  '@mlsd/core',
  '@mlsd/ingest',
  '@mlsd/datasets',
  '@mlsd/features',
  '@mlsd/classify',
  '@mlsd/drift',
  '@mlsd/ann',
];
const SUITE = 'bookworm';
const MIRROR = 'http://deb.debian.org/debian';
/** Debian packages in the image: certificates for the npm registry, and Fashion-MNIST. */
const INCLUDE = ['ca-certificates', 'dataset-fashion-mnist'];
const RECIPE = `debootstrap --variant=minbase --include=${INCLUDE.join(',')} ${SUITE} ${MIRROR}`;
const TOOLCHAIN = ['g++', 'gcc', 'cc', 'c++', 'make', 'python3'];
/** Where the image keeps this machine's certificate bundle. */
const IMAGE_CA = '/usr/local/share/ca-certificates/host-bundle.crt';

interface PackedCheck {
  tarballs: {
    name: string;
    tarball: string;
    manifest: { dependencies?: Record<string, string> };
  }[];
  snippets: { file: string; js: string; readme: string; line: number; imports: string[] }[];
}

const { values } = parseArgs({
  options: { from: { type: 'string' }, root: { type: 'string' } },
});
const from = resolve(values.from ?? join(repoRoot, '.tmp', 'packed-check'));
const root = resolve(values.root ?? '/var/tmp/mlsd-nocc-bookworm');
const check = JSON.parse(readFileSync(join(from, 'packed-check.json'), 'utf8')) as PackedCheck;
const started = performance.now();
const problems: string[] = [];

// A run killed before its clean-up leaves its mounts; the npm cache bind-mounted inside must
// never be in the way of a `rm -rf` of the image.
releaseMounts();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    releaseMounts();
    process.exit(130);
  });
}

step(`the image: ${RECIPE}`);
buildImage();

step("node and npm from this machine (one self-contained binary and npm's JavaScript)");
const nodeBinary = realpathSync(process.execPath);
const npmFolder = resolve(
  dirname(realpathSync(execFileSync('which', ['npm'], { encoding: 'utf8' }).trim())),
  '..',
);
mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
mkdirSync(join(root, 'usr/local/lib/node_modules'), { recursive: true });
cpSync(nodeBinary, join(root, 'usr/local/bin/node'));
rmSync(join(root, 'usr/local/lib/node_modules/npm'), { recursive: true, force: true });
cpSync(npmFolder, join(root, 'usr/local/lib/node_modules/npm'), {
  recursive: true,
  verbatimSymlinks: true,
});
for (const tool of ['npm', 'npx']) {
  rmSync(join(root, 'usr/local/bin', tool), { force: true });
  symlinkSync(`../lib/node_modules/npm/bin/${tool}-cli.js`, join(root, 'usr/local/bin', tool));
}
cpSync('/etc/resolv.conf', join(root, 'etc/resolv.conf'));
// This machine reaches the registry through a proxy whose certificate authority its own bundle
// trusts; the image gets that bundle (NODE_EXTRA_CA_CERTS points Node at it), nothing else.
const hostCa = process.env.NODE_EXTRA_CA_CERTS ?? '/etc/ssl/certs/ca-certificates.crt';
if (existsSync(hostCa)) {
  mkdirSync(dirname(join(root, IMAGE_CA)), { recursive: true });
  cpSync(hostCa, join(root, IMAGE_CA));
}

try {
  mount(['-t', 'proc', 'proc', join(root, 'proc')]);
  // npm's cache, so packages already downloaded on this machine are not fetched again.
  const cache = join(process.env.HOME ?? '/root', '.npm');
  mkdirSync(cache, { recursive: true });
  mkdirSync(join(root, 'root/.npm'), { recursive: true });
  mount(['--bind', cache, join(root, 'root/.npm')]);

  step('no compiler, no make, no Python inside');
  const probe = inside(
    `for tool in ${TOOLCHAIN.join(' ')}; do if command -v "$tool" >/dev/null; then echo "found: $tool"; fi; done; ` +
      'g++ --version; make --version; node --version; npm --version',
  );
  process.stdout.write(indent(probe.stdout + probe.stderr));
  if (/found: /.test(probe.stdout)) problems.push(`the image has a toolchain: ${probe.stdout}`);

  step('install every package with npm in one project');
  for (const pkg of check.tarballs) {
    const native = nativeDependency(pkg.name);
    if (native !== undefined)
      problems.push(`${pkg.name} requires ${native}, which needs a compiler`);
  }
  const workDir = join(root, 'work');
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(join(workDir, 'tarballs'), { recursive: true });
  for (const p of check.tarballs) cpSync(p.tarball, join(workDir, 'tarballs', baseName(p.tarball)));
  const ordered = [
    ...REQUIRED.filter((name) => check.tarballs.some((p) => p.name === name)),
    ...check.tarballs.map((p) => p.name).filter((name) => !REQUIRED.includes(name)),
  ];
  const missing = REQUIRED.filter((name) => !ordered.includes(name));
  if (missing.length > 0) problems.push(`not packed: ${missing.join(', ')}`);
  const installed = npmInstall('all', ordered);
  if (!installed) problems.push('npm install failed without a compiler');
  for (const dep of NATIVE_BUILD_DEPENDENCIES) {
    const present = existsSync(join(workDir, 'all', 'node_modules', dep, 'package.json'));
    log(
      present
        ? `${dep} (optional): installed — it had nothing to compile here`
        : `${dep} (optional): not installed (it builds with node-gyp; npm skipped it), the packages run without it`,
    );
  }

  step('run the snippets of the installed packages');
  const names = new Set(installed ? ordered : []);
  const runnable = check.snippets.filter((s) => s.imports.every((name) => names.has(name)));
  mkdirSync(join(workDir, 'all', 'snippets'), { recursive: true });
  cpSync(join(from, 'snippets'), join(workDir, 'all', 'snippets'), { recursive: true });
  for (const snippet of runnable) {
    const run = inside(
      `cd "$(mktemp -d)" && MLSD_DATA_DIR="$(mktemp -d)" node /work/all/snippets/${snippet.js}`,
    );
    const where = `${snippet.readme}:${snippet.line} (${snippet.file})`;
    if (run.status === 0) log(`ok   ${where}`);
    else {
      log(`FAIL ${where}`);
      problems.push(`${where}: ${(run.stderr || run.stdout).trim().slice(0, 1500)}`);
    }
  }
  const skipped = check.snippets.filter((s) => !runnable.includes(s));
  if (skipped.length > 0) {
    log(`not run (the install failed): ${skipped.map((s) => s.file).join(', ')}`);
    problems.push(`${skipped.length} snippet(s) not run`);
  }
} finally {
  releaseMounts();
}

const seconds = ((performance.now() - started) / 1000).toFixed(0);
if (problems.length > 0) {
  process.stderr.write(
    `\n${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}\n`,
  );
  process.stderr.write(`compiler-free install check failed after ${seconds} s\n`);
  process.exit(1);
}
log(`compiler-free install check passed in ${seconds} s`);

/** Builds the image unless one from the same recipe is there. */
function buildImage(): void {
  const stamp = join(root, '.mlsd-recipe');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === RECIPE) {
    log(`reusing ${root}`);
    return;
  }
  if (spawnSync('which', ['debootstrap']).status !== 0) {
    execFileSync('apt-get', ['install', '-y', '-qq', 'debootstrap'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  releaseMounts();
  rmSync(root, { recursive: true, force: true });
  const t = performance.now();
  execFileSync(
    'debootstrap',
    ['--variant=minbase', `--include=${INCLUDE.join(',')}`, SUITE, root, MIRROR],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  writeFileSync(stamp, RECIPE);
  log(`built ${root} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
}

/**
 * The first native-build package among `name`'s required dependencies (not optional ones),
 * through our packages, or undefined.
 */
function nativeDependency(name: string, seen = new Set<string>()): string | undefined {
  if (seen.has(name)) return undefined;
  seen.add(name);
  const pkg = check.tarballs.find((p) => p.name === name);
  for (const dep of Object.keys(pkg?.manifest.dependencies ?? {})) {
    if (NATIVE_BUILD_DEPENDENCIES.has(dep)) return `${dep} (through ${name})`;
    const deeper = nativeDependency(dep, seen);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

/** npm install of `names` (and the rest of our packages they need) in /work/<project>. */
function npmInstall(project: string, names: readonly string[]): boolean {
  const closure = new Set<string>();
  const add = (name: string): void => {
    const pkg = check.tarballs.find((p) => p.name === name);
    if (pkg === undefined || closure.has(name)) return;
    closure.add(name);
    for (const dep of Object.keys(pkg.manifest.dependencies ?? {})) add(dep);
  };
  for (const name of names) add(name);
  const tarballs = check.tarballs
    .filter((p) => closure.has(p.name))
    .map((p) => `/work/tarballs/${baseName(p.tarball)}`);
  mkdirSync(join(root, 'work', project), { recursive: true });
  writeFileSync(
    join(root, 'work', project, 'package.json'),
    `${JSON.stringify({ name: `nocc-${project}`, private: true, type: 'module' })}\n`,
  );
  const t = performance.now();
  const result = inside(
    `cd /work/${project} && npm install --no-audit --no-fund --foreground-scripts ${tarballs.join(' ')}`,
  );
  const seconds = ((performance.now() - t) / 1000).toFixed(0);
  const output = `${result.stdout}\n${result.stderr}`;
  const notes = output
    .split('\n')
    .filter((line) =>
      /^> .+ (install|postinstall)$|gyp ERR! (configure error|stack Error|cwd|not ok)|^npm error (code|path|command)|^added \d+/.test(
        line.trim(),
      ),
    )
    .slice(0, 12);
  log(
    `${project}: npm install of ${[...closure].join(', ')}: exit ${result.status} in ${seconds} s`,
  );
  process.stdout.write(indent(notes.join('\n')));
  if (result.status !== 0) {
    problems.push(`npm install in /work/${project} failed:\n${output.slice(-3000)}`);
  }
  return result.status === 0;
}

/** Runs a shell command inside the image, with a clean environment. */
function inside(command: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(
    'chroot',
    [
      root,
      '/usr/bin/env',
      '-i',
      'PATH=/usr/local/bin:/usr/bin:/bin',
      'HOME=/root',
      'CI=true',
      `NODE_EXTRA_CA_CERTS=${IMAGE_CA}`,
      // npm's own TLS agent reads its `cafile` setting, not NODE_EXTRA_CA_CERTS.
      `npm_config_cafile=${IMAGE_CA}`,
      'npm_config_update_notifier=false',
      '/bin/sh',
      '-c',
      command,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 20 * 60_000 },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function mount(args: readonly string[]): void {
  execFileSync('mount', args);
}

/** Unmounts everything mounted under the image, deepest first; throws if one stays. */
function releaseMounts(): void {
  const under = () =>
    readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter((target) => target.startsWith(`${root}/`))
      .sort((a, b) => b.length - a.length);
  for (const target of under()) spawnSync('umount', ['-l', target]);
  const left = under();
  if (left.length > 0) throw new Error(`could not unmount ${left.join(', ')}`);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function indent(text: string): string {
  const trimmed = text.trim();
  return trimmed === ''
    ? ''
    : `${trimmed
        .split('\n')
        .map((line) => `    ${line}`)
        .join('\n')}\n`;
}

function step(title: string): void {
  process.stdout.write(`\n== ${title}\n`);
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}
