/**
 * The publishable packages of this workspace, packed as npm would publish them, and the
 * closure of our own packages each one needs (npm cannot fetch unpublished @mlsd/* names).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Root of the monorepo (this file is scripts/lib/workspace-packages.ts). */
export const repoRoot = resolve(import.meta.dirname, '..', '..');

/** The parts of a package manifest these scripts read. */
export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  exports?: unknown;
  files?: string[];
}

/** A workspace package packed into a tarball. */
export interface PackedPackage {
  /** npm name, e.g. `@mlsd/drift` or `mlsd`. */
  name: string;
  /** Folder under packages/, e.g. `drift`. */
  folder: string;
  /** Absolute path of the .tgz `pnpm pack` wrote. */
  tarball: string;
  /** The manifest inside the tarball (workspace: ranges already replaced by pnpm). */
  manifest: PackageManifest;
}

/** Reads `packages/<folder>/package.json` for every non-private package, by folder name. */
export function workspacePackages(): Map<string, PackageManifest> {
  const byFolder = new Map<string, PackageManifest>();
  for (const entry of readdirSync(join(repoRoot, 'packages'), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const manifest = JSON.parse(
      readFileSync(join(repoRoot, 'packages', entry.name, 'package.json'), 'utf8'),
    ) as PackageManifest;
    if (manifest.private !== true) byFolder.set(entry.name, manifest);
  }
  return byFolder;
}

/** What {@link packWorkspace} should do before packing. */
export interface PackOptions {
  /** Run `pnpm build` first (dist/ must exist for the tarballs to be usable). */
  build: boolean;
}

/**
 * Packs every publishable package with `pnpm pack` (which honours `publishConfig` and
 * replaces `workspace:` ranges) into `destination`, emptied first.
 */
export function packWorkspace(destination: string, options: PackOptions): PackedPackage[] {
  if (options.build) run('pnpm', ['build'], repoRoot);
  rmSync(destination, { recursive: true, force: true });
  mkdirSync(destination, { recursive: true });
  run(
    'pnpm',
    ['-r', '--filter', './packages/*', 'pack', '--pack-destination', destination],
    repoRoot,
  );
  const packed: PackedPackage[] = [];
  for (const [folder, manifest] of workspacePackages()) {
    const file = `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`;
    const tarball = join(destination, file);
    packed.push({ name: manifest.name, folder, tarball, manifest: tarballManifest(tarball) });
  }
  return packed.sort((a, b) => a.name.localeCompare(b.name));
}

/** The `package/package.json` inside a tarball. */
export function tarballManifest(tarball: string): PackageManifest {
  const text = execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], {
    encoding: 'utf8',
  });
  return JSON.parse(text) as PackageManifest;
}

/** Paths inside a tarball, without the leading `package/`. */
export function tarballFiles(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^package\//, ''));
}

/**
 * `root` and every one of our packages it depends on, directly or not: what must be handed to
 * npm as tarballs for `root` to install outside the workspace.
 */
export function ownClosure(root: string, packed: readonly PackedPackage[]): PackedPackage[] {
  const byName = new Map(packed.map((p) => [p.name, p]));
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const pkg = byName.get(name);
    if (pkg === undefined || seen.has(name)) return;
    seen.add(name);
    for (const dep of Object.keys(pkg.manifest.dependencies ?? {})) visit(dep);
  };
  visit(root);
  return packed.filter((p) => seen.has(p.name));
}

/** Runs a command, inheriting stderr; throws with its output when it fails. */
export function run(command: string, args: readonly string[], cwd: string): string {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * This process's environment without the npm_config_* variables pnpm sets for the scripts it
 * runs: npm started from here should behave as in a user's shell.
 */
export function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_config_')),
  );
}
