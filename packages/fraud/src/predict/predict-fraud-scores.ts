import { stat } from 'node:fs/promises';
import { AtomicLineWriter, isMlsdError, toMatrix } from '@mlsd/core';
import { OnlineFeatureState } from '@mlsd/features';
import {
  CsvParser,
  Quarantine,
  type QuarantinedRow,
  type RowProblem,
  readTextChunks,
  readTextLines,
} from '@mlsd/ingest';
import { RowNormalizer } from '../config/row-normalizer.js';
import type { FraudModel } from '../fraud-model.js';

/** Options of {@link predictFraudScores}. */
export interface PredictOptions {
  /** The scores file to write (CSV: the id column under its own name, `score`, `decision`). */
  out: string;
  /**
   * Continue from the online state saved with the model (a log that follows the training data);
   * default false: start empty, the features of each row built from the rows before it in the
   * file, as a backtest does.
   */
  continueFromModel?: boolean;
  /**
   * Seconds a row may be older than the newest row of one of its entities and still be placed in
   * order (default 0: each card's and merchant's rows must come in time order).
   */
  allowedLatenessSeconds?: number;
  /** Rows scored per model call (default 4,096). */
  batchRows?: number;
  /** Write every refused row to this JSONL file (line, raw, reason, column). */
  quarantinePath?: string;
  /** Refused rows kept in memory in the result (default 100). */
  keepQuarantined?: number;
  /** Called after each chunk of input with the bytes read so far and the total (0 when unknown). */
  onProgress?: (bytesRead: number, totalBytes: number, rows: number) => void;
  /** `csv` or `jsonl`; default from the file name. */
  format?: 'csv' | 'jsonl';
}

/** What {@link predictFraudScores} did. */
export interface PredictSummary {
  out: string;
  /** Records read; read = scored + quarantined. */
  read: number;
  scored: number;
  quarantined: number;
  /** Rows scored at or above the threshold. */
  alerts: number;
  /** Rows the file labels fraud (when it has the label column). */
  frauds: number;
  /** Frauds among the alerts. */
  fraudsAlerted: number;
  seconds: number;
  rowsPerSecond: number;
  /** Largest resident set size seen, MiB (sampled per chunk). */
  peakRssMiB: number;
  /** Entities and events the online state held at the end (its memory is bounded by these). */
  state: { entities: number; events: number };
  quarantine: QuarantinedRow[];
}

/**
 * Scores every transaction of a log file with a model, as a backtest does: rows are read in file
 * order through the model's config (the same normalizer as training and serving), each updates
 * an online feature state and gets the point-in-time features of what came before it (labels
 * only once the delay has passed), and the model scores them in batches. One row per scored
 * transaction goes to `out` (`<id column>,score,decision`). It streams: memory holds one chunk
 * of text, one batch of features and the state (active entities × their windows), never the
 * file. Refused rows (malformed, out of time order for an entity beyond the allowed lateness,
 * repeated ids) go to the quarantine with their line and reason.
 * @throws the errors of the config's header check (a missing column, with the nearest name).
 */
export async function predictFraudScores(
  model: FraudModel,
  source: string,
  options: PredictOptions,
): Promise<PredictSummary> {
  const started = performance.now();
  const format =
    options.format ?? (/\.(jsonl|ndjson)$/i.test(source) ? ('jsonl' as const) : ('csv' as const));
  const normalizer = new RowNormalizer(model.config.columns, { labels: 'optional' });
  const { layout } = normalizer;
  const stateOptions = {
    maxGapSeconds: null,
    allowedLatenessSeconds: options.allowedLatenessSeconds ?? 0,
  };
  const state =
    options.continueFromModel === true && model.state !== undefined
      ? OnlineFeatureState.fromJSON(model.state.toJSON(), stateOptions)
      : new OnlineFeatureState(model.features, stateOptions);
  const width = model.features.names.length;
  const batchRows = options.batchRows ?? 4096;
  const batch = new Float32Array(batchRows * width);
  const vector = new Float32Array(width);
  const ids: string[] = [];
  const labels = new Int8Array(batchRows);
  const quarantine = new Quarantine(options.quarantinePath, options.keepQuarantined ?? 100);
  const writer = new AtomicLineWriter(options.out);
  const summary: PredictSummary = {
    out: options.out,
    read: 0,
    scored: 0,
    quarantined: 0,
    alerts: 0,
    frauds: 0,
    fraudsAlerted: 0,
    seconds: 0,
    rowsPerSecond: 0,
    peakRssMiB: 0,
    state: { entities: 0, events: 0 },
    quarantine: [],
  };
  let waiting: Promise<void> | undefined;

  const flush = (): void => {
    const n = ids.length;
    if (n === 0) return;
    const scores = model.score(toMatrix(batch.subarray(0, n * width), n, width));
    for (let i = 0; i < n; i++) {
      const alert = scores[i]! >= model.threshold;
      if (alert) summary.alerts++;
      if (labels[i] === 1) {
        summary.frauds++;
        if (alert) summary.fraudsAlerted++;
      }
      const wait = writer.write(`${csvText(ids[i]!)},${scores[i]},${alert ? 'alert' : 'pass'}`);
      if (wait !== undefined) waiting = wait;
    }
    summary.scored += n;
    ids.length = 0;
  };

  const take = (line: number, raw: () => string, problem: RowProblem | undefined): void => {
    summary.read++;
    if (problem === undefined) {
      const k = ids.length;
      try {
        state.update(normalizer.toRecord(), vector);
        batch.set(vector, k * width);
      } catch (error) {
        if (!isMlsdError(error, 'INVALID_DATA')) throw error;
        problem = { reason: orderHint(error.message, error.details.reason), column: layout.time };
      }
      if (problem === undefined) {
        ids.push(normalizer.row.id);
        labels[k] = normalizer.row.label;
        if (ids.length === batchRows) flush();
        return;
      }
    }
    quarantine.add({
      line,
      raw: raw(),
      reason: problem.reason,
      ...(problem.column === undefined ? {} : { column: problem.column }),
    });
  };

  const total = await fileSize(source);
  let bytes = 0;
  await quarantine.open();
  await writer.open();
  try {
    writer.write(`${csvText(layout.transactionId)},score,decision`);
    const afterChunk = async (chunkBytes: number): Promise<void> => {
      bytes += chunkBytes;
      const rss = process.memoryUsage.rss() / 2 ** 20;
      if (rss > summary.peakRssMiB) summary.peakRssMiB = rss;
      options.onProgress?.(bytes, total, summary.read);
      if (waiting !== undefined) {
        const wait = waiting;
        waiting = undefined;
        await wait;
      }
    };
    if (format === 'csv') {
      let index: Int32Array | undefined;
      let columns = 0;
      const parser = new CsvParser((fields, line, malformed, raw) => {
        if (index === undefined) {
          const header = fields.map((field) => field.trim());
          index = normalizer.bindHeader(header, source).index;
          columns = header.length;
          return;
        }
        let problem: RowProblem | undefined;
        if (malformed !== undefined) problem = { reason: `malformed CSV: ${malformed}` };
        else if (fields.length !== columns) {
          problem = { reason: `expected ${columns} fields, found ${fields.length}` };
        } else problem = normalizer.normalizeCells(fields, index);
        take(line, raw, problem);
      });
      for await (const chunk of readTextChunks(source, source)) {
        parser.push(chunk);
        await afterChunk(Buffer.byteLength(chunk));
      }
      parser.end();
    } else {
      let lineNumber = 0;
      let lineBytes = 0;
      const unknown = new Set<string>();
      for await (const line of readTextLines(source, source)) {
        lineNumber++;
        lineBytes += Buffer.byteLength(line) + 1;
        if (line.trim() !== '') {
          let problem: RowProblem | undefined;
          try {
            const value: unknown = JSON.parse(line);
            problem =
              value === null || typeof value !== 'object' || Array.isArray(value)
                ? { reason: 'expected a JSON object on the line' }
                : normalizer.normalizeObject(value as Record<string, unknown>, {
                    unknownKeys: unknown,
                  });
          } catch (error) {
            problem = { reason: `invalid JSON: ${(error as Error).message}` };
          }
          take(lineNumber, () => line, problem);
        }
        if ((lineNumber & 0xfff) === 0) {
          await afterChunk(lineBytes);
          lineBytes = 0;
        }
      }
      await afterChunk(lineBytes);
    }
    flush();
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  } finally {
    await quarantine.close();
  }
  const stats = state.stats();
  summary.quarantined = quarantine.count;
  summary.quarantine = quarantine.kept;
  summary.state = { entities: stats.entities, events: stats.events };
  summary.seconds = (performance.now() - started) / 1000;
  summary.rowsPerSecond = summary.read / Math.max(summary.seconds, 1e-9);
  return summary;
}

/** A refusal by the online state, with how to fix an unsorted file. */
function orderHint(message: string, reason: unknown): string {
  if (reason !== 'out-of-order') return message;
  return `${message} The file is not in time order for this entity: sort it by time first, or allow that much lateness (allowedLatenessSeconds, --allowed-lateness).`;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function csvText(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
