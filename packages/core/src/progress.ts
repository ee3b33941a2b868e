import { InvalidArgumentError } from './errors.js';

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** What is being done, shown first ("embedding catalogue"). */
  label: string;
  /** Expected count; with it the bar shows a percentage and an ETA. */
  total?: number;
  /** Where to draw; process.stderr by default (stdout is for data). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /**
   * `true` draws whatever the stream is, `false` never draws; by default the bar is drawn
   * only on a terminal (`stream.isTTY`) outside CI (env `CI` unset, empty, `0` or `false`).
   */
  enabled?: boolean;
  /** Name of what is counted ("rows", "images"); "items" by default. */
  unit?: string;
}

/** A progress reporter; every method is cheap enough for a hot loop. */
export interface Progress {
  /** Counts `n` more units done (1 by default). */
  tick(n?: number): void;
  /** Sets the count of units done. */
  update(done: number): void;
  /** Clears the bar and writes one summary line (label, count, elapsed time, `message`); later calls do nothing. */
  finish(message?: string): void;
  /** Units done so far. */
  readonly done: number;
}

/** Minimum time between two redraws, in milliseconds. */
const REDRAW_MS = 100;
/** Time after which rate and ETA are shown, in seconds. */
const MIN_RATE_SECONDS = 0.2;
/** Bar width in characters. */
const BAR_WIDTH = 20;

/**
 * A progress bar on stderr for long loops: one line redrawn in place at most every 100 ms
 * with the label, percentage and bar (when `total` is known), count, rate and ETA; `finish`
 * replaces it with a summary line. Off a terminal or in CI it is silent and costs one
 * addition per tick, so calling it from hot loops is fine either way.
 *
 * @example
 * ```ts
 * const progress = createProgress({ label: 'scoring', total: rows.length, unit: 'rows' });
 * for (const row of rows) { score(row); progress.tick(); }
 * progress.finish();
 * ```
 */
export function createProgress(options: ProgressOptions): Progress {
  const { label, total, unit = 'items' } = options;
  if (typeof label !== 'string') {
    throw new InvalidArgumentError(`createProgress: label must be a string, got ${typeof label}.`);
  }
  if (total !== undefined && !(Number.isFinite(total) && total >= 0)) {
    throw new InvalidArgumentError(
      `createProgress(${label}): total must be a finite number ≥ 0, got ${total}.`,
    );
  }
  const stream = options.stream ?? process.stderr;
  const enabled = options.enabled ?? (stream.isTTY === true && !runningInCi());
  return enabled ? new BarProgress(stream, label, total, unit) : new QuietProgress();
}

function runningInCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** Counts and nothing else. */
class QuietProgress implements Progress {
  done = 0;

  tick(n = 1): void {
    this.done += n;
  }

  update(done: number): void {
    this.done = done;
  }

  finish(): void {}
}

class BarProgress implements Progress {
  done = 0;
  readonly #stream: NonNullable<ProgressOptions['stream']>;
  readonly #label: string;
  readonly #total: number | undefined;
  readonly #unit: string;
  readonly #start = performance.now();
  #lastDraw = Number.NEGATIVE_INFINITY;
  #lastCheck = this.#start;
  /** Ticks between two looks at the clock; adapts so that a look happens every few ms. */
  #stride = 1;
  #countdown = 1;
  #finished = false;
  /**
   * Forces a clock read on the next tick every REDRAW_MS, so a loop whose ticks turn slow
   * after a fast start (a long stride) still redraws, as long as it yields to the event loop.
   */
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    stream: NonNullable<ProgressOptions['stream']>,
    label: string,
    total: number | undefined,
    unit: string,
  ) {
    this.#stream = stream;
    this.#label = label;
    this.#total = total;
    this.#unit = unit;
    this.#timer = setInterval(() => {
      this.#countdown = 1;
    }, REDRAW_MS);
    // A forgotten finish() must not keep the process alive.
    this.#timer.unref();
  }

  tick(n = 1): void {
    this.done += n;
    if (--this.#countdown <= 0) this.#check();
  }

  update(done: number): void {
    this.done = done;
    if (--this.#countdown <= 0) this.#check();
  }

  /** Reads the clock; redraws when the last frame is old enough. */
  #check(): void {
    if (this.#finished) {
      this.#countdown = Number.POSITIVE_INFINITY;
      return;
    }
    const now = performance.now();
    const sinceCheck = now - this.#lastCheck;
    this.#lastCheck = now;
    // Fast loops get a longer stride (fewer clock reads); slow ones a shorter one, so a
    // synchronous loop reads the clock roughly every 2–20 ms whatever a tick costs.
    if (sinceCheck < 2 && this.#stride < 1 << 16) this.#stride *= 2;
    else if (sinceCheck > 20 && this.#stride > 1) this.#stride = Math.max(1, this.#stride >> 2);
    this.#countdown = this.#stride;
    if (now - this.#lastDraw >= REDRAW_MS) {
      this.#lastDraw = now;
      this.#write(`\r${this.#fit(this.#line(now))}\x1b[K`);
    }
  }

  finish(message?: string): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#countdown = Number.POSITIVE_INFINITY;
    clearInterval(this.#timer);
    const seconds = (performance.now() - this.#start) / 1000;
    const rate = seconds > 0 ? ` (${formatRate(this.done / seconds)} ${this.#unit}/s)` : '';
    const count =
      this.#total === undefined
        ? EXACT_FORMAT.format(this.done)
        : `${EXACT_FORMAT.format(this.done)}/${EXACT_FORMAT.format(this.#total)}`;
    const summary = `${this.#label}: ${count} ${this.#unit} in ${formatDuration(seconds)}${rate}`;
    this.#write(`\r\x1b[K${summary}${message ? ` — ${message}` : ''}\n`);
  }

  #line(now: number): string {
    const seconds = (now - this.#start) / 1000;
    // A rate over the first instants (one tick in a few microseconds) says nothing yet.
    const rate = seconds >= MIN_RATE_SECONDS ? this.done / seconds : 0;
    const rateText = rate > 0 ? `${formatRate(rate)} ${this.#unit}/s` : `– ${this.#unit}/s`;
    const total = this.#total;
    if (total === undefined) {
      return `${this.#label} ${formatCount(this.done)} ${this.#unit} · ${rateText} · ${formatDuration(seconds)}`;
    }
    const fraction = total === 0 ? 1 : Math.min(1, Math.max(0, this.done / total));
    const filled = Math.floor(fraction * BAR_WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const eta = rate > 0 ? formatDuration(Math.max(0, total - this.done) / rate) : '?';
    return `${this.#label} ${bar} ${percent} ${formatCount(this.done)}/${formatCount(total)} ${this.#unit} · ${rateText} · ETA ${eta}`;
  }

  /** Cuts the line to the terminal width so it never wraps (a wrapped line cannot be redrawn with \r). */
  #fit(line: string): string {
    const columns = this.#stream.columns;
    const width = columns !== undefined && columns > 1 ? columns - 1 : 79;
    return line.length > width ? line.slice(0, width) : line;
  }

  #write(text: string): void {
    this.#stream.write(text);
  }
}

// 'en-US' so the output does not depend on the machine's locale.
const EXACT_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const WHOLE_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const COMPACT_FORMAT = new Intl.NumberFormat('en-US', {
  notation: 'compact',
  maximumFractionDigits: 1,
});

/** Exact below 100,000 ("4,200"), compact above ("267.3M") so the bar fits a terminal line. */
function formatCount(value: number): string {
  return (Math.abs(value) < 100_000 ? EXACT_FORMAT : COMPACT_FORMAT).format(value);
}

function formatRate(perSecond: number): string {
  if (perSecond >= 100_000) return COMPACT_FORMAT.format(perSecond);
  return (perSecond >= 10 ? WHOLE_FORMAT : EXACT_FORMAT).format(perSecond);
}

/** "120ms", "4.2s", "3m05s", "1h02m". */
function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
