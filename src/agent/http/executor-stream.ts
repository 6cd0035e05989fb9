/**
 * One executor's SUBSCRIBE stream: events encoded in the media type the
 * executor accepted, RecordIO framed, plus the executor-stream HEARTBEAT
 * (reference 1.7: every 30 minutes).
 */
import { create } from '@bufbuild/protobuf';
import type { FastifyReply } from 'fastify';

import { RecordIoResponse } from '../../http/stream.js';
import { encodeMessage, type MessageMediaType } from '../../protocol/codec/media.js';
import { type Event, EventSchema, Event_Type } from '../../protocol/gen/mesos/v1/executor/executor_pb.js';

export const EXECUTOR_HEARTBEAT_INTERVAL_MS = 30 * 60_000;

/** Where an executor's events go: its HTTP stream, or the in-process transport of a built-in executor. */
export interface ExecutorEventSink {
  readonly closed: boolean;
  /** Returns false when the executor is gone. */
  send(event: Event): boolean;
  onClose(fn: () => void): void;
  close(): void;
}

export class ExecutorStream implements ExecutorEventSink {
  readonly #response: RecordIoResponse;
  readonly #mediaType: MessageMediaType;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(reply: FastifyReply, mediaType: MessageMediaType) {
    this.#response = new RecordIoResponse(reply, mediaType);
    this.#mediaType = mediaType;
    this.#heartbeat = setInterval(() => this.send(create(EventSchema, { type: Event_Type.HEARTBEAT })), EXECUTOR_HEARTBEAT_INTERVAL_MS);
    this.#heartbeat.unref();
    this.#response.onClose(() => clearInterval(this.#heartbeat));
  }

  get closed(): boolean {
    return this.#response.closed;
  }

  /** Returns false when the executor is gone. */
  send(event: Event): boolean {
    return this.#response.write(encodeMessage(EventSchema, event, this.#mediaType));
  }

  onClose(fn: () => void): void {
    this.#response.onClose(fn);
  }

  close(): void {
    clearInterval(this.#heartbeat);
    this.#response.end();
  }
}
