/**
 * A long-lived RecordIO response (scheduler SUBSCRIBE, executor SUBSCRIBE, the
 * agent link). Takes over the raw Node response from fastify.
 */
import type { FastifyReply } from 'fastify';
import { encodeRecord } from '../protocol/codec/recordio.js';

export class RecordIoResponse {
  readonly #reply: FastifyReply;
  #closed = false;
  readonly #onClose: Array<() => void> = [];

  constructor(reply: FastifyReply, contentType: string, headers: Record<string, string> = {}) {
    this.#reply = reply;
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache', ...headers });
    raw.flushHeaders();
    raw.socket?.setNoDelay(true);
    const closed = () => this.#markClosed();
    raw.on('close', closed);
    raw.on('error', closed);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes one record; returns false once the stream is gone. */
  write(payload: Uint8Array): boolean {
    if (this.#closed) return false;
    this.#reply.raw.write(encodeRecord(payload));
    return true;
  }

  end(): void {
    if (this.#closed) return;
    this.#reply.raw.end();
    this.#markClosed();
  }

  onClose(fn: () => void): void {
    if (this.#closed) fn();
    else this.#onClose.push(fn);
  }

  #markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const fn of this.#onClose.splice(0)) fn();
  }
}
