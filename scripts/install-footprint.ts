/**
 * Install size, install time and import time of each package installed alone with npm into a
 * fresh project outside the workspace, from `pnpm pack` tarballs: what a user who needs only
 * that package pays.
 *
 *   pnpm exec tsx scripts/install-footprint.ts [--tarballs DIR] [--only a,b] [--out FILE]
 *
 * Without --tarballs it builds and packs the workspace first. Install time is measured with
 * npm's cache already holding the registry packages (a first install warms it), so it is the
 * time npm spends resolving, extracting and running install scripts, not downloading.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { type Dirent, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ownClosure,
  type PackedPackage,
  packWorkspace,
  repoRoot,
  tarballManifest,
  workspacePackages,
} from './lib/workspace-packages.js';

const IMPORT_RUNS = 5;
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

const results: Footprint[] = [];
for (const target of targets) {
  const closure = ownClosure(target.name, packed).map((p) => p.tarball);
  // First install warms npm's cache; the second, in a new folder, is the one timed.
  installInto(closure);
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
  try {
    result.importMs = round(importMedian(dir, target.name), 0);
  } catch (error) {
    result.importError = firstLine(error);
  }
  const bin = binName(target);
  if (bin !== undefined) result.binVersionMs = round(binMedian(dir, bin), 0);
  results.push(result);
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(
    `${result.package}: ${mb(result.installBytes)} MB (${mb(result.tensorflowBytes)} MB ` +
      `@tensorflow), ${result.packageCount} packages, install ${result.installSeconds} s, ` +
      `import ${result.importMs ?? result.importError} ms` +
      (result.binVersionMs === undefined
        ? ''
        : `, ${binName(target)} --version ${result.binVersionMs} ms`) +
      '\n',
  );
}

const report = {
  measured: new Date().toISOString(),
  node: process.version,
  npm: execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim(),
  loadAverage: execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim(),
  results,
};
if (values.out !== undefined) writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report)}\n`);

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

/** This process's environment without the npm_config_* variables pnpm sets for scripts. */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_config_')),
  );
}

function importMedian(dir: string, name: string): number {
  const code =
    'const t = performance.now(); await import(process.argv[1]); ' +
    'process.stdout.write(String(performance.now() - t));';
  const times: number[] = [];
  for (let i = 0; i < IMPORT_RUNS; i++) {
    const out = execFileSync('node', ['--input-type=module', '-e', code, name], {
      cwd: dir,
      encoding: 'utf8',
      env: userEnv(),
    });
    times.push(Number(out));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
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
