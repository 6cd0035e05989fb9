/**
 * A STAND-IN for the master in agent tests: the real master is being built in
 * parallel (src/master), so this implements just the master side of the
 * internal agent protocol (docs/agent-protocol.md) and records what the agent
 * sends. The lead will switch these tests to the real master.
 *
 *   POST /internal/agent REGISTER/REREGISTER → 200, Mesos-Stream-Id, RecordIO of AgentEvents (REGISTERED first)
 *   POST /internal/agent other calls         → 202 with the current stream id, 400 otherwise
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { create, fromBinary, toBinary } from '@bufbuild/protobuf';

import { encodeRecord } from '../../src/protocol/codec/recordio.js';
import {
  type AgentCall,
  AgentCallSchema,
  AgentCall_Type,
  type AgentEvent,
  AgentEventSchema,
  AgentEvent_Type,
} from '../../src/protocol/gen/mesoscale/internal/agent_link_pb.js';

export class FakeMaster {
  readonly calls: AgentCall[] = [];
  readonly #server: Server;
  #stream: ServerResponse | undefined;
  #streamId: string | undefined;
  #agentCounter = 0;
  readonly #waiters = new Set<() => void>();
  /** What to answer the next REREGISTER with (e.g. 403 to refuse the agent id). */
  refuseReregister: number | undefined;
  pingIntervalSeconds = 15;

  private constructor() {
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  static async start(): Promise<FakeMaster> {
    const master = new FakeMaster();
    await new Promise<void>((resolve) => master.#server.listen(0, '127.0.0.1', resolve));
    return master;
  }

  get address(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  get connected(): boolean {
    return this.#stream !== undefined && !this.#stream.writableEnded;
  }

  /** Sends an event on the agent's current stream. */
  push(event: AgentEvent): void {
    if (this.#stream === undefined) throw new Error('no agent is connected');
    this.#stream.write(encodeRecord(toBinary(AgentEventSchema, event)));
  }

  /** Ends the agent's stream (the agent should re-register). */
  dropStream(): void {
    this.#stream?.end();
    this.#stream = undefined;
  }

  /** Resolves with the first recorded call matching, waiting for it if needed. */
  async waitFor(predicate: (call: AgentCall) => boolean, timeoutMs = 15_000, what = 'a matching call'): Promise<AgentCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.calls.find(predicate);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; calls so far: ${this.calls.map((c) => AgentCall_Type[c.type]).join(', ')}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  async close(): Promise<void> {
    this.#stream?.end();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/internal/agent') {
      res.writeHead(404).end();
      return;
    }
    const call = fromBinary(AgentCallSchema, Buffer.concat(chunks));
    this.calls.push(call);
    for (const wake of [...this.#waiters]) wake();
    if (call.type === AgentCall_Type.REGISTER || call.type === AgentCall_Type.REREGISTER) {
      if (call.type === AgentCall_Type.REREGISTER && this.refuseReregister !== undefined) {
        res.writeHead(this.refuseReregister, { 'Content-Type': 'text/plain' }).end('Agent is unknown (removed as unreachable)');
        return;
      }
      const agentId = call.type === AgentCall_Type.REREGISTER ? call.agentId!.value : `fake-master-S${this.#agentCounter++}`;
      this.#stream?.end();
      this.#streamId = randomUUID();
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Mesos-Stream-Id': this.#streamId });
      this.#stream = res;
      this.push(create(AgentEventSchema, {
        type: AgentEvent_Type.REGISTERED,
        registered: {
          agentId: { value: agentId },
          masterInfo: { id: 'fake-master', ip: 0, port: 5050, hostname: 'fake-master' },
          pingIntervalSeconds: this.pingIntervalSeconds,
        },
      }));
      return;
    }
    if (req.headers['mesos-stream-id'] !== this.#streamId) {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end('Stale Mesos-Stream-Id');
      return;
    }
    res.writeHead(202).end();
  }
}
