/**
 * Scheduler subscription streams: one RecordIO stream per subscribed framework,
 * events encoded in the codec the scheduler asked for, HEARTBEAT every 15 s.
 */
import type { FastifyReply } from 'fastify';
import { EventSchema, type Event } from '../../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';
import { encodeMessage, type MessageMediaType } from '../../protocol/codec/media.js';
import { RecordIoResponse } from '../../http/stream.js';
import { HEARTBEAT_INTERVAL_SECONDS, schedulerEvents } from '../state/events.js';

export class FrameworkStream {
  readonly #response: RecordIoResponse;
  readonly #heartbeat: NodeJS.Timeout;
  constructor(
    reply: FastifyReply,
    readonly mediaType: MessageMediaType,
    readonly streamId: string,
  ) {
    this.#response = new RecordIoResponse(reply, mediaType, { 'Mesos-Stream-Id': streamId });
    this.#heartbeat = setInterval(() => this.send(schedulerEvents.heartbeat()), HEARTBEAT_INTERVAL_SECONDS * 1000);
    this.#heartbeat.unref();
    this.#response.onClose(() => clearInterval(this.#heartbeat));
  }

  send(event: Event): void {
    this.#response.write(encodeMessage(EventSchema, event, this.mediaType));
  }

  sendErrorAndClose(message: string): void {
    this.send(schedulerEvents.error(message));
    this.close();
  }

  close(): void {
    this.#response.end();
  }

  onClose(fn: () => void): void {
    this.#response.onClose(fn);
  }
}

export class FrameworkStreams {
  readonly #byFramework = new Map<string, FrameworkStream>();
  readonly #byStreamId = new Map<string, FrameworkStream>();

  open(reply: FastifyReply, mediaType: MessageMediaType, streamId: string): FrameworkStream {
    const stream = new FrameworkStream(reply, mediaType, streamId);
    this.#byStreamId.set(streamId, stream);
    stream.onClose(() => this.#byStreamId.delete(streamId));
    return stream;
  }

  /** Makes `stream` the framework's current stream. */
  attach(frameworkId: string, stream: FrameworkStream): void {
    this.#byFramework.set(frameworkId, stream);
  }

  detach(frameworkId: string, streamId: string): void {
    if (this.#byFramework.get(frameworkId)?.streamId === streamId) this.#byFramework.delete(frameworkId);
  }

  send(frameworkId: string, event: Event): void {
    this.#byFramework.get(frameworkId)?.send(event);
  }

  close(frameworkId: string, streamId: string, finalEvent?: Event): void {
    const stream = this.#byStreamId.get(streamId);
    if (stream === undefined) return;
    if (finalEvent !== undefined) stream.send(finalEvent);
    this.detach(frameworkId, streamId);
    stream.close();
  }

  closeAll(): void {
    for (const stream of this.#byStreamId.values()) stream.close();
  }
}
