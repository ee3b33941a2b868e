import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceNodeFlags } from '@mlsd/serve';

/** Set in the relaunched process, so it does not relaunch again. */
const RELAUNCHED_ENV = 'MLSD_SERVE_RELAUNCHED';

/**
 * True when this process is the mlsd program (its script is this package's `bin`), not a
 * program that calls `main()` in-process (tests): only the program may start a child in its place.
 */
export function runAsProgram(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  let real: string;
  try {
    real = realpathSync(script);
  } catch {
    return false;
  }
  const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin');
  return real.replace(/\.[cm]?[jt]s$/, '') === bin;
}

/** True when the user already chose a young-generation size (flag or NODE_OPTIONS). */
function youngGenerationChosen(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.some((flag) => /^--max[-_]semi[-_]space[-_]size(=|$)/.test(flag));
}

/**
 * V8 reads its heap sizes only when a process starts, so `mlsd serve` runs the service in a
 * child Node process started with the service's flags (`serviceNodeFlags()` of @mlsd/serve: V8's
 * young generation sized for it) — unless the user chose a size already
 * (`NODE_OPTIONS=--max-semi-space-size=16 mlsd serve …` keeps theirs), or this is that child. The child shares stdin/stdout/stderr; SIGINT and SIGTERM sent to this
 * process are passed on once (the child drains, then exits); the child stops if this process
 * goes away. Resolves to the child's exit code, or to undefined when no relaunch is needed and
 * the service should run in this process.
 * @param argv - the arguments this process was started with (`process.argv`).
 */
export async function relaunchForServing(argv: readonly string[]): Promise<number | undefined> {
  if (process.env[RELAUNCHED_ENV] === '1' || youngGenerationChosen()) return undefined;
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...serviceNodeFlags(), ...argv.slice(1)],
    {
      // Its own process group: a terminal's Ctrl-C reaches this process only, which passes it
      // on once (a second SIGINT to the child would skip the drain). Not on Windows, where a
      // detached child gets a console window of its own.
      detached: process.platform !== 'win32',
      windowsHide: true,
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [RELAUNCHED_ENV]: '1' },
    },
  );
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        resolve(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0))),
      );
    });
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}

/** In the relaunched service: stop (as on SIGTERM) when the launching process goes away. */
export function onLauncherGone(stop: () => void): void {
  if (process.env[RELAUNCHED_ENV] === '1' && process.connected) {
    process.once('disconnect', stop);
    // The IPC channel must not keep the service alive by itself once it has closed.
    process.channel?.unref();
  }
}
