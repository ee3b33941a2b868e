/**
 * Minimal structured logging to stderr, for the few events worth telling a person about
 * (backend chosen, a fallback taken). Data never goes here: stdout is for data.
 *
 * `MLSD_LOG_LEVEL` (read at each call) sets what is written: `info` (default) writes
 * everything, `warn` only warnings, `silent` nothing.
 */

type Level = 'info' | 'warn';

/**
 * Writes `[mlsd] message key=value …` to stderr, unless `MLSD_LOG_LEVEL` is `warn` or
 * `silent`. Field values are printed bare when they are numbers, booleans or simple words,
 * JSON-quoted otherwise; undefined fields are left out.
 */
export function logInfo(message: string, fields?: Record<string, unknown>): void {
  writeLog('info', message, fields);
}

/** Writes `[mlsd] warning: message key=value …` to stderr, unless `MLSD_LOG_LEVEL` is `silent`. */
export function logWarn(message: string, fields?: Record<string, unknown>): void {
  writeLog('warn', message, fields);
}

function writeLog(
  level: Level,
  message: string,
  fields: Record<string, unknown> | undefined,
): void {
  const setting = process.env.MLSD_LOG_LEVEL?.trim().toLowerCase();
  if (setting === 'silent' || (setting === 'warn' && level === 'info')) return;
  let line = level === 'warn' ? `[mlsd] warning: ${message}` : `[mlsd] ${message}`;
  if (fields !== undefined) {
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) line += ` ${key}=${formatValue(value)}`;
    }
  }
  process.stderr.write(`${line}\n`);
}

/** A value that a person and `grep` can both read: bare when unambiguous, JSON-quoted otherwise. */
function formatValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (typeof value === 'string') return /^[\w.:/@+-]+$/.test(value) ? value : JSON.stringify(value);
  if (value instanceof Error) return JSON.stringify(value.message);
  if (value === null) return 'null';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Circular structures: a log line must never throw.
    return JSON.stringify(String(value));
  }
}
