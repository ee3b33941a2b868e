import { createProgress } from '@mlsd/core';
import {
  DEFAULT_PARTITIONS,
  openRedisClient,
  parseColumnList,
  publishTransactions,
  readRecords,
  redactRedisUrl,
  startFraudConsumer,
} from '@mlsd/serve';
import { type Command, InvalidArgumentError } from 'commander';
import { parseNumber, parsePositiveInt } from '../options.js';
import { printJson, printLines } from '../output.js';

interface PublishFlags {
  in: string;
  redis: string;
  stream: string;
  partitionBy: string;
  partitions?: number;
  rate?: number;
  limit?: number;
  maxLen?: number;
  json?: boolean;
}

interface ConsumeFlags {
  model: string;
  redis: string;
  stateRedis?: string;
  stream: string;
  group: string;
  consumer?: string;
  partitions?: number;
  batch?: number;
  leaseMs?: number;
  alertsMaxLen?: number;
  withFeatures?: boolean;
  allowedLateness?: number;
  maxFutureSkew?: number;
  metricsPort?: number;
  json?: boolean;
}

const REDIS_HELP =
  'Redis URL: redis://host:port (one server) or redis+cluster://host:port[,host:port…] (a Redis Cluster)';

/** Registers `mlsd fraud publish` and `mlsd fraud consume`. */
export function registerFraudStreamCommands(fraud: Command): void {
  fraud
    .command('publish')
    .description(
      'Feed a transactions file into a partitioned Redis Stream (one entry per record, its fields as text), ' +
        'at --rate records/s or as fast as possible; every transaction of one card goes to one partition, in file order.',
    )
    .requiredOption('--in <file>', 'transactions (.csv or .jsonl)')
    .requiredOption('--redis <url>', REDIS_HELP)
    .option('--stream <name>', 'stream name', 'transactions')
    .option(
      '--partition-by <columns>',
      'column(s) whose value picks the partition: the card (comma-separated for a composite key)',
      'CUSTOMER_ID',
    )
    .option(
      '--partitions <n>',
      `partitions when the stream is new (default ${DEFAULT_PARTITIONS}); must match an existing stream`,
      parsePositiveInt('--partitions'),
    )
    .option(
      '--rate <n>',
      'records per second (default: as fast as Redis takes them)',
      parseNumber('--rate'),
    )
    .option('--limit <n>', 'publish at most n records', parsePositiveInt('--limit'))
    .option(
      '--max-len <n>',
      'trim each partition to about n entries (default: keep all)',
      parsePositiveInt('--max-len'),
    )
    .option('--json', 'print one JSON line')
    .action(async (flags: PublishFlags) => {
      const client = openRedisClient(flags.redis, { commandTimeoutMs: 10_000 });
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const progress = createProgress({ label: `publishing ${flags.in}`, unit: 'records' });
      try {
        await client.connect();
        const summary = await publishTransactions(readRecords(flags.in), {
          client,
          stream: flags.stream,
          partitionBy: parseColumnList('--partition-by', flags.partitionBy),
          partitions: flags.partitions,
          rate: flags.rate,
          limit: flags.limit,
          maxLen: flags.maxLen,
          signal: abort.signal,
          onProgress: (published) => progress.update(published),
        });
        progress.finish();
        if (flags.json) {
          printJson({ redis: redactRedisUrl(flags.redis), ...summary });
          return;
        }
        printLines([
          `published ${summary.published.toLocaleString('en-US')} records to ${summary.stream} (${summary.partitions} partitions) in ${summary.seconds.toFixed(2)} s: ${Math.round(summary.rate).toLocaleString('en-US')}/s`,
        ]);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await client.quit().catch(() => client.disconnect());
      }
    });

  fraud
    .command('consume')
    .description(
      'Score a partitioned transaction stream as one replica of a consumer group: each decision (id, score, ' +
        "decision, model version) goes to the partition's alerts stream, written with the acknowledgement in one step; " +
        "replicas share the partitions and take over a dead one's, claiming its pending entries. Runs until SIGINT/SIGTERM.",
    )
    .requiredOption('--model <dir>', 'model folder written by `mlsd fraud train`')
    .requiredOption(
      '--redis <url>',
      `${REDIS_HELP}; holds the stream and, unless --state-redis, the online state`,
    )
    .option('--state-redis <url>', 'keep the online state in this Redis instead')
    .option('--stream <name>', 'stream name', 'transactions')
    .option('--group <name>', 'consumer group (replicas of one group share the work)', 'scorers')
    .option('--consumer <name>', "this replica's name in the group (default <host>-<pid>)")
    .option(
      '--partitions <n>',
      'partitions when the stream is new; must match an existing stream',
      parsePositiveInt('--partitions'),
    )
    .option(
      '--batch <n>',
      'entries read and decided per step and partition (default 64)',
      parsePositiveInt('--batch'),
    )
    .option(
      '--lease-ms <ms>',
      "a dead replica's partitions are taken over this long after its last renewal (default 10000)",
      parsePositiveInt('--lease-ms'),
    )
    .option(
      '--alerts-max-len <n>',
      'trim each alerts partition to about n decisions (default: keep all)',
      parsePositiveInt('--alerts-max-len'),
    )
    .option('--with-features', 'put the feature values into each decision')
    .option(
      '--allowed-lateness <seconds>',
      'seconds a transaction may arrive late for one of its entities (default 0): cover the skew between partitions for entities other than the card (every replica sharing the state must use the same)',
      parseNumber('--allowed-lateness'),
    )
    .option(
      '--max-future-skew <seconds>',
      'seconds a time may lie beyond the newest this replica accepted (default 604800, 7 days); a replay of an old log started long after the model needs more',
      parseNumber('--max-future-skew'),
    )
    .option(
      '--metrics-port <n>',
      'serve /metrics and /healthz on this port (0: any free one)',
      parsePort,
    )
    .option('--json', 'log events as JSON lines on stderr')
    .action(async (flags: ConsumeFlags) => {
      const running = await startFraudConsumer({
        modelDir: flags.model,
        redisUrl: flags.redis,
        stateRedisUrl: flags.stateRedis,
        stream: flags.stream,
        group: flags.group,
        consumer: flags.consumer,
        partitions: flags.partitions,
        batchSize: flags.batch,
        leaseMs: flags.leaseMs,
        alertsMaxLen: flags.alertsMaxLen,
        includeFeatures: flags.withFeatures,
        allowedLatenessSeconds: flags.allowedLateness,
        maxFutureSkewSeconds: flags.maxFutureSkew,
        metricsPort: flags.metricsPort,
        log: (event) =>
          process.stderr.write(
            flags.json
              ? `${JSON.stringify({ time: Date.now(), ...event })}\n`
              : `mlsd fraud consume: ${Object.entries(event)
                  .map(([key, value]) => (key === 'event' ? value : `${key}=${value}`))
                  .join(' ')}\n`,
          ),
      });
      const { consumer } = running;
      printLines([
        `mlsd fraud consume: ${consumer.consumer} in group ${consumer.group} of ${consumer.keys.stream} (${consumer.keys.partitions} partitions), model ${running.modelVersion}${running.metricsUrl === undefined ? '' : `, metrics on ${running.metricsUrl}/metrics`}`,
      ]);
      await new Promise<void>((resolve, reject) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.stderr.write(`mlsd fraud consume: ${signal}, finishing the batch in hand\n`);
          running.close().then(resolve, reject);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      const stats = consumer.stats();
      printLines([
        `mlsd fraud consume: stopped after ${stats.handled} entries (${stats.scored} scored, ${stats.rejected} rejected, ${stats.duplicate} duplicates, ${stats.claimed} claimed)`,
      ]);
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError(
      `--metrics-port must be an integer from 0 to 65535, got "${value}".`,
    );
  }
  return port;
}
