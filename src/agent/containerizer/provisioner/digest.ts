/**
 * Content digests (`sha256:<hex>`): parsing, and hashing of buffers and
 * streams. Only sha256 is accepted; it is what registries and OCI layouts use.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

import { DigestMismatchError } from './errors.js';

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

export function isDigest(value: string): boolean {
  return DIGEST_PATTERN.test(value);
}

/** The hex part, used as a directory name in the store. */
export function digestHex(digest: string): string {
  if (!isDigest(digest)) throw new DigestMismatchError('digest syntax', 'sha256:<64 hex>', digest);
  return digest.slice('sha256:'.length);
}

export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function verifyDigest(what: string, data: Uint8Array, expected: string): void {
  const actual = sha256Digest(data);
  if (actual !== expected) throw new DigestMismatchError(what, expected, actual);
}

/**
 * A pass-through stream that hashes what flows through it. `digest()` is
 * valid once the stream has finished. `seed` continues a hash (resumed
 * downloads feed the bytes already on disk first).
 */
export class HashingStream extends Transform {
  readonly #hash: Hash;
  #bytes = 0;

  constructor(seed?: Hash) {
    super();
    this.#hash = seed ?? createHash('sha256');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
    callback(null, chunk);
  }

  get bytes(): number {
    return this.#bytes;
  }

  digest(): string {
    return `sha256:${this.#hash.copy().digest('hex')}`;
  }
}
