/**
 * RecordIO framing, used by every Mesos streaming body (scheduler and executor
 * event streams, operator SUBSCRIBE, agent attach/launch nested container I/O).
 *
 *   record  = length LF payload        length = 1*DIGIT (ASCII decimal, bytes)
 *   stream  = *record                  nothing between records
 *
 *   "20\n{"type":"HEARTBEAT"}139\n{"type":"SUBSCRIBED",...}"
 *
 * The decoder is push-style and does no I/O (like nats.js' parser): hand it byte
 * chunks of any size with `decode(chunk)` and it returns the records completed by
 * that chunk. Chunk boundaries are unrelated to record boundaries. It moves
 * between two states:
 *
 *        digit                       payload bytes (counted down)
 *       ┌─────┐                     ┌─────┐
 *       ▼     │        LF           ▼     │      length reached
 *     LENGTH ─┴──────────────────► PAYLOAD ┴──────────────────► LENGTH (emit)
 *       │  length 0 + LF: emit an empty record, stay in LENGTH
 *       └─ anything else, too many digits, length > max ──► FAILED (sticky)
 *
 * Cost: length lines are scanned byte by byte (they are short); payload bytes are
 * never touched one by one. A payload that lies inside one chunk is returned as a
 * zero-copy `subarray` of that chunk; one spread over several chunks is kept as a
 * list of pieces and copied exactly once when it completes. So decoding is linear
 * in the input whatever the chunking. Consequently returned records may share
 * memory with the chunks passed in, and the decoder holds on to pieces of chunks
 * until their record completes: do not modify a chunk after passing it in (Node
 * streams never do).
 */
import { MesoscaleError } from '../../lib/errors.js';

export const RecordIoErrorCode = {
  badLength: 'RECORDIO_BAD_LENGTH',
  recordTooLarge: 'RECORDIO_RECORD_TOO_LARGE',
  truncated: 'RECORDIO_TRUNCATED',
} as const;
export type RecordIoErrorCode = (typeof RecordIoErrorCode)[keyof typeof RecordIoErrorCode];

/** A malformed or over-limit RecordIO stream. Never retryable: the stream is broken. */
export class RecordIoError extends MesoscaleError {
  declare readonly code: RecordIoErrorCode;
  constructor(code: RecordIoErrorCode, message: string) {
    super(code, message, { httpStatus: 400 });
  }
}

export interface RecordIoDecoderOptions {
  /** Largest payload accepted, in bytes. Default 64 MiB. */
  maxRecordBytes?: number;
  /**
   * Most digits accepted in one length line. Default 20 (enough for any uint64,
   * the type stout parses into); lines of leading zeros longer than this fail.
   */
  maxLengthDigits?: number;
}

export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_LENGTH_DIGITS = 20;

const LF = 0x0a;
const ZERO = 0x30;
const NINE = 0x39;
/** How much of a bad length line an error message quotes. */
const QUOTE_LIMIT = 32;

const textEncoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** `decimal(len(payload)) + "\n" + payload`, exactly as Mesos writes it. */
export function encodeRecord(payload: Uint8Array): Uint8Array {
  const header = textEncoder.encode(`${payload.length}\n`);
  const out = new Uint8Array(header.length + payload.length);
  out.set(header, 0);
  out.set(payload, header.length);
  return out;
}

/** Frames several payloads into one buffer (one allocation). */
export function encodeRecords(payloads: readonly Uint8Array[]): Uint8Array {
  const headers = payloads.map((p) => textEncoder.encode(`${p.length}\n`));
  let total = 0;
  for (let i = 0; i < payloads.length; i++) total += headers[i]!.length + payloads[i]!.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < payloads.length; i++) {
    out.set(headers[i]!, at);
    at += headers[i]!.length;
    out.set(payloads[i]!, at);
    at += payloads[i]!.length;
  }
  return out;
}

/** Renders bytes of a bad length line for an error message: printable ASCII kept, the rest escaped. */
function quoteBytes(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length && i < QUOTE_LIMIT; i++) {
    const b = bytes[i]!;
    if (b >= 0x20 && b < 0x7f && b !== 0x27 /* ' */ && b !== 0x5c /* \ */) s += String.fromCharCode(b);
    else s += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return bytes.length > QUOTE_LIMIT ? `${s}...` : s;
}

const State = {
  length: 0,
  payload: 1,
  failed: 2,
} as const;
type State = (typeof State)[keyof typeof State];

export class RecordIoDecoder {
  readonly #maxRecordBytes: number;
  readonly #maxLengthDigits: number;

  #state: State = State.length;
  /** The length read so far (LENGTH) or the payload length (PAYLOAD). */
  #length = 0;
  /** Digits seen in the current length line. */
  #digits = 0;
  /** PAYLOAD: pieces of the current payload and their total size. */
  #pieces: Uint8Array[] = [];
  #have = 0;
  #error: RecordIoError | undefined;

  constructor(options: RecordIoDecoderOptions = {}) {
    this.#maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.#maxLengthDigits = options.maxLengthDigits ?? DEFAULT_MAX_LENGTH_DIGITS;
    if (!Number.isSafeInteger(this.#maxRecordBytes) || this.#maxRecordBytes < 0) {
      throw new RangeError(`maxRecordBytes must be a non-negative integer, got ${this.#maxRecordBytes}`);
    }
    if (!Number.isSafeInteger(this.#maxLengthDigits) || this.#maxLengthDigits < 1) {
      throw new RangeError(`maxLengthDigits must be a positive integer, got ${this.#maxLengthDigits}`);
    }
  }

  /** Bytes received but not yet returned as part of a record (length line digits excluded). */
  get bufferedBytes(): number {
    return this.#have;
  }

  /** True between records: `end()` would succeed. */
  get atRecordBoundary(): boolean {
    return this.#state === State.length && this.#digits === 0;
  }

  /**
   * Consumes one chunk and returns every record it completes, in order.
   * Throws RecordIoError on a malformed stream; once failed, every later call
   * throws the same error.
   */
  decode(chunk: Uint8Array): Uint8Array[] {
    if (this.#error !== undefined) throw this.#error;
    const records: Uint8Array[] = [];
    const n = chunk.length;
    let i = 0;

    while (i < n) {
      if (this.#state === State.length) {
        // Scan the length line. #length stays <= maxRecordBytes, so no overflow.
        for (; i < n; i++) {
          const b = chunk[i]!;
          if (b >= ZERO && b <= NINE) {
            if (++this.#digits > this.#maxLengthDigits) {
              this.#fail(
                RecordIoErrorCode.badLength,
                `Invalid RecordIO record length: more than ${this.#maxLengthDigits} digits`,
              );
            }
            this.#length = this.#length * 10 + (b - ZERO);
            if (this.#length > this.#maxRecordBytes) this.#failTooLarge(chunk, i);
            continue;
          }
          if (b === LF && this.#digits > 0) break;
          this.#failBadLength(chunk, i);
        }
        if (i === n) break; // The length line continues in the next chunk.
        i++; // Skip the LF.
        this.#digits = 0;
        if (this.#length === 0) {
          records.push(EMPTY);
          continue;
        }
        this.#state = State.payload;
      }

      // PAYLOAD: take what this chunk holds of the remaining bytes.
      const need = this.#length - this.#have;
      const available = n - i;
      if (available < need) {
        this.#pieces.push(chunk.subarray(i));
        this.#have += available;
        break;
      }
      const tail = chunk.subarray(i, i + need);
      i += need;
      records.push(this.#pieces.length === 0 ? tail : this.#join(tail));
      this.#length = 0;
      this.#have = 0;
      this.#state = State.length;
    }
    return records;
  }

  /**
   * Declares the end of the stream. Throws RECORDIO_TRUNCATED if it stopped in
   * the middle of a record (its length line or its payload).
   */
  end(): void {
    if (this.#error !== undefined) throw this.#error;
    if (this.#state === State.payload) {
      this.#fail(
        RecordIoErrorCode.truncated,
        `RecordIO stream ended inside a record: got ${this.#have} of ${this.#length} payload bytes`,
      );
    }
    if (this.#digits > 0) {
      this.#fail(
        RecordIoErrorCode.truncated,
        `RecordIO stream ended inside a record length line (read '${this.#length}' without a newline)`,
      );
    }
  }

  #join(tail: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const piece of this.#pieces) {
      out.set(piece, at);
      at += piece.length;
    }
    out.set(tail, at);
    this.#pieces = [];
    return out;
  }

  #failBadLength(chunk: Uint8Array, at: number): never {
    // Quote the whole offending line as far as this chunk shows it: the digits
    // already consumed plus the bytes up to the next LF.
    let end = at;
    while (end < chunk.length && chunk[end] !== LF && end - at < QUOTE_LIMIT) end++;
    const seen = this.#digits > 0 ? String(this.#length).padStart(this.#digits, '0') : '';
    const line = seen + quoteBytes(chunk.subarray(at, end));
    const why = chunk[at] === LF ? 'empty length line' : 'expected decimal digits';
    this.#fail(RecordIoErrorCode.badLength, `Invalid RecordIO record length '${line}': ${why}`);
  }

  #failTooLarge(chunk: Uint8Array, at: number): never {
    // Report the declared length if this chunk shows the whole line.
    let declared = String(this.#length);
    let end = at + 1;
    while (end < chunk.length && chunk[end]! >= ZERO && chunk[end]! <= NINE && end - at < QUOTE_LIMIT) end++;
    if (end > at + 1) declared += quoteBytes(chunk.subarray(at + 1, end));
    const more = end < chunk.length && chunk[end] === LF ? '' : ' or more';
    this.#fail(
      RecordIoErrorCode.recordTooLarge,
      `RecordIO record of ${declared}${more} bytes exceeds the limit of ${this.#maxRecordBytes} bytes`,
    );
  }

  #fail(code: RecordIoErrorCode, message: string): never {
    this.#state = State.failed;
    this.#pieces = [];
    this.#have = 0;
    this.#error = new RecordIoError(code, message);
    throw this.#error;
  }
}

/** Decodes a complete buffer; throws if it holds a partial record. */
export function decodeRecords(bytes: Uint8Array, options?: RecordIoDecoderOptions): Uint8Array[] {
  const decoder = new RecordIoDecoder(options);
  const records = decoder.decode(bytes);
  decoder.end();
  return records;
}

/**
 * Yields the records of a byte stream, e.g. an `http.IncomingMessage` (do not
 * call `setEncoding` on it: chunks must be bytes). Throws RecordIoError on a
 * malformed or truncated stream. Breaking out of the loop returns the source
 * iterator, which destroys a Node stream.
 */
export async function* readRecords(
  stream: AsyncIterable<Uint8Array>,
  options?: RecordIoDecoderOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  const decoder = new RecordIoDecoder(options);
  for await (const chunk of stream) {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(`readRecords needs byte chunks, got ${typeof chunk}; do not call setEncoding() on the stream`);
    }
    for (const record of decoder.decode(chunk)) yield record;
  }
  decoder.end();
}
