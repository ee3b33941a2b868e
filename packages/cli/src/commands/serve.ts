import { InvalidArgumentError } from '@mlsd/core';
import { createService } from '@mlsd/serve';
import { type Command, InvalidArgumentError as UsageError } from 'commander';
import { printLines } from '../output.js';
import { onLauncherGone, relaunchForServing, runAsProgram } from './serve-launcher.js';

interface ServeOptions {
  fraudModel?: string;
  imageIndex?: string;
  host: string;
  port: number;
  redis?: string;
  allowedLateness?: number;
  adminTokenEnv: string;
  shutdownTimeout: number;
}

const DEFAULT_TOKEN_ENV = 'MLSD_ADMIN_TOKEN';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got "${value}".`);
  }
  return port;
}

function parseLateness(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new UsageError(`--allowed-lateness must be a number of seconds ≥ 0, got "${value}".`);
  }
  return seconds;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3_600) {
    throw new UsageError(`--shutdown-timeout takes seconds from 0 to 3600, got "${value}".`);
  }
  return seconds;
}

/** True for an address only this machine can reach. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function parseEnvName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
    throw new UsageError(
      `--admin-token-env takes the NAME of an environment variable (e.g. ${DEFAULT_TOKEN_ENV}), not the token; got "${value}".`,
    );
  }
  return value;
}

/** Registers `mlsd serve`. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'HTTP service for fraud scoring and similar-image lookup: POST /v1/fraud/score, POST /v1/images/similar, ' +
        'GET /metrics, /healthz, /readyz, a web page at /, and POST /admin/reload. Logs (JSON, one line per ' +
        'request) go to stderr; the listening URL goes to stdout. Ctrl-C (SIGINT) or SIGTERM drains requests in ' +
        'flight, then exits.',
    )
    .option('--fraud-model <dir>', 'fraud model folder written by `mlsd fraud train`')
    .option('--image-index <dir>', 'image index folder written by `mlsd images index`')
    .option('--host <host>', 'address to bind (loopback unless told otherwise)', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', parsePort, 8080)
    .option(
      '--redis <url>',
      'keep the fraud online state in this Redis (redis://host:port) or Redis Cluster (redis+cluster://host:port[,host:port…]) so replicas share it; default in process',
    )
    .option(
      '--allowed-lateness <seconds>',
      'seconds a transaction may arrive late for one of its cards, terminals… (default 0: in order); every replica and stream consumer sharing the state must use the same',
      parseLateness,
    )
    .option(
      '--admin-token-env <name>',
      'NAME of the environment variable holding the bearer token of POST /admin/reload (the token is read ' +
        'from the environment, never from a flag, so it stays out of shell history and `ps`); when the ' +
        'variable is unset or empty, admin routes are off',
      parseEnvName,
      DEFAULT_TOKEN_ENV,
    )
    .option(
      '--shutdown-timeout <seconds>',
      'on SIGINT/SIGTERM, how long requests in flight may take to finish before the remaining connections are closed',
      parseSeconds,
      10,
    )
    .action(async (options: ServeOptions) => {
      // Run as the program itself (not main() called in-process), the service gets its own
      // process with V8's young generation sized for it (serve-launcher.ts).
      if (runAsProgram()) {
        const code = await relaunchForServing(process.argv);
        if (code !== undefined) {
          process.exit(code);
        }
      }
      if (options.fraudModel === undefined && options.imageIndex === undefined) {
        throw new InvalidArgumentError(
          'Nothing to serve: give --fraud-model <dir>, --image-index <dir> or both.',
        );
      }
      const raw = process.env[options.adminTokenEnv];
      const token = raw === undefined || raw === '' ? undefined : raw;
      if (token !== undefined && token.length < 8) {
        throw new InvalidArgumentError(
          `The admin token in $${options.adminTokenEnv} has ${token.length} characters; use at least 8 (e.g. \`openssl rand -hex 16\`).`,
        );
      }
      const service = await createService({
        fraudModelDir: options.fraudModel,
        imageIndexDir: options.imageIndex,
        redisUrl: options.redis,
        allowedLatenessSeconds: options.allowedLateness,
        adminToken: token,
        shutdownTimeoutMs: Math.round(options.shutdownTimeout * 1000),
      });
      const url = await service.listen({ host: options.host, port: options.port });
      printLines([`mlsd serve: listening on ${url}`]);
      if (!isLoopback(options.host)) {
        process.stderr.write(
          `mlsd serve: warning: bound to ${options.host}, so the service is reachable from other machines (scoring, image search${token === undefined ? '' : ', admin reload'}). Put it behind a firewall or an authenticating proxy with TLS, or bind 127.0.0.1.\n`,
        );
      }
      await new Promise<void>((resolve, reject) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.stderr.write(`mlsd serve: ${signal}, draining requests in flight\n`);
          service.close().then(resolve, reject);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        onLauncherGone(() => stop('SIGTERM'));
      });
    });
}
