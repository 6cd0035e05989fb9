/**
 * A scriptable stand-in for the master's scheduler endpoint, for the client's
 * unit tests. It exists for protocol edge cases the real master cannot be made
 * to produce on demand: a stream cut in the middle of a record, a master that
 * goes silent, redirects, odd error answers. Everything the real master does
 * is tested against the real master (test/compat, test/support/cluster.ts).
 *
 * It records every request (decoded Call and headers) and, by default,
 * answers SUBSCRIBE with 200 + `Mesos-Stream-Id: stream-<n>` + SUBSCRIBED and
 * every other call with 202. Tests override `onSubscribe` / `onCall` and
 * drive open streams through `streams`.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { create, type MessageInitShape } from '@bufbuild/protobuf';

import { decodeMessage, encodeMessage, type MessageMediaType } from '../../protocol/codec/media.js';
import { encodeRecord } from '../../protocol/codec/recordio.js';
import {
  CallSchema,
  Call_Type,
  EventSchema,
  Event_Type,
  type Call,
} from '../../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';

export interface RecordedCall {
  call: Call;
  headers: IncomingHttpHeaders;
}

/** One open SUBSCRIBE response. */
export class StandInStream {
  readonly streamId: string;
  readonly codec: MessageMediaType;
  readonly subscribe: Call;
  readonly #res: ServerResponse;

  constructor(res: ServerResponse, streamId: string, codec: MessageMediaType, subscribe: Call) {
    this.#res = res;
    this.streamId = streamId;
    this.codec = codec;
    this.subscribe = subscribe;
  }

  get closed(): boolean {
    return this.#res.destroyed || this.#res.writableEnded;
  }

  /** Writes one framed Event. */
  send(event: MessageInitShape<typeof EventSchema>): void {
    this.writeRaw(encodeRecord(encodeMessage(EventSchema, create(EventSchema, event), this.codec)));
  }

  sendSubscribed(frameworkId: string, heartbeatIntervalSeconds = 15): void {
    this.send({ type: Event_Type.SUBSCRIBED, subscribed: { frameworkId: { value: frameworkId }, heartbeatIntervalSeconds } });
  }

  /** Writes bytes as they are (partial records, garbage). */
  writeRaw(bytes: Uint8Array | string): void {
    if (!this.closed) this.#res.write(bytes);
  }

  /** Ends the chunked body cleanly. */
  end(): void {
    if (!this.closed) this.#res.end();
  }

  /** Kills the connection, as a crashed master or a broken network would. */
  cut(): void {
    this.#res.socket?.destroy();
  }
}

export type CallHandler = (recorded: RecordedCall, res: ServerResponse) => void;

export class StandInMaster {
  readonly calls: RecordedCall[] = [];
  readonly streams: StandInStream[] = [];
  /** Called for each SUBSCRIBE after the stream is opened; default sends SUBSCRIBED. */
  onSubscribe: (stream: StandInStream) => void = (stream) => {
    const id = stream.subscribe.frameworkId?.value ?? 'framework-1';
    stream.sendSubscribed(id);
    stream.send({ type: Event_Type.HEARTBEAT });
  };
  /** Return false to answer SUBSCRIBE yourself (status codes, redirects). */
  acceptSubscribe: (req: IncomingMessage, res: ServerResponse) => boolean = () => true;
  onCall: CallHandler = (_recorded, res) => {
    res.writeHead(202).end();
  };

  readonly #server: http.Server;
  #waiters: Array<() => void> = [];

  private constructor(server: http.Server) {
    this.#server = server;
  }

  static async start(): Promise<StandInMaster> {
    const server = http.createServer();
    const master = new StandInMaster(server);
    server.on('request', (req, res) => void master.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return master;
  }

  get address(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  callsOfType(type: Call_Type): RecordedCall[] {
    return this.calls.filter((c) => c.call.type === type);
  }

  /** Resolves once `predicate` holds (checked after every request). */
  async waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`stand-in master: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  }

  async stop(): Promise<void> {
    for (const stream of this.streams) stream.cut();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const codec = req.headers['content-type'] as MessageMediaType;
    const call = decodeMessage(CallSchema, codec, Buffer.concat(chunks));
    const recorded = { call, headers: req.headers };
    this.calls.push(recorded);
    try {
      if (call.type !== Call_Type.SUBSCRIBE) {
        this.onCall(recorded, res);
        return;
      }
      if (!this.acceptSubscribe(req, res)) return;
      const streamId = `stream-${this.streams.length + 1}`;
      res.writeHead(200, { 'Content-Type': codec, 'Mesos-Stream-Id': streamId });
      res.flushHeaders();
      const stream = new StandInStream(res, streamId, codec, call);
      this.streams.push(stream);
      this.onSubscribe(stream);
    } finally {
      for (const wake of this.#waiters.splice(0)) wake();
    }
  }
}
