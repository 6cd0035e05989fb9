/**
 * A strict, incremental tar header reader: it sees every member GNU tar will
 * extract, so the layer validator can refuse hostile entries before (and
 * while) GNU tar writes them. It reads ustar, POSIX pax ('x') and GNU long
 * names ('L', 'K'), and refuses anything else it does not fully understand
 * (bad checksums, sparse files, volume headers, global headers that rename):
 * an archive both parsers accept is one they read the same way.
 *
 * Feed it byte chunks of any size with push(); member bodies are skipped.
 */
import { HostileLayerError, HostileReason } from '../errors.js';

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

export interface TarEntry {
  readonly path: string;
  readonly type: TarEntryType;
  readonly linkpath: string;
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

const BLOCK = 512;
const TYPES: Record<string, TarEntryType> = {
  '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink',
  '3': 'char', '4': 'block', '5': 'directory', '6': 'fifo',
};
// Extended headers larger than this are not metadata we expect in a layer.
const MAX_META = 1 << 20;

export class TarHeaderReader {
  readonly #layer: string;
  readonly #onEntry: (entry: TarEntry) => void;
  #buffer: Buffer = Buffer.alloc(0);
  #skip = 0; // body bytes (padded) still to skip
  #meta: { kind: 'x' | 'g' | 'L' | 'K'; remaining: number; padded: number; chunks: Buffer[] } | undefined;
  #pax: Record<string, string> = {};
  #longName: string | undefined;
  #longLink: string | undefined;
  #ended = false;
  #entries = 0;

  constructor(layer: string, onEntry: (entry: TarEntry) => void) {
    this.#layer = layer;
    this.#onEntry = onEntry;
  }

  get entries(): number {
    return this.#entries;
  }

  push(chunk: Buffer): void {
    if (this.#ended) return; // GNU tar stops at the end-of-archive block too.
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    let offset = 0;
    while (!this.#ended) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, this.#buffer.length - offset);
        this.#skip -= n;
        offset += n;
        if (this.#skip > 0) break;
        continue;
      }
      if (this.#meta !== undefined) {
        const want = this.#meta.padded;
        if (this.#buffer.length - offset < want) break;
        this.#meta.chunks.push(this.#buffer.subarray(offset, offset + this.#meta.remaining));
        offset += want;
        this.#finishMeta();
        continue;
      }
      if (this.#buffer.length - offset < BLOCK) break;
      this.#header(this.#buffer.subarray(offset, offset + BLOCK));
      offset += BLOCK;
    }
    this.#buffer = this.#buffer.subarray(offset);
    if (this.#buffer.length > 0) this.#buffer = Buffer.from(this.#buffer); // don't pin the big chunk
  }

  /** Call at end of input: a truncated archive is refused. */
  end(): void {
    if (!this.#ended && (this.#skip > 0 || this.#meta !== undefined || this.#buffer.length > 0)) {
      this.#refuse('(end of archive)', HostileReason.malformed, 'is truncated: the archive ends inside a member');
    }
  }

  #header(block: Buffer): void {
    if (block.every((b) => b === 0)) {
      this.#ended = true;
      return;
    }
    const rawName = cString(block, 0, 100);
    if (!checksumValid(block)) this.#refuse(rawName, HostileReason.malformed, 'has a bad header checksum');
    const typeflag = String.fromCharCode(block[156]!);
    const size = readNumber(block, 124, 12);
    if (size === undefined) this.#refuse(rawName, HostileReason.malformed, 'has an unreadable size field');
    const magic = block.subarray(257, 265).toString('latin1');
    const posix = magic.startsWith('ustar\0');
    const prefix = posix ? cString(block, 345, 155) : '';

    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
      if (size! > MAX_META) this.#refuse(rawName, HostileReason.malformed, `has a ${size} byte extended header`);
      this.#meta = { kind: typeflag, remaining: size!, padded: pad(size!), chunks: [] };
      return;
    }
    const type = TYPES[typeflag];
    const path = this.#pax.path ?? this.#longName ?? (prefix ? `${prefix}/${rawName}` : rawName);
    if (type === undefined) {
      this.#refuse(path, HostileReason.unsupportedType, `has tar type '${printable(typeflag)}', which layers may not contain`);
    }
    const linkpath = this.#pax.linkpath ?? this.#longLink ?? cString(block, 157, 100);
    const paxSize = this.#pax.size !== undefined ? Number(this.#pax.size) : undefined;
    if (type !== 'file' && (paxSize ?? size!) > 0) {
      // Readers disagree on whether such a member has a body; refuse instead of guessing.
      this.#refuse(path, HostileReason.malformed, `is a ${type} with a ${paxSize ?? size} byte body`);
    }
    const entry: TarEntry = {
      path,
      type: type!,
      linkpath,
      size: paxSize ?? size!,
      mode: readNumber(block, 100, 8) ?? 0,
      uid: Number(this.#pax.uid ?? readNumber(block, 108, 8) ?? 0),
      gid: Number(this.#pax.gid ?? readNumber(block, 116, 8) ?? 0),
    };
    this.#pax = {};
    this.#longName = undefined;
    this.#longLink = undefined;
    this.#entries++;
    this.#onEntry(entry);
    // Only regular files carry a body (GNU tar ignores the size of links, dirs, devices).
    this.#skip = entry.type === 'file' ? pad(entry.size) : 0;
  }

  #finishMeta(): void {
    const meta = this.#meta!;
    this.#meta = undefined;
    const body = Buffer.concat(meta.chunks);
    if (meta.kind === 'L' || meta.kind === 'K') {
      const value = cString(body, 0, body.length);
      if (meta.kind === 'L') this.#longName = value;
      else this.#longLink = value;
      return;
    }
    const records = parsePax(body, (why) => this.#refuse('(pax header)', HostileReason.malformed, why));
    if (Object.keys(records).some((k) => k.startsWith('GNU.sparse'))) {
      this.#refuse(records.path ?? '(pax header)', HostileReason.unsupportedType, 'is a GNU sparse file, which layers may not contain');
    }
    if (meta.kind === 'g') {
      if ('path' in records || 'linkpath' in records || 'size' in records) {
        this.#refuse('(global pax header)', HostileReason.malformed, 'sets path, linkpath or size for every member');
      }
      return;
    }
    if (records.size !== undefined && !/^\d+$/.test(records.size)) {
      this.#refuse(records.path ?? '(pax header)', HostileReason.malformed, `has pax size '${records.size}'`);
    }
    this.#pax = records;
  }

  #refuse(entry: string, reason: HostileReason, detail: string): never {
    throw new HostileLayerError(this.#layer, entry, reason, detail);
  }
}

function parsePax(body: Buffer, fail: (why: string) => never): Record<string, string> {
  const out: Record<string, string> = {};
  let offset = 0;
  while (offset < body.length) {
    if (body[offset] === 0) break;
    const space = body.indexOf(0x20, offset);
    const length = space < 0 ? NaN : Number(body.subarray(offset, space).toString('latin1'));
    if (!Number.isSafeInteger(length) || length <= 0 || offset + length > body.length) fail('has a malformed pax record');
    const record = body.subarray(space + 1, offset + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq <= 0 || body[offset + length - 1] !== 0x0a) fail('has a malformed pax record');
    out[record.slice(0, eq)] = record.slice(eq + 1);
    offset += length;
  }
  return out;
}

function pad(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

function cString(buf: Buffer, start: number, length: number): string {
  const end = buf.indexOf(0, start);
  return buf.subarray(start, end < 0 || end > start + length ? start + length : end).toString('utf8');
}

/** Octal, or GNU base-256 when the high bit of the first byte is set. */
function readNumber(buf: Buffer, start: number, length: number): number | undefined {
  const field = buf.subarray(start, start + length);
  if (field[0]! & 0x80) {
    if (field[0] === 0xff) return undefined; // negative
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return Number.isSafeInteger(value) ? value : undefined;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : undefined;
}

function checksumValid(block: Buffer): boolean {
  const stored = readNumber(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

function printable(flag: string): string {
  return /^[\x20-\x7e]$/.test(flag) ? flag : `\\x${flag.charCodeAt(0).toString(16).padStart(2, '0')}`;
}
