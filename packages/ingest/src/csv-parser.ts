/** Receives each CSV record: its fields, the line it starts on, and a problem if malformed. */
export type CsvRecordHandler = (
  fields: string[],
  line: number,
  problem: string | undefined,
  raw: () => string,
) => void;

const QUOTE = 34; // "
const LF = 10;
const CR = 13;

/**
 * A streaming RFC 4180 CSV parser: quoted fields, "" escapes, delimiters and line breaks
 * inside quotes, LF or CRLF line endings, an optional final line break. Feed it text chunks
 * of any size with {@link push} (a record may span chunks) and call {@link end} once. A
 * malformed record (stray quote, text after a closing quote, unterminated quote) is still
 * delivered, with a `problem`, so the caller can quarantine it and go on. Lines that are
 * completely empty are skipped and counted in {@link blankLines}.
 */
export class CsvParser {
  readonly #onRecord: CsvRecordHandler;
  readonly #delimiter: number;
  #pending = '';
  #line = 1;
  #blankLines = 0;
  #started = false;

  constructor(onRecord: CsvRecordHandler, options: { delimiter?: string } = {}) {
    const delimiter = options.delimiter ?? ',';
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new RangeError(
        `CSV delimiter must be one character other than a quote or line break, got ${JSON.stringify(delimiter)}.`,
      );
    }
    this.#onRecord = onRecord;
    this.#delimiter = delimiter.charCodeAt(0);
  }

  /** Lines skipped because they were empty. */
  get blankLines(): number {
    return this.#blankLines;
  }

  /** Parses the complete records in `chunk` (plus what was left from the previous one). */
  push(chunk: string): void {
    let text = this.#pending + chunk;
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.#pending = text.slice(this.#parse(text, false));
  }

  /** Parses what is left as the last record. */
  end(): void {
    const text = this.#pending;
    this.#pending = '';
    if (text.length > 0) this.#parse(text, true);
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
          this.#emit(fields, problem, text, start, i);
          this.#line += newlines;
          start = length;
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
        this.#emit(fields, problem, text, start, i);
        this.#line += newlines + 1;
        start = next;
        break;
      }
      if (!complete) break;
    }
    return start;
  }

  #emit(
    fields: string[],
    problem: string | undefined,
    text: string,
    start: number,
    end: number,
  ): void {
    this.#onRecord(fields, this.#line, problem, () => text.slice(start, end));
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
