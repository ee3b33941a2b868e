import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('mlsd command line', () => {
  it('prints help listing every command group', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const group of ['info', 'data', 'fraud', 'ann', 'images', 'drift', 'serve']) {
      expect(run.stdout).toMatch(new RegExp(`^\\s+${group}\\b`, 'm'));
    }
  });

  it('prints help for a group', async () => {
    const run = await runCli(['drift', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: mlsd drift');
  });

  it('prints its version', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 2 with a one-line reason on an unknown command', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'frobnicate'");
    expect(run.stdout).toBe('');
  });

  it('exits 2 on an unknown option', async () => {
    const run = await runCli(['info', '--no-such-flag']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--no-such-flag'");
  });

  it('info --json prints one JSON line naming the backend', async () => {
    const run = await runCli(['info', '--json']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const info = JSON.parse(lines[0]!) as { backend: string; node: string; cpus: number };
    expect(['node', 'wasm', 'cpu']).toContain(info.backend);
    expect(info.node).toBe(process.version);
    expect(info.cpus).toBeGreaterThan(0);
  });
});

describe('mlsd data', () => {
  it('fashion-mnist --json counts 6,000 / 1,000 images per class', async () => {
    const run = await runCli(['data', 'fashion-mnist', '--json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as {
      train: number;
      test: number;
      classes: { train: number; test: number }[];
    };
    expect([summary.train, summary.test]).toEqual([60_000, 10_000]);
    expect(summary.classes.every((c) => c.train === 6000 && c.test === 1000)).toBe(true);
  });

  it('fashion-mnist with a wrong folder exits 1 with a one-line reason', async () => {
    const run = await runCli(['data', 'fashion-mnist', '--dir', '/nonexistent/folder']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^mlsd: NOT_FOUND: Fashion-MNIST not found; looked in \/nonexistent\/folder/,
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
