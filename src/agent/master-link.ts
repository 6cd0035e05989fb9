/**
 * The agent's end of the internal master↔agent protocol (docs/agent-protocol.md,
 * src/protocol/proto/mesoscale/internal/agent_link.proto).
 *
 *   DISCONNECTED ──POST REGISTER/REREGISTER──► CONNECTING ──REGISTERED event──► REGISTERED
 *        ▲                                          │                              │
 *        └──── backoff: random in [0, b], b doubles up to 1 min ◄── 4xx, error, ────┘
 *                                                       stream end, no event for 5 × ping interval,
 *                                                       or a call answered 400/403 (stale stream)
 *
 * Each connection attempt has a generation number; results of calls made on
 * an older generation are ignored, so a late 403 cannot tear down a newer
 * stream. Calls other than (RE)REGISTER are POSTed separately with the
 * stream's Mesos-Stream-Id and are fire-and-forget: status updates are
 * retried by the status update manager; the rest is best effort, as in Mesos.
 */
import { create } from '@bufbuild/protobuf';
import type { Logger } from 'pino';

import { decodeMessage, encodeMessage, MediaType } from '../protocol/codec/media.js';
import { readRecords } from '../protocol/codec/recordio.js';
import { AgentIDSchema } from '../protocol/gen/mesos/v1/mesos_pb.js';
import {
  type AgentCall,
  AgentCallSchema,
  AgentCall_Type,
  type AgentEvent,
  AgentEventSchema,
  AgentEvent_Type,
  type AgentEvent_Registered,
} from '../protocol/gen/mesoscale/internal/agent_link_pb.js';

export const AGENT_LINK_PATH = '/internal/agent';
/** Re-register after this many ping intervals without any event. */
export const MISSED_PINGS_BEFORE_RECONNECT = 5;
/** Until REGISTERED says otherwise (the master's default --agent_ping_timeout). */
const DEFAULT_PING_INTERVAL_S = 15;
const MAX_BACKOFF_MS = 60_000;

export interface MasterLinkHandler {
  /** The REGISTER or REREGISTER call for the next attempt. */
  registrationCall(): AgentCall;
  /** Resolves once the registration is durable (the agent id is checkpointed); no event is handled before. */
  onRegistered(registered: AgentEvent_Registered): Promise<void>;
  onEvent(event: AgentEvent): void;
  /** The registered stream is gone; `reason` says why. */
  onDisconnected(reason: string): void;
  /** The master answered the registration with a 4xx. */
  onRegistrationRefused(call: AgentCall, status: number, text: string): void;
}

export interface MasterLinkOptions {
  readonly masterUrl: string;
  readonly backoffFactorMs: number;
  readonly logger: Logger;
  readonly handler: MasterLinkHandler;
  readonly random?: () => number;
}

export class MasterLink {
  readonly #url: string;
  readonly #backoffFactorMs: number;
  readonly #logger: Logger;
  readonly #handler: MasterLinkHandler;
  readonly #random: () => number;
  #generation = 0;
  #abort: AbortController | undefined;
  #streamId: string | undefined;
  #agentId: string | undefined;
  #stopped = false;
  #running: Promise<void> | undefined;
  #sleepTimer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;

  constructor(options: MasterLinkOptions) {
    this.#url = `${options.masterUrl}${AGENT_LINK_PATH}`;
    this.#backoffFactorMs = options.backoffFactorMs;
    this.#logger = options.logger;
    this.#handler = options.handler;
    this.#random = options.random ?? Math.random;
  }

  get registered(): boolean {
    return this.#streamId !== undefined;
  }

  start(): void {
    this.#running ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort?.abort();
    clearTimeout(this.#sleepTimer);
    this.#wake?.();
    await this.#running;
  }

  /** Drops the current stream (if any) and registers again. */
  reconnect(reason: string): void {
    this.#logger.warn({ reason }, 'dropping the master stream');
    this.#abort?.abort(new Error(reason));
  }

  /** POSTs a call on the current stream; returns false (and sends nothing) when not registered. */
  send(call: AgentCall): boolean {
    const streamId = this.#streamId;
    if (streamId === undefined) return false;
    if (call.agentId === undefined && this.#agentId !== undefined) call.agentId = create(AgentIDSchema, { value: this.#agentId });
    const generation = this.#generation;
    void fetch(this.#url, {
      method: 'POST',
      headers: { 'Content-Type': MediaType.PROTOBUF, 'Mesos-Stream-Id': streamId },
      body: encodeMessage(AgentCallSchema, call, MediaType.PROTOBUF),
    }).then(
      async (response) => {
        const text = await response.text();
        if (response.status === 202) return;
        if ((response.status === 400 || response.status === 403) && generation === this.#generation && this.#streamId === streamId) {
          this.reconnect(`master refused ${AgentCall_Type[call.type]} with ${response.status} (${text.trim()}); the stream is stale`);
          return;
        }
        this.#logger.warn({ status: response.status, body: text, call: AgentCall_Type[call.type] }, 'master did not accept a call');
      },
      (err: unknown) => this.#logger.debug({ err, call: AgentCall_Type[call.type] }, 'call to the master failed'),
    );
    return true;
  }

  async #run(): Promise<void> {
    let backoffMs = this.#backoffFactorMs;
    // Like Mesos, even the first registration waits a random part of the factor,
    // so agents started together do not all hit the master at once.
    await this.#sleep(this.#random() * backoffMs);
    while (!this.#stopped) {
      const registeredBefore = await this.#connectOnce();
      if (this.#stopped) break;
      if (registeredBefore) backoffMs = this.#backoffFactorMs;
      const delay = this.#random() * backoffMs;
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      this.#logger.info({ delayMs: Math.round(delay) }, 'registering with the master again after a delay');
      await this.#sleep(delay);
    }
  }

  /** One connection: returns whether it got as far as REGISTERED. */
  async #connectOnce(): Promise<boolean> {
    const generation = ++this.#generation;
    const abort = new AbortController();
    this.#abort = abort;
    const call = this.#handler.registrationCall();
    let registered = false;
    let reason = 'the master closed the stream';
    let watchdog: NodeJS.Timeout | undefined;
    let pingIntervalS = DEFAULT_PING_INTERVAL_S;
    const arm = (): void => {
      clearTimeout(watchdog);
      const ms = pingIntervalS * 1000 * MISSED_PINGS_BEFORE_RECONNECT;
      watchdog = setTimeout(() => abort.abort(new Error(`no event from the master for ${ms} ms`)), ms);
    };
    try {
      arm();
      const response = await fetch(this.#url, {
        method: 'POST',
        headers: { 'Content-Type': MediaType.PROTOBUF, Accept: MediaType.PROTOBUF },
        body: encodeMessage(AgentCallSchema, call, MediaType.PROTOBUF),
        signal: abort.signal,
      });
      if (response.status >= 400 && response.status < 500) {
        const text = await response.text();
        this.#logger.error({ status: response.status, body: text }, `master refused ${AgentCall_Type[call.type]}`);
        this.#handler.onRegistrationRefused(call, response.status, text);
        return false;
      }
      if (response.status !== 200 || response.body === null) throw new Error(`master answered ${response.status}`);
      const streamId = response.headers.get('mesos-stream-id') ?? '';
      for await (const record of readRecords(response.body as AsyncIterable<Uint8Array>)) {
        arm();
        const event = decodeMessage(AgentEventSchema, MediaType.PROTOBUF, record);
        if (generation !== this.#generation) break;
        if (event.type === AgentEvent_Type.REGISTERED && event.registered !== undefined) {
          const r = event.registered;
          pingIntervalS = r.pingIntervalSeconds > 0 ? r.pingIntervalSeconds : DEFAULT_PING_INTERVAL_S;
          arm();
          this.#agentId = r.agentId?.value;
          this.#streamId = streamId;
          registered = true;
          this.#logger.info({ agentId: this.#agentId, streamId, pingIntervalS }, 'registered with the master');
          await this.#handler.onRegistered(r);
        } else if (event.type === AgentEvent_Type.PING) {
          this.send(create(AgentCallSchema, { type: AgentCall_Type.PONG }));
        } else if (registered) {
          this.#handler.onEvent(event);
        }
      }
    } catch (err) {
      reason = abort.signal.aborted && abort.signal.reason instanceof Error ? abort.signal.reason.message : (err as Error).message;
    } finally {
      clearTimeout(watchdog);
      abort.abort();
      if (registered) {
        this.#streamId = undefined;
        if (!this.#stopped) this.#logger.warn({ reason }, 'lost the master');
        this.#handler.onDisconnected(reason);
      } else if (!this.#stopped) {
        this.#logger.warn({ reason }, 'could not register with the master');
      }
    }
    return registered;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#sleepTimer = setTimeout(resolve, ms);
    });
  }
}
