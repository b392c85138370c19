// Reading the user's CSV with papaparse, in chunks: a 200 MB file is never one string. The text
// is fed to papaparse piece by piece (a File in the browser, any byte stream in Node), rows are
// checked as they arrive, and the file is refused as soon as it passes the stated limits, with
// the row and line of the first bad record quoted. Text given whole (parseCsv) takes the same path.
import Papa from 'papaparse';
import { fmtCount } from '../core/limits';
import { DataError } from './dataset';

export interface Table {
  header: string[];
  rows: string[][];
  /** Per column, whether every non-empty value is a number (worked out while reading; see columnKinds). */
  numeric?: boolean[];
}

/** What the app reads of one CSV file: bytes on disk, data rows, and cells kept (rows × columns). */
export const MAX_CSV_BYTES = 256 * 1024 ** 2;
export const MAX_CSV_ROWS = 2_000_000;
export const MAX_CSV_CELLS = 20_000_000;

export interface CsvLimits {
  maxBytes?: number;
  maxRows?: number;
  maxCells?: number;
}

export interface CsvProgress {
  /** Bytes read so far (characters, for text given whole). */
  bytes: number;
  /** The file's size, when known. */
  total?: number;
  /** Data rows kept so far. */
  rows: number;
}

export interface CsvReadOptions extends CsvLimits {
  /** Called after each chunk. */
  onProgress?: (p: CsvProgress) => void;
  /** Characters handed to papaparse at a time (default 256 Ki: a few ms of parsing per task). */
  chunkBytes?: number;
  signal?: AbortSignal;
}

/** The limits in words, for the file picker ("up to 256 MB, 2,000,000 rows"). */
export function csvLimitsText(l: CsvLimits = {}): string {
  return `up to ${fmtBytes(l.maxBytes ?? MAX_CSV_BYTES)}, ${(l.maxRows ?? MAX_CSV_ROWS).toLocaleString('en-US')} rows and ${(l.maxCells ?? MAX_CSV_CELLS).toLocaleString('en-US')} cells`;
}

const fmtBytes = (n: number) => (n >= 1024 ** 2 ? `${+(n / 1024 ** 2).toFixed(1)} MB` : `${n} bytes`);

/** The delimiter: "," or, if the header line has none, ";" or a tab. */
const pickDelimiter = (firstLine: string) => (firstLine.includes(',') ? ',' : firstLine.includes(';') ? ';' : firstLine.includes('\t') ? '\t' : ',');

/** A numeric column's value: a number, or empty (a missing value). */
export const numberOrEmpty = (s: string) => s.trim() === '' || Number.isFinite(Number(s));

const newlines = (r: string[]) => r.reduce((n, f) => (f.includes('\n') ? n + f.split('\n').length - 1 : n), 0);

/**
 * Checks and keeps papaparse's records chunk by chunk. Blank lines are kept by papaparse and
 * skipped here, so each record starts one line after the previous one ends (plus the newlines
 * inside its quoted fields): that gives every message its line number.
 */
class Collector {
  header: string[] | null = null;
  readonly rows: string[][] = [];
  private numeric: boolean[] = [];
  error: Error | null = null;
  /** Records seen, the header included, blank lines not: "row N" counts these, as a spreadsheet does. */
  private records = 0;
  /** The line the next record starts on. */
  private line = 1;
  /** The text papaparse has not consumed yet, from absolute offset `textAt` (quote errors quote it). */
  private text = '';
  private textAt = 0;
  private maxRows = MAX_CSV_ROWS;

  constructor(
    private readonly delimiter: string,
    private readonly limits: CsvLimits,
  ) {}

  fed(text: string) {
    this.text += text;
  }

  /** One chunk of papaparse's records, in file order. */
  chunk(res: Papa.ParseResult<string[]>) {
    const data = res.data;
    // An error on the incomplete last row of a chunk is not one yet (papaparse drops that row and
    // parses it again with the next chunk); in the last chunk every row is kept.
    const bad = res.errors.find((e) => e.type === 'Quotes' && (e.row ?? 0) < data.length);
    for (let k = 0; k < data.length; k++) {
      if (bad && k === bad.row) throw this.quoteError(bad);
      const r = data[k]!;
      const line = this.line;
      this.line += 1 + newlines(r);
      if (r.length === 1 && r[0] === '') continue;
      this.records++;
      if (!this.header) {
        this.header = r.map((h, j) => h.trim() || `column ${j + 1}`);
        this.numeric = r.map(() => true);
        this.maxRows = Math.min(this.limits.maxRows ?? MAX_CSV_ROWS, Math.floor((this.limits.maxCells ?? MAX_CSV_CELLS) / r.length));
        continue;
      }
      if (r.length !== this.header.length) throw new DataError(`CSV: row ${this.records} has ${r.length} fields but the header has ${this.header.length}: ${JSON.stringify(r.join(this.delimiter).slice(0, 60))} (line ${line})`);
      if (this.rows.length >= this.maxRows)
        throw new DataError(`CSV: more than ${fmtCount(this.maxRows)} data rows of ${this.header.length} columns (line ${line}); the app reads ${csvLimitsText(this.limits)} — use a sample of the file`);
      this.rows.push(r);
      for (let j = 0; j < r.length; j++) if (this.numeric[j] && !numberOrEmpty(r[j]!)) this.numeric[j] = false;
    }
    const used = res.meta.cursor - this.textAt;
    this.text = this.text.slice(used);
    this.textAt = res.meta.cursor;
  }

  private quoteError(e: Papa.ParseError): DataError {
    // The records before it in this chunk are counted already: this.line is where it starts.
    const line = this.line;
    const row = this.records + 1;
    if (e.code === 'MissingQuotes') return new DataError(`CSV: row ${row}: a quoted field is not closed (a " is missing; line ${line})`);
    // Papa's index points just past the opening quote, in the text since the last chunk.
    const at = Math.max(0, (e.index ?? 1) - 1);
    return new DataError(`CSV: row ${row}: a quoted field has text after its closing quote, in ${JSON.stringify(this.text.slice(at, at + 40))} (line ${line}; a " inside a quoted field is written "")`);
  }

  finish(): Table {
    if (this.error) throw this.error;
    const n = (this.header ? 1 : 0) + this.rows.length;
    if (!this.header || !this.rows.length) throw new DataError(`CSV: needs a header row and at least one data row, got ${n} row(s)`);
    return { header: this.header, rows: this.rows, numeric: this.numeric };
  }
}

/** papaparse's settings for one file; its chunks go to the collector, which stops it at the first error. */
const papaConfig = (delimiter: string, c: Collector, chunkSize: number) => ({
  delimiter,
  newline: '\n',
  quoteChar: '"',
  // Blank lines are skipped by the collector, which counts them as lines.
  skipEmptyLines: false,
  chunkSize,
  chunk: (res: Papa.ParseResult<string[]>, parser: Papa.Parser) => {
    if (c.error) return;
    try {
      c.chunk(res);
    } catch (e) {
      c.error = e as Error;
      parser.abort();
    }
  },
});

/** papaparse's types have no overload for text with a chunk callback or for a stream-like feed; both work. */
const papaParse = Papa.parse as unknown as (input: string | TextFeed, config: ReturnType<typeof papaConfig>) => void;

/**
 * Parses CSV text (RFC 4180 quoting; a leading byte-order mark dropped). The delimiter is "," or,
 * if the header line has none, ";" or a tab. Line endings may be mixed (CRLF, LF, CR: papaparse
 * takes one per file, so they are made LF first); blank lines are skipped.
 */
export function parseCsv(text: string, limits: CsvLimits = {}): Table {
  const body = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(/\r\n?/g, '\n');
  if (body.length > (limits.maxBytes ?? MAX_CSV_BYTES)) throw new DataError(`CSV: the text has ${fmtCount(body.length)} characters; the app reads ${csvLimitsText(limits)}`);
  const delimiter = pickDelimiter(body.slice(0, body.search(/\n|$/)));
  const c = new Collector(delimiter, limits);
  c.fed(body);
  // With a chunk callback papaparse walks a string in chunks, synchronously.
  papaParse(body, papaConfig(delimiter, c, 4 * 1024 ** 2));
  return c.finish();
}

/**
 * The smallest slice of a Node stream papaparse reads from (it listens for data, end and error);
 * the chunks are pushed by readCsv, which awaits the source between them, so the page stays
 * responsive and nothing reads ahead of the parser.
 */
class TextFeed {
  readonly readable = true;
  private readonly on_: Record<string, ((x?: unknown) => void)[]> = {};
  on(ev: string, f: (x?: unknown) => void) {
    (this.on_[ev] ??= []).push(f);
    return this;
  }
  removeListener(ev: string, f: (x?: unknown) => void) {
    this.on_[ev] = (this.on_[ev] ?? []).filter((g) => g !== f);
    return this;
  }
  read() {
    return null;
  }
  pause() {}
  resume() {}
  emit(ev: 'data' | 'end', x?: string) {
    for (const f of [...(this.on_[ev] ?? [])]) f(x);
  }
}

/**
 * Lets the page paint and handle input between chunks. Awaiting the file alone does not: a File's
 * stream resolves from data already read, in microtasks, so the whole parse would run as one task.
 */
const nextTask = () =>
  new Promise<void>((resolve) => {
    // A message, not setTimeout(0): nested timers are held back 4 ms each, a message is not.
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });

async function* bytesOf(source: Blob | AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  if (!(source instanceof Blob)) return yield* source;
  const reader = (source.stream() as unknown as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/**
 * Reads a CSV file in chunks with papaparse: a File/Blob (browser or Node) or any stream of bytes
 * or text (a Node fs.ReadStream). Its size is checked before anything is read, rows as they
 * arrive; `onProgress` hears after each chunk. Same rules and messages as parseCsv, which adds
 * the file's name.
 */
export async function readCsv(source: Blob | AsyncIterable<Uint8Array | string>, name = 'CSV', o: CsvReadOptions = {}): Promise<Table> {
  const maxBytes = o.maxBytes ?? MAX_CSV_BYTES;
  const total = source instanceof Blob ? source.size : undefined;
  const tooBig = (n: number) => new DataError(`CSV: ${name} is ${fmtBytes(n)}${total === undefined ? ' or more' : ''}; the app reads ${csvLimitsText(o)} — use a sample of the file`);
  if (total !== undefined && total > maxBytes) throw tooBig(total);
  const chunkBytes = o.chunkBytes ?? 256 * 1024;
  const decoder = new TextDecoder('utf-8');
  const feed = new TextFeed();
  let c = null as Collector | null;
  let head = ''; // text held until the header line is complete (it picks the delimiter)
  let cr = false; // a chunk ended in \r: the next may start with its \n
  let bytes = 0;
  let pending: string[] = [];
  let pendingLen = 0;
  let parsed = 0;
  const normalize = (t: string, last: boolean) => {
    let s = (cr ? '\r' : '') + t;
    cr = !last && s.endsWith('\r');
    if (cr) s = s.slice(0, -1);
    return s.replace(/\r\n?/g, '\n');
  };
  const push = (text: string) => {
    if (!c) {
      head += text;
      const nl = head.indexOf('\n');
      if (nl < 0) return;
      if (head.charCodeAt(0) === 0xfeff) head = head.slice(1);
      const delimiter = pickDelimiter(head.slice(0, head.indexOf('\n')));
      c = new Collector(delimiter, o);
      papaParse(feed, papaConfig(delimiter, c, chunkBytes));
      text = head;
      head = '';
    }
    c.fed(text);
    feed.emit('data', text);
  };
  for await (const chunk of bytesOf(source)) {
    o.signal?.throwIfAborted();
    bytes += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    if (bytes > maxBytes) throw tooBig(bytes);
    const t = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    pending.push(t);
    pendingLen += t.length;
    if (pendingLen < chunkBytes) continue;
    // A read can bring megabytes at once (Chromium's File stream does): parse them chunkBytes at
    // a time, a task each. A cut between the halves of a surrogate pair is mended by papaparse,
    // which joins a row's pieces before splitting it into fields.
    const text = pending.join('');
    pending = [];
    pendingLen = 0;
    for (let at = 0; at < text.length; at += chunkBytes) {
      if (text.length - at < chunkBytes) {
        pending = [text.slice(at)];
        pendingLen = text.length - at;
        break;
      }
      push(normalize(text.slice(at, at + chunkBytes), false));
      parsed += chunkBytes;
      if (c?.error) throw c.error;
      // Characters parsed stand in for bytes (the same for ASCII; never more than were read).
      o.onProgress?.({ bytes: Math.min(bytes, parsed), total, rows: c?.rows.length ?? 0 });
      await nextTask();
      o.signal?.throwIfAborted();
    }
  }
  push(normalize(pending.join('') + decoder.decode(), true));
  if (!c) push('\n'); // a file of one line: its header ends with the file
  feed.emit('end');
  o.onProgress?.({ bytes, total, rows: c!.rows.length });
  return c!.finish();
}
