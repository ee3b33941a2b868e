/**
 * Receives each CSV record: its fields, the line it starts on, a problem if malformed, its
 * text, and the number of physical lines it spans. Returning a reason refuses a record that
 * spans lines as a broken quote: the parser then sets its first line aside with that reason
 * (delivered again, as malformed) and resumes at the next line. For a one-line record the
 * return value is ignored.
 */
export type CsvRecordHandler = (
  fields: string[],
  line: number,
  problem: string | undefined,
  raw: () => string,
  lines: number,
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler that never refuses a record returns nothing
) => string | undefined | void;

const QUOTE = 34; // "
const LF = 10;
const CR = 13;

/** Options of {@link CsvParser}. */
export interface CsvParserOptions {
  /** Field delimiter (default ','). */
  delimiter?: string;
  /**
   * Longest record, in characters (default 1 Mi). A quoted field still open past it is a broken
   * quote (its first line is set aside, as below); a longer single line is set aside whole and
   * skipped to its line break, so memory stays bounded whatever the input.
   */
  maxRecordChars?: number;
}

/** Raw text kept of a record too long to keep. */
const RAW_PREVIEW_CHARS = 200;

/**
 * A streaming RFC 4180 CSV parser: quoted fields, "" escapes, delimiters and line breaks
 * inside quotes, LF or CRLF line endings, an optional final line break. Feed it text chunks
 * of any size with {@link push} (a record may span chunks) and call {@link end} once. A
 * malformed record (stray quote, text after a closing quote, unterminated quote) is still
 * delivered, with a `problem`, so the caller can quarantine it and go on. Lines that are
 * completely empty are skipped and counted in {@link blankLines}.
 *
 * Broken quotes resynchronise: a record that spans several lines (a quoted field with a line
 * break) and is malformed, has another number of fields than {@link expectFields} set, or is
 * refused by the handler, is most likely a stray opening quote that swallowed the lines after it. Then only its first line
 * is delivered, as malformed, and parsing resumes at the next line, so one bad quote costs one
 * line, never the rest of the file. Every physical line thus ends up in exactly one record, a
 * blank line, or a set-aside line.
 */
export class CsvParser {
  readonly #onRecord: CsvRecordHandler;
  readonly #delimiter: number;
  readonly #maxRecordChars: number;
  #expectedFields: number | undefined;
  #pending = '';
  #line = 1;
  #blankLines = 0;
  #started = false;
  /** True while discarding the rest of an over-long line. */
  #skipping = false;

  constructor(onRecord: CsvRecordHandler, options: CsvParserOptions = {}) {
    const delimiter = options.delimiter ?? ',';
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new RangeError(
        `CSV delimiter must be one character other than a quote or line break, got ${JSON.stringify(delimiter)}.`,
      );
    }
    const maxRecordChars = options.maxRecordChars ?? 1 << 20;
    if (!Number.isInteger(maxRecordChars) || maxRecordChars < 1) {
      throw new RangeError(`maxRecordChars must be a positive integer, got ${maxRecordChars}.`);
    }
    this.#onRecord = onRecord;
    this.#delimiter = delimiter.charCodeAt(0);
    this.#maxRecordChars = maxRecordChars;
  }

  /** Lines skipped because they were empty. */
  get blankLines(): number {
    return this.#blankLines;
  }

  /**
   * Sets the number of fields a record should have (the header's): a multi-line record with
   * another count is treated as a broken quote and resynchronised.
   */
  expectFields(count: number): void {
    this.#expectedFields = count;
  }

  /** Parses the complete records in `chunk` (plus what was left from the previous one). */
  push(chunk: string): void {
    let text = this.#pending + chunk;
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.#skipping) {
      const lf = text.indexOf('\n');
      if (lf === -1) {
        this.#pending = '';
        return;
      }
      this.#skipping = false;
      this.#line++;
      text = text.slice(lf + 1);
    }
    this.#pending = text.slice(this.#parse(text, false));
  }

  /** Parses what is left as the last record. */
  end(): void {
    const text = this.#pending;
    this.#pending = '';
    if (text.length > 0 && !this.#skipping) this.#parse(text, true);
  }

  /** Parses records from `text`; returns where the first incomplete record starts. */
  #parse(text: string, final: boolean): number {
    const length = text.length;
    const delimiter = this.#delimiter;
    let start = 0;
    while (start < length) {
      const fields: string[] = [];
      let problem: string | undefined;
      let newlines = 0;
      let i = start;
      let complete = false;
      // A completely empty line is not a record.
      const first = text.charCodeAt(i);
      if (first === LF || (first === CR && text.charCodeAt(i + 1) === LF)) {
        this.#blankLines++;
        this.#line++;
        start = i + (first === CR ? 2 : 1);
        continue;
      }
      if (first === CR && i + 1 === length && !final) break;
      for (;;) {
        let value: string;
        if (text.charCodeAt(i) === QUOTE) {
          // Quoted field: runs to the next quote not followed by another quote.
          let parts = '';
          let from = i + 1;
          let close = -1;
          for (;;) {
            const q = text.indexOf('"', from);
            if (q === -1 || (q + 1 === length && !final)) break;
            if (text.charCodeAt(q + 1) === QUOTE) {
              parts += text.slice(from, q + 1);
              from = q + 2;
              continue;
            }
            close = q;
            break;
          }
          if (close === -1) {
            if (!final) break; // the field continues in the next chunk
            problem ??= 'unterminated quoted field (a quote opened and never closed)';
            value = parts + text.slice(from);
            newlines += countLineFeeds(text, i, length);
            i = length;
          } else {
            value = parts + text.slice(from, close);
            newlines += countLineFeeds(text, i, close);
            i = close + 1;
            // Anything but a delimiter or line break after a closing quote is malformed.
            const stray = i;
            while (i < length) {
              const c = text.charCodeAt(i);
              if (c === delimiter || c === LF || c === CR) break;
              i++;
            }
            if (i > stray) {
              problem ??= `unexpected text after a closing quote in field ${fields.length + 1}`;
              value += text.slice(stray, i);
            }
          }
        } else {
          const from = i;
          while (i < length) {
            const c = text.charCodeAt(i);
            if (c === delimiter || c === LF || c === CR) break;
            if (c === QUOTE)
              problem ??= `unexpected quote inside unquoted field ${fields.length + 1}`;
            i++;
          }
          value = text.slice(from, i);
        }
        fields.push(value);
        if (i >= length) {
          if (!final) break;
          complete = true;
          start = this.#finishRecord(fields, problem, text, start, i, newlines, length, 0);
          break;
        }
        const c = text.charCodeAt(i);
        if (c === delimiter) {
          i++;
          if (i >= length && !final) break;
          continue;
        }
        // Line break: LF, CRLF, or a lone CR.
        let next = i + 1;
        if (c === CR) {
          if (next >= length && !final) break; // the LF may be in the next chunk
          if (text.charCodeAt(next) === LF) next++;
        }
        complete = true;
        start = this.#finishRecord(fields, problem, text, start, i, newlines, next, 1);
        break;
      }
      if (complete) continue;
      // The record is incomplete: wait for more text, unless it is already too long to be one.
      if (final || length - start <= this.#maxRecordChars) break;
      const lf = text.indexOf('\n', start);
      if (lf !== -1) {
        // Only a quoted field spans a line break: a quote opened and still open this far on.
        start = this.#setAsideFirstLine(
          text,
          start,
          `a quoted field runs on for more than ${this.#maxRecordChars} characters (a quote opened and never closed)`,
        );
        continue;
      }
      this.#onRecord(
        [],
        this.#line,
        `record longer than ${this.#maxRecordChars} characters (the line was skipped)`,
        () => `${text.slice(start, start + RAW_PREVIEW_CHARS)}…`,
        1,
      );
      this.#skipping = true;
      return length;
    }
    return start;
  }

  /**
   * Delivers the complete record `text[start, end)` (or, when it is a broken quote, sets its
   * first line aside) and returns where parsing goes on: `next`, or the line after the first.
   * @param breaks - line breaks after the record (1, or 0 at the end of the text).
   */
  #finishRecord(
    fields: string[],
    problem: string | undefined,
    text: string,
    start: number,
    end: number,
    newlines: number,
    next: number,
    breaks: number,
  ): number {
    const refused = this.#isBroken(fields, problem, newlines)
      ? this.#brokenReason(fields, problem)
      : this.#emit(fields, problem, text, start, end, newlines);
    if (refused !== undefined && newlines > 0) return this.#setAsideFirstLine(text, start, refused);
    this.#line += newlines + breaks;
    return next;
  }

  /** A multi-line record that is malformed or of the wrong width: a broken quote. */
  #isBroken(fields: string[], problem: string | undefined, newlines: number): boolean {
    return (
      newlines > 0 &&
      (problem !== undefined ||
        (this.#expectedFields !== undefined && fields.length !== this.#expectedFields))
    );
  }

  #brokenReason(fields: string[], problem: string | undefined): string {
    return (
      problem ??
      `a quoted field spanning lines gives ${fields.length} fields, not ${this.#expectedFields}`
    );
  }

  /**
   * Delivers the first line of the record starting at `start` as malformed and returns where
   * the next line starts, so parsing resumes there.
   */
  #setAsideFirstLine(text: string, start: number, problem: string): number {
    const lf = text.indexOf('\n', start);
    const end = lf === -1 ? text.length : lf;
    const lineEnd = end > start && text.charCodeAt(end - 1) === CR ? end - 1 : end;
    this.#onRecord(
      [],
      this.#line,
      `${problem}; only this line was set aside, reading resumed at the next line`,
      () => text.slice(start, lineEnd),
      1,
    );
    this.#line++;
    return lf === -1 ? text.length : lf + 1;
  }

  #emit(
    fields: string[],
    problem: string | undefined,
    text: string,
    start: number,
    end: number,
    newlines: number,
  ): string | undefined {
    return (
      this.#onRecord(fields, this.#line, problem, () => text.slice(start, end), newlines + 1) ??
      undefined
    );
  }
}

function countLineFeeds(text: string, from: number, to: number): number {
  let count = 0;
  let at = text.indexOf('\n', from);
  while (at !== -1 && at < to) {
    count++;
    at = text.indexOf('\n', at + 1);
  }
  return count;
}
