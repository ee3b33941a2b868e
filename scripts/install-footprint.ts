/**
 * Install size, install time and import time of each package installed alone with npm into a
 * fresh project outside the workspace, from `pnpm pack` tarballs: what a user who needs only
 * that package pays.
 *
 *   pnpm exec tsx scripts/install-footprint.ts [--tarballs DIR] [--baseline DIR] [--only a,b] [--out FILE]
 *
 * Without --tarballs it builds and packs the workspace first. --baseline DIR holds the tarballs
 * of an earlier version (e.g. `pnpm -r --filter './packages/*' pack --pack-destination DIR` on
 * the old commit): each package is then installed from both, and the import times alternate
 * between the two installs so both are measured under the same machine load. Install time is measured with
 * npm's cache already holding the registry packages (a first install warms it), so it is the
 * time npm spends resolving, extracting and running install scripts, not downloading.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  type Dirent,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ownClosure,
  type PackedPackage,
  packWorkspace,
  repoRoot,
  tarballManifest,
  userEnv,
  workspacePackages,
} from './lib/workspace-packages.js';

const IMPORT_RUNS = 7;
/** Lines of npm's output worth keeping: install scripts that ran, downloads, builds, failures. */
const NOTE_PATTERN =
  /^> .+ (install|postinstall)$|Downloading|gyp (info spawn|ERR!)|ENOTFOUND|npm (warn|error)/;

interface Footprint {
  package: string;
  /** seconds, second install of the same tarballs (warm npm cache) */
  installSeconds: number;
  /** bytes on disk under node_modules (apparent size) */
  installBytes: number;
  /** bytes of node_modules/@tensorflow */
  tensorflowBytes: number;
  /** packages npm installed (lines of `npm ls --all --parseable`, less the project) */
  packageCount: number;
  /**
   * milliseconds, median of in-process `await import(name)` over IMPORT_RUNS fresh processes;
   * null when the import fails (importError says why)
   */
  importMs: number | null;
  importError?: string;
  /** milliseconds, median wall time of `<bin> --version` (whole process), for packages with a bin */
  binVersionMs?: number;
  /** npm's install warnings and errors (gyp, optional-dependency failures), first lines */
  installNotes: string[];
}

const { values } = parseArgs({
  options: {
    tarballs: { type: 'string' },
    baseline: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});

const packed: PackedPackage[] =
  values.tarballs === undefined
    ? packWorkspace(join(repoRoot, '.tmp', 'pack'), { build: true })
    : packedFrom(values.tarballs);
const only = values.only?.split(',').map((name) => name.trim());
const targets = packed.filter((p) => only === undefined || only.includes(p.name));

const baseline = values.baseline === undefined ? undefined : packedFrom(values.baseline);
const results: (Footprint | { package: string; before: Footprint; after: Footprint })[] = [];
for (const target of targets) {
  const after = install(target, packed);
  const base = baseline?.find((p) => p.name === target.name);
  const before = base === undefined ? undefined : install(base, baseline!);
  // Import times alternate between the two installs, so both see the same machine load.
  const times = new Map<Installed, number[]>([[after, []]]);
  if (before !== undefined) times.set(before, []);
  for (let i = 0; i < IMPORT_RUNS; i++) {
    for (const [installed, list] of times) {
      const ms = importOnce(installed);
      if (ms !== undefined) list.push(ms);
    }
  }
  for (const [installed, list] of times) installed.result.importMs = median(list);
  for (const installed of [after, before]) {
    if (installed === undefined) continue;
    const bin = binName(installed.pkg);
    if (bin !== undefined) installed.result.binVersionMs = round(binMedian(installed.dir, bin), 0);
    rmSync(installed.dir, { recursive: true, force: true });
  }
  if (before === undefined) {
    results.push(after.result);
    process.stderr.write(`${describe(after.result)}\n`);
  } else {
    results.push({ package: target.name, before: before.result, after: after.result });
    process.stderr.write(
      `${target.name}\n  before: ${describe(before.result)}\n  after:  ${describe(after.result)}\n`,
    );
  }
}

const report = {
  measured: new Date().toISOString(),
  node: process.version,
  npm: execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim(),
  loadAverage: readFileSync('/proc/loadavg', 'utf8').trim(),
  results,
};
if (values.out !== undefined) writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report)}\n`);

interface Installed {
  pkg: PackedPackage;
  dir: string;
  result: Footprint;
}

/** Installs `target` and the rest of our packages it needs, from `set`, into a new project. */
function install(target: PackedPackage, set: readonly PackedPackage[]): Installed {
  const closure = ownClosure(target.name, set).map((p) => p.tarball);
  // The first install warms npm's cache; the second, in a new folder, is the one timed.
  rmSync(installInto(closure).dir, { recursive: true, force: true });
  const { dir, seconds, notes } = installInto(closure);
  const result: Footprint = {
    package: target.name,
    installSeconds: round(seconds, 1),
    installBytes: folderBytes(join(dir, 'node_modules')),
    tensorflowBytes: folderBytes(join(dir, 'node_modules', '@tensorflow')),
    packageCount: countPackages(dir),
    importMs: null,
    installNotes: notes,
  };
  return { pkg: target, dir, result };
}

/** One fresh process's in-process `await import(name)` time; records the error when it fails. */
function importOnce(installed: Installed): number | undefined {
  const code =
    'const t = performance.now(); await import(process.argv[1]); ' +
    'process.stdout.write(String(performance.now() - t));';
  try {
    const out = execFileSync('node', ['--input-type=module', '-e', code, installed.pkg.name], {
      cwd: installed.dir,
      encoding: 'utf8',
      env: userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return Number(out);
  } catch (error) {
    installed.result.importError = firstLine(error);
    return undefined;
  }
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.floor(sorted.length / 2)]!, 0);
}

function describe(r: Footprint): string {
  return (
    `${r.package}: ${mb(r.installBytes)} MB (${mb(r.tensorflowBytes)} MB @tensorflow), ` +
    `${r.packageCount} packages, install ${r.installSeconds} s, ` +
    `import ${r.importMs ?? r.importError} ms` +
    (r.binVersionMs === undefined ? '' : `, --version ${r.binVersionMs} ms`)
  );
}

function packedFrom(dir: string): PackedPackage[] {
  const folders = new Map([...workspacePackages()].map(([folder, m]) => [m.name, folder]));
  return readdirSync(dir)
    .filter((file) => file.endsWith('.tgz'))
    .map((file) => {
      const tarball = join(dir, file);
      const manifest = tarballManifest(tarball);
      return { name: manifest.name, folder: folders.get(manifest.name) ?? '', tarball, manifest };
    });
}

function installInto(tarballs: readonly string[]): {
  dir: string;
  seconds: number;
  notes: string[];
} {
  const dir = mkdtempSync(join(tmpdir(), 'mlsd-footprint-'));
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'footprint', private: true, type: 'module' })}\n`,
  );
  const start = process.hrtime.bigint();
  // Install scripts run in the foreground so their output (a libtensorflow download, a
  // node-gyp build) shows in the notes; pnpm's npm_config_* variables are not a user's.
  const npm = spawnSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--foreground-scripts', ...tarballs],
    { cwd: dir, encoding: 'utf8', env: userEnv() },
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (npm.status !== 0) {
    throw new Error(`npm install failed in ${dir}:\n${npm.stderr.slice(-4000)}`);
  }
  const notes = `${npm.stdout}\n${npm.stderr}`
    .split('\n')
    .filter((line) => NOTE_PATTERN.test(line))
    .map((line) => line.trim().slice(0, 200))
    .slice(0, 12);
  return { dir, seconds, notes };
}

function binMedian(dir: string, bin: string): number {
  const times: number[] = [];
  for (let i = 0; i < IMPORT_RUNS; i++) {
    const start = process.hrtime.bigint();
    execFileSync(join(dir, 'node_modules', '.bin', bin), ['--version'], {
      cwd: dir,
      env: userEnv(),
      stdio: 'ignore',
    });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function binName(pkg: PackedPackage): string | undefined {
  const bin = (pkg.manifest as { bin?: Record<string, string> | string }).bin;
  if (bin === undefined) return undefined;
  return typeof bin === 'string' ? pkg.name.replace(/^@[^/]+\//, '') : Object.keys(bin)[0];
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const match = /Error \[?[A-Z_]*\]?:? ?[^\n]*/.exec(text);
  return (match?.[0] ?? text.split('\n', 1)[0] ?? '').slice(0, 200);
}

function folderBytes(path: string): number {
  let total = 0;
  let entries: Dirent[];
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += folderBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

function countPackages(dir: string): number {
  const out = spawnSync('npm', ['ls', '--all', '--parseable'], { cwd: dir, encoding: 'utf8' });
  return new Set(out.stdout.split('\n').filter((l) => l.includes('node_modules'))).size;
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
