import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('mlsd ann bench', () => {
  it('prints one JSON line with the recall–QPS curve', async () => {
    const run = await runCli([
      'ann',
      'bench',
      '--dataset',
      'fashion-mnist',
      '--queries',
      '200',
      '--train',
      '2000',
      '--M',
      '8',
      '--ef-construction',
      '50',
      '--ef',
      '10,40',
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!) as Record<string, unknown> & {
      points: Record<string, number>[];
    };
    expect(result).toMatchObject({ n: 2000, dim: 784, M: 8, efConstruction: 50 });
    for (const key of ['buildS', 'exactQps']) expect(result[key]).toBeGreaterThan(0);
    expect(result.points.map((p) => p.ef)).toEqual([10, 40]);
    for (const point of result.points) {
      expect(Object.keys(point).sort()).toEqual(['ef', 'p50Ms', 'p99Ms', 'qps', 'recallAt10']);
      expect(point.recallAt10).toBeGreaterThan(0.5);
      expect(point.recallAt10).toBeLessThanOrEqual(1);
    }
    expect(result.points[1]!.recallAt10).toBeGreaterThanOrEqual(0.95);
  });

  it('prints a table without --json', async () => {
    const run = await runCli([
      'ann',
      'bench',
      '--dataset',
      'fashion-mnist',
      '--queries',
      '20',
      '--train',
      '500',
      '--ef-construction',
      '40',
      '--ef',
      '20',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('500 vectors × 784');
    expect(run.stdout).toMatch(/ef\s+recall@10\s+QPS\s+p50 ms\s+p99 ms/);
  });

  it('refuses an unknown dataset and a bad ef list', async () => {
    const unknown = await runCli(['ann', 'bench', '--dataset', 'mnist', '--json']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown dataset 'mnist'");
    const badEf = await runCli(['ann', 'bench', '--dataset', 'fashion-mnist', '--ef', '10,x']);
    expect(badEf.code).toBe(2);
    expect(badEf.stderr).toContain('--ef must be a positive integer');
  });
});
