// The wasm backend's Emscripten glue installs process handlers that rethrow: once it loaded, a
// user's own uncaught error printed tfjs's bundled source and exited with code 7. Each case runs
// a real child process and compares it with the same program that never loads a backend.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const program = fileURLToPath(new URL('./fixtures/user-error-after-init.ts', import.meta.url));

function runUserProgram(backend: 'none' | 'wasm' | 'cpu', failure: string) {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=@mlsd/source', program, backend, failure],
    { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, MLSD_BACKEND: '' } },
  );
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('a user error after initBackend', () => {
  const without = runUserProgram('none', 'throw');

  it.each(['wasm', 'cpu'] as const)(
    'on %s prints just that error, with Node exit code 1',
    (backend) => {
      const run = runUserProgram(backend, 'throw');
      expect(without.code).toBe(1);
      expect(run.code).toBe(without.code);
      expect(run.stderr).toContain('Error: boom from the user');
      expect(run.stderr).not.toMatch(/ExitStatus|Emscripten|tf-backend-wasm/);
      // The same report as without tfjs: the stack trace and Node's version line, a few hundred
      // bytes, not tens of kilobytes of bundled source.
      expect(run.stderr.length).toBeLessThan(without.stderr.length + 200);
    },
  );

  it('an unhandled rejection after wasm init is reported by Node, exit code 1', () => {
    const run = runUserProgram('wasm', 'reject');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Error: rejected by the user');
    expect(run.stderr).not.toMatch(/ExitStatus|Emscripten|tf-backend-wasm/);
  });

  it('leaves no process-wide error listener behind', () => {
    const before = runUserProgram('none', 'listeners');
    const after = runUserProgram('wasm', 'listeners');
    expect(JSON.parse(before.stdout)).toEqual([0, 0]);
    expect(JSON.parse(after.stdout)).toEqual([0, 0]);
  });
});
