import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';

import { MesoscaleError } from '../../lib/errors.js';
import { SeededRng } from '../../lib/rng.js';
import {
  DEFAULT_MAX_RECORD_BYTES,
  RecordIoDecoder,
  RecordIoError,
  decodeRecords,
  encodeRecord,
  encodeRecords,
  readRecords,
} from './recordio.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const text = (b: Uint8Array): string => dec.decode(b);

/** The example stream from the reference (section 1.3). */
const SUBSCRIBED =
  '{"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"5e1b4f5c-7a44-4a53-9c3e-7c1f0a3d2b11-0000"},"heartbeat_interval_seconds":15.0}}';
const HEARTBEAT = '{"type":"HEARTBEAT"}';
const EXAMPLE = `139\n${SUBSCRIBED}20\n${HEARTBEAT}`;

/** Feeds `input` split at the given offsets and returns all records as strings. */
function feed(decoder: RecordIoDecoder, input: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    out.push(...decoder.decode(input.subarray(from, cut)));
    from = cut;
  }
  return out;
}

function expectRecordIoError(fn: () => unknown, code: string, pattern: RegExp): RecordIoError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof RecordIoError, `expected RecordIoError, got ${String(caught)}`);
  assert.ok(caught instanceof MesoscaleError);
  assert.equal(caught.code, code);
  assert.match(caught.message, pattern);
  return caught;
}

describe('encodeRecord', () => {
  it('writes decimal byte length, LF, payload', () => {
    assert.equal(text(encodeRecord(bytes(HEARTBEAT))), `20\n${HEARTBEAT}`);
    assert.equal(text(encodeRecord(new Uint8Array(0))), '0\n');
  });

  it('reproduces the reference example exactly', () => {
    assert.equal(bytes(SUBSCRIBED).length, 139);
    const framed = encodeRecords([bytes(SUBSCRIBED), bytes(HEARTBEAT)]);
    assert.equal(text(framed), EXAMPLE);
    const concatenated = [...encodeRecord(bytes(SUBSCRIBED)), ...encodeRecord(bytes(HEARTBEAT))];
    assert.deepEqual([...framed], concatenated);
  });

  it('counts bytes, not characters', () => {
    const payload = bytes('héllo 🌍');
    assert.equal(payload.length, 11);
    assert.equal(text(encodeRecord(payload)), '11\nhéllo 🌍');
  });
});

describe('RecordIoDecoder', () => {
  it('round-trips the reference example in one chunk', () => {
    const records = decodeRecords(bytes(EXAMPLE));
    assert.deepEqual(records.map(text), [SUBSCRIBED, HEARTBEAT]);
    assert.deepEqual(JSON.parse(text(records[1]!)), { type: 'HEARTBEAT' });
  });

  it('decodes when fed one byte at a time, emitting each record on its last byte', () => {
    const input = bytes(EXAMPLE);
    const decoder = new RecordIoDecoder();
    const emittedAt: number[] = [];
    const records: string[] = [];
    for (let i = 0; i < input.length; i++) {
      const out = decoder.decode(input.subarray(i, i + 1));
      for (const r of out) {
        emittedAt.push(i);
        records.push(text(r));
      }
    }
    assert.deepEqual(records, [SUBSCRIBED, HEARTBEAT]);
    assert.deepEqual(emittedAt, [4 + 139 - 1, input.length - 1]);
    assert.ok(decoder.atRecordBoundary);
    decoder.end();
  });

  it('decodes any chunking of many records (seeded random splits)', () => {
    const rng = new SeededRng(0x5eed);
    const payloads: Uint8Array[] = [];
    for (let i = 0; i < 300; i++) {
      const kind = rng.int(4);
      const size = kind === 0 ? 0 : kind === 1 ? rng.int(10) : kind === 2 ? rng.int(300) : rng.int(5000);
      const p = new Uint8Array(size);
      for (let j = 0; j < size; j++) p[j] = rng.int(256);
      payloads.push(p);
    }
    const input = encodeRecords(payloads);

    for (let round = 0; round < 36; round++) {
      const cuts: number[] = [];
      const maxStep = [1, 3, 17, 200, 4096, 70000][round % 6]!;
      for (let at = rng.int(maxStep) + 1; at < input.length; at += rng.int(maxStep) + 1) cuts.push(at);
      const decoder = new RecordIoDecoder();
      const records = feed(decoder, input, cuts);
      decoder.end();
      assert.equal(records.length, payloads.length, `round ${round}`);
      for (let i = 0; i < payloads.length; i++) assert.deepEqual(records[i], payloads[i], `round ${round}, record ${i}`);
    }
  });

  it('splits at every possible position of the example (digits, newline, payload)', () => {
    const input = bytes(EXAMPLE);
    for (let a = 0; a <= input.length; a++) {
      for (const b of [a, a + 1, a + 2, a + 5, input.length]) {
        if (b < a || b > input.length) continue;
        const decoder = new RecordIoDecoder();
        const records = feed(decoder, input, [a, b]);
        decoder.end();
        assert.deepEqual(records.map(text), [SUBSCRIBED, HEARTBEAT], `cuts ${a}, ${b}`);
      }
    }
  });

  it('handles multi-byte UTF-8 split inside characters', () => {
    const messages = ['naïve café', '日本語のテキスト', '🚀🚀🚀', ''];
    const input = encodeRecords(messages.map(bytes));
    const decoder = new RecordIoDecoder();
    const cuts = Array.from({ length: input.length - 1 }, (_, i) => i + 1).filter((i) => i % 3 !== 0);
    const records = feed(decoder, input, cuts);
    decoder.end();
    assert.deepEqual(records.map(text), messages);
    assert.equal(records[1]!.length, 24);
  });

  it('returns empty records for length 0', () => {
    assert.deepEqual(decodeRecords(bytes('0\n0\n3\nabc0\n')).map(text), ['', '', 'abc', '']);
  });

  it('accepts leading zeros in a length', () => {
    assert.deepEqual(decodeRecords(bytes('003\nabc')).map(text), ['abc']);
  });

  it('returns a zero-copy view when a payload lies in one chunk and a fresh copy otherwise', () => {
    const input = bytes('5\nhello');
    const [whole] = new RecordIoDecoder().decode(input);
    assert.equal(whole!.buffer, input.buffer);

    const decoder = new RecordIoDecoder();
    assert.deepEqual(decoder.decode(input.subarray(0, 4)), []);
    assert.equal(decoder.bufferedBytes, 2);
    const [joined] = decoder.decode(input.subarray(4));
    assert.equal(text(joined!), 'hello');
    assert.notEqual(joined!.buffer, input.buffer);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it('rejects a non-digit length and quotes it', () => {
    const decoder = new RecordIoDecoder();
    expectRecordIoError(
      () => decoder.decode(bytes('abc\n{}')),
      'RECORDIO_BAD_LENGTH',
      /^Invalid RecordIO record length 'abc': expected decimal digits$/,
    );
  });

  it('quotes digits from earlier chunks and escapes control bytes', () => {
    const decoder = new RecordIoDecoder();
    decoder.decode(bytes('12'));
    expectRecordIoError(
      () => decoder.decode(bytes('x\r\n')),
      'RECORDIO_BAD_LENGTH',
      /'12x\\x0d': expected decimal digits/,
    );
  });

  it('rejects signs, spaces, CRLF and an empty length line', () => {
    for (const bad of ['-1\nx', '+1\nx', ' 1\nx', '1 \nx', '1\r\nx', '\n', '3\nabc\n3\nabc']) {
      expectRecordIoError(() => decodeRecords(bytes(bad)), 'RECORDIO_BAD_LENGTH', /Invalid RecordIO record length/);
    }
    expectRecordIoError(() => decodeRecords(bytes('\n')), 'RECORDIO_BAD_LENGTH', /'': empty length line/);
  });

  it('rejects an overlong length line', () => {
    const decoder = new RecordIoDecoder({ maxLengthDigits: 4 });
    expectRecordIoError(() => decoder.decode(bytes('00000')), 'RECORDIO_BAD_LENGTH', /more than 4 digits/);
  });

  it('rejects a huge declared length before buffering any payload', () => {
    const decoder = new RecordIoDecoder({ maxRecordBytes: 1000 });
    expectRecordIoError(
      () => decoder.decode(bytes('99999999999999\n')),
      'RECORDIO_RECORD_TOO_LARGE',
      /^RecordIO record of 99999999999999 bytes exceeds the limit of 1000 bytes$/,
    );
    assert.equal(decoder.bufferedBytes, 0);

    // Even when the digits trickle in and no newline ever arrives.
    const slow = new RecordIoDecoder({ maxRecordBytes: 1000 });
    slow.decode(bytes('10'));
    slow.decode(bytes('0'));
    expectRecordIoError(() => slow.decode(bytes('1')), 'RECORDIO_RECORD_TOO_LARGE', /1001 or more bytes/);
  });

  it('uses 64 MiB as the default limit and accepts a record of exactly the limit', () => {
    assert.equal(DEFAULT_MAX_RECORD_BYTES, 64 * 1024 * 1024);
    expectRecordIoError(
      () => new RecordIoDecoder().decode(bytes(`${DEFAULT_MAX_RECORD_BYTES + 1}\n`)),
      'RECORDIO_RECORD_TOO_LARGE',
      /67108865 bytes exceeds the limit of 67108864/,
    );
    const decoder = new RecordIoDecoder({ maxRecordBytes: 5 });
    assert.deepEqual(decoder.decode(bytes('5\nhello')).map(text), ['hello']);
  });

  it('stays failed after an error', () => {
    const decoder = new RecordIoDecoder();
    const first = expectRecordIoError(() => decoder.decode(bytes('x')), 'RECORDIO_BAD_LENGTH', /'x'/);
    assert.throws(() => decoder.decode(bytes('2\nok')), (err) => err === first);
    assert.throws(() => decoder.end(), (err) => err === first);
  });

  it('keeps the records completed before a bad length out of the failure', () => {
    const decoder = new RecordIoDecoder();
    assert.deepEqual(decoder.decode(bytes('2\nok')).map(text), ['ok']);
    expectRecordIoError(() => decoder.decode(bytes('2\nokZ')), 'RECORDIO_BAD_LENGTH', /'Z'/);
  });

  it('end() reports a truncated payload or length line', () => {
    const inPayload = new RecordIoDecoder();
    inPayload.decode(bytes(EXAMPLE.slice(0, 50)));
    expectRecordIoError(() => inPayload.end(), 'RECORDIO_TRUNCATED', /got 46 of 139 payload bytes/);

    const inLength = new RecordIoDecoder();
    inLength.decode(bytes('13'));
    expectRecordIoError(() => inLength.end(), 'RECORDIO_TRUNCATED', /inside a record length line/);

    const afterLf = new RecordIoDecoder();
    afterLf.decode(bytes('3\n'));
    expectRecordIoError(() => afterLf.end(), 'RECORDIO_TRUNCATED', /got 0 of 3/);

    const clean = new RecordIoDecoder();
    clean.decode(bytes('0\n'));
    clean.end();
    new RecordIoDecoder().end();
  });

  it('validates its options', () => {
    assert.throws(() => new RecordIoDecoder({ maxRecordBytes: -1 }), RangeError);
    assert.throws(() => new RecordIoDecoder({ maxLengthDigits: 0 }), RangeError);
  });
});

describe('readRecords', () => {
  it('yields records from a Node stream with arbitrary chunks', async () => {
    const input = bytes(EXAMPLE + EXAMPLE);
    const chunks = [input.subarray(0, 2), input.subarray(2, 100), input.subarray(100, 170), input.subarray(170)];
    const out: string[] = [];
    for await (const r of readRecords(Readable.from(chunks.map((c) => Buffer.from(c))))) out.push(text(r));
    assert.deepEqual(out, [SUBSCRIBED, HEARTBEAT, SUBSCRIBED, HEARTBEAT]);
  });

  it('throws RECORDIO_TRUNCATED when the stream ends mid-record', async () => {
    const out: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const r of readRecords(Readable.from([Buffer.from(EXAMPLE.slice(0, -3))]))) out.push(text(r));
      })(),
      (err: unknown) => err instanceof RecordIoError && err.code === 'RECORDIO_TRUNCATED',
    );
    assert.deepEqual(out, [SUBSCRIBED]);
  });

  it('passes options through and rejects string chunks', async () => {
    await assert.rejects(
      (async () => {
        for await (const _ of readRecords(Readable.from([Buffer.from('100\n')]), { maxRecordBytes: 10 })) void _;
      })(),
      (err: unknown) => err instanceof RecordIoError && err.code === 'RECORDIO_RECORD_TOO_LARGE',
    );
    const strings = Readable.from(['2\nok']) as AsyncIterable<unknown> as AsyncIterable<Uint8Array>;
    await assert.rejects(
      (async () => {
        for await (const _ of readRecords(strings)) void _;
      })(),
      TypeError,
    );
  });

  it('destroys the source when the consumer stops early', async () => {
    const source = Readable.from([Buffer.from(EXAMPLE), Buffer.from(EXAMPLE)]);
    for await (const r of readRecords(source)) {
      assert.equal(text(r), SUBSCRIBED);
      break;
    }
    assert.equal(source.destroyed, true);
  });
});
