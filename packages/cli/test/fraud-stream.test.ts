import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRedisClient, type RedisClient, readDecisions } from '@mlsd/serve';
import { useRedisServer } from '@mlsd/test-utils/redis-server';
import { buildSmallFraudModel } from '@mlsd/test-utils/serve-artifacts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toRecords, waitForDrained } from '../../serve/test/stream-helpers.js';
import { runCli } from './run-cli.js';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const server = useRedisServer();
let work: string;
let modelDir: string;
let csv: string;
let count: number;
let client: RedisClient;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mlsd-cli-stream-'));
  modelDir = join(work, 'fraud-model');
  const later = await buildSmallFraudModel(modelDir, {
    customers: 60,
    terminals: 120,
    laterDays: 1,
    seed: 3,
    referenceRows: 200,
  });
  const records = toRecords(later, 80);
  count = records.length;
  const header = Object.keys(records[0]!);
  csv = join(work, 'later.csv');
  await writeFile(
    csv,
    `${header.join(',')}\n${records.map((record) => header.map((name) => record[name]).join(',')).join('\n')}\n`,
  );
  client = openRedisClient(server().url);
  await client.connect();
}, 120_000);

afterAll(async () => {
  await client?.quit();
  await rm(work, { recursive: true, force: true });
});

describe('mlsd fraud publish / consume', () => {
  it('documents their flags', async () => {
    const publish = await runCli(['fraud', 'publish', '--help']);
    for (const flag of [
      '--in',
      '--redis',
      '--stream',
      '--partition-by',
      '--partitions',
      '--rate',
    ]) {
      expect(publish.stdout).toContain(flag);
    }
    const consume = await runCli(['fraud', 'consume', '--help']);
    for (const flag of [
      '--model',
      '--redis',
      '--stream',
      '--group',
      '--consumer',
      '--metrics-port',
    ]) {
      expect(consume.stdout).toContain(flag);
    }
    expect(consume.stdout).toContain('redis+cluster://');
  });

  it('refuses a URL that is not Redis, naming the schemes it takes', async () => {
    const run = await runCli(['fraud', 'publish', '--in', csv, '--redis', 'http://localhost:1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/redis:\/\/host:port .* redis\+cluster:\/\/host:port/);
  });

  it('publishes a file and a consumer process decides every transaction, then stops on SIGTERM', async () => {
    const published = await runCli([
      'fraud',
      'publish',
      '--in',
      csv,
      '--redis',
      server().url,
      '--partitions',
      '1',
      '--json',
    ]);
    expect(published.code).toBe(0);
    expect(JSON.parse(published.stdout)).toMatchObject({
      stream: 'transactions',
      partitions: 1,
      published: count,
    });

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@mlsd/source',
        bin,
        'fraud',
        'consume',
        '--model',
        modelDir,
        '--redis',
        server().url,
        '--consumer',
        'cli-1',
        '--metrics-port',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    try {
      await waitForDrained(client, 'transactions', 'scorers', count);
      const url = /metrics on (http:\/\/[^\s]+)\/metrics/.exec(stdout)?.[1];
      expect(url).toBeDefined();
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain(`mlsd_stream_entries_total{outcome="scored"} ${count}`);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stdout).toContain(`stopped after ${count} entries (${count} scored`);
    let decisions = 0;
    for await (const decision of readDecisions(client, 'transactions')) {
      expect(decision.consumer).toBe('cli-1');
      decisions++;
    }
    expect(decisions).toBe(count);
  }, 120_000);
});
