import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_SEMI_SPACE_MB } from '@mlsd/serve';
import { buildTestArtifacts, type TestArtifacts } from '@mlsd/test-utils/serve-artifacts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
let work: string;
let artifacts: TestArtifacts;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlsd-cli-serve-'));
  artifacts = await buildTestArtifacts(join(work, 'artifacts'));
}, 60_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Starts `mlsd serve <args>` from source; its stderr so far, and its exit code when it ends. */
function spawnServe(args: string[], env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@mlsd/source', bin, 'serve', ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

/** Resolves with the first stdout line matching `pattern`, or rejects when the process exits. */
function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = pattern.exec(buffered);
      if (match !== null) resolve(match);
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before printing ${pattern}`)));
  });
}

describe('mlsd serve', () => {
  it('documents the flags and that the admin token comes from an environment variable', async () => {
    const run = await runCli(['serve', '--help']);
    expect(run.code).toBe(0);
    for (const flag of [
      '--fraud-model',
      '--image-index',
      '--host',
      '--port',
      '--redis',
      '--admin-token-env',
    ]) {
      expect(run.stdout).toContain(flag);
    }
    expect(run.stdout).toContain('127.0.0.1');
    expect(run.stdout).toContain('MLSD_ADMIN_TOKEN');
    expect(run.stdout).toMatch(/environment/);
    expect(run.stdout).toMatch(/never from a\s+flag/);
  });

  it('refuses to start without artifacts, with a missing folder, or with a token as the env name', async () => {
    const none = await runCli(['serve']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('--fraud-model');
    const missing = await runCli(['serve', '--fraud-model', join(work, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/NOT_FOUND: Cannot load the fraud model from .*nope/);
    const tokenAsName = await runCli([
      'serve',
      '--image-index',
      artifacts.imageIndexDir,
      '--admin-token-env',
      's3cr3t-t0ken!',
    ]);
    expect(tokenAsName.code).toBe(2);
    expect(tokenAsName.stderr).toContain('NAME of an environment variable');
  });

  it('serves on loopback, logs one JSON line per request to stderr, and drains on SIGTERM', async () => {
    const {
      child,
      stderr: err,
      exited,
    } = spawnServe(
      [
        '--fraud-model',
        artifacts.fraudModelDir,
        '--image-index',
        artifacts.imageIndexDir,
        '--port',
        '0',
      ],
      { MLSD_ADMIN_TOKEN: 'cli-test-token-42' },
    );
    try {
      const [, url] = await waitForLine(child, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const scored = await fetch(`${url}/v1/fraud/score`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(artifacts.transactions[0]),
      });
      expect(scored.status).toBe(200);
      const bad = await fetch(`${url}/v1/fraud/score`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{oops',
      });
      expect(bad.status).toBe(400);
      const reload = await fetch(`${url}/admin/reload`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer cli-test-token-42' },
        body: JSON.stringify({ imageIndexDir: artifacts.imageIndexDir }),
      });
      expect(reload.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const stderr = err();
    const lines = stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    const requests = lines.filter((line) => line.msg === 'request');
    expect(requests.map((line) => line.status)).toEqual([200, 400, 200]);
    expect(requests[1].code).toBe('INVALID_JSON');
    expect(stderr).toContain('SIGTERM, draining');
    expect(lines.some((line) => line.msg === 'service closed')).toBe(true);
  }, 60_000);

  it('says where it listens on 0.0.0.0, warns that it is exposed, and a slow client cannot hold SIGTERM past the deadline', async () => {
    const { child, stderr, exited } = spawnServe(
      [
        '--fraud-model',
        artifacts.fraudModelDir,
        '--host',
        '0.0.0.0',
        '--port',
        '0',
        '--shutdown-timeout',
        '0.5',
      ],
      { MLSD_LOG_LEVEL: 'warn' },
    );
    const [, port] = await waitForLine(child, /listening on http:\/\/0\.0\.0\.0:(\d+)/);
    // The warning follows the URL on stderr: wait for it.
    while (!/warning: bound to 0\.0\.0\.0/.test(stderr())) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(stderr()).toMatch(
      /warning: bound to 0\.0\.0\.0, so the service is reachable from other machines/,
    );
    // A client that sends half a body and then nothing.
    const slow = connect({ host: '127.0.0.1', port: Number(port) });
    slow.on('error', () => {});
    await new Promise((resolve) => slow.once('connect', resolve));
    slow.write(
      'POST /v1/fraud/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    );
    const slowClosed = new Promise((resolve) => slow.once('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGTERM');
    // The default request timeout is 30 s; the process must go at the 0.5 s deadline instead.
    expect(await exited).toBe(0);
    await slowClosed;
    expect(stderr()).toContain('SIGTERM, draining');
    expect(stderr()).toContain('shutdown deadline passed');
  }, 25_000);
});

/** Command lines of the processes whose parent is `pid` (Linux `ps`). */
function childrenOf(pid: number): string[] {
  const listed = spawnSync('ps', ['-o', 'args=', '--ppid', String(pid)], { encoding: 'utf8' });
  return listed.stdout.split('\n').filter((line) => line.trim() !== '');
}

/** True while process `pid` exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('mlsd serve runs the service with a young generation sized for it', () => {
  const args = ['--fraud-model', '', '--port', '0'];
  const withModel = () => args.map((arg) => (arg === '' ? artifacts.fraudModelDir : arg));

  it('starts it in a child with --max-semi-space-size, which stops when the launcher is killed', async () => {
    const { child, exited } = spawnServe(withModel(), {});
    const [, url] = await waitForLine(child, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const service = childrenOf(child.pid!);
    expect(service).toHaveLength(1);
    expect(service[0]).toContain(`--max-semi-space-size=${SERVICE_SEMI_SPACE_MB}`);
    expect(service[0]).toContain(' serve ');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const servicePid = Number(
      spawnSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' }).stdout,
    );
    // Killed outright, the launcher cannot pass anything on: the service sees its IPC channel
    // close and drains, rather than living on as an orphan holding the port.
    child.kill('SIGKILL');
    await exited;
    const deadline = Date.now() + 15_000;
    while (alive(servicePid) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(alive(servicePid)).toBe(false);
  }, 60_000);

  it('keeps a size the user chose in NODE_OPTIONS and serves in its own process', async () => {
    const { child, exited } = spawnServe(withModel(), {
      NODE_OPTIONS: '--max-semi-space-size=8',
    });
    try {
      const [, url] = await waitForLine(child, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
      expect(childrenOf(child.pid!).filter((line) => line.includes(' serve '))).toEqual([]);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
