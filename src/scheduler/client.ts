/**
 * SchedulerClient: one framework's connection to a Mesos(-compatible) master.
 *
 *   const client = new SchedulerClient({ master: '127.0.0.1:5050', frameworkInfo: { user: 'me', name: 'demo' } });
 *   for await (const event of client.events()) {
 *     if (event.type === Event_Type.OFFERS) await client.decline(event.offers!.offers.map((o) => o.id!));
 *   }
 *
 * What it does for you:
 *  - SUBSCRIBE on a dedicated connection, keep the Mesos-Stream-Id, decode the
 *    RecordIO event stream incrementally (JSON or protobuf);
 *  - send every other call on separate pooled connections with framework_id
 *    and the stream id filled in;
 *  - watch heartbeats (5 silent intervals = partition) and, when the stream
 *    breaks, re-subscribe with the framework id after an exponential backoff
 *    with jitter; work begun under an older generation is dropped;
 *  - follow leader redirects; turn error answers into SchedulerCallError.
 *
 * Lifetime: the client starts subscribing when constructed and buffers events
 * until `events()` is read. It ends on close(), its AbortSignal, teardown(),
 * leaving the events() loop early, an ERROR event (Mesos' "abort"), or a
 * SUBSCRIBE the master refuses for good (4xx). The events() iterator finishes
 * normally in the first four cases and throws the reason in the last two,
 * after delivering the events received before it.
 *
 * Re-subscribing keeps the framework id; with failover_timeout 0 (the default)
 * the master removes the framework as soon as the stream breaks, so the
 * re-subscription gets ERROR "Framework has been removed". Set a
 * failover_timeout to survive network blips.
 */
import http from 'node:http';

import { clone, create, type MessageInitShape } from '@bufbuild/protobuf';
import type { Logger } from 'pino';

import { errorMessage, MesoscaleError } from '../lib/errors.js';
import { silentLogger } from '../lib/logger.js';
import { MediaType, type MessageMediaType } from '../protocol/codec/media.js';
import { FrameworkIDSchema, FrameworkInfoSchema, type TaskStatus } from '../protocol/gen/mesos/v1/mesos_pb.js';
import { CallSchema, Call_Type, Event_Type, type Call, type Event } from '../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import * as calls from './calls.js';
import { ConnectionState, ConnectionTracker, type Subscription } from './connection-state.js';
import {
  InvalidSchedulerOptionError,
  NotSubscribedError,
  SchedulerCallError,
  SchedulerClosedError,
  SchedulerProtocolError,
  type SchedulerError,
 } from './errors.js';
import { AsyncQueue } from './event-queue.js';
import { HeartbeatWatchdog, realTimer, type SetTimer } from './heartbeat-watchdog.js';
import { endpointUrl, parseMasterAddress, type MasterEndpoint } from './master-endpoint.js';
import { callTypeName, openSubscription, postCall, type WireOptions } from './wire.js';

export type FrameworkInfoInit = MessageInitShape<typeof FrameworkInfoSchema>;
export type SchedulerCodec = 'json' | 'protobuf';

export interface SchedulerClientOptions {
  /** `host:port` or `http(s)://host:port`. */
  master: string;
  /** Set `id` to re-subscribe as an existing framework (scheduler failover). */
  frameworkInfo: FrameworkInfoInit;
  /** Wire codec for calls and events. Default protobuf. */
  codec?: SchedulerCodec;
  suppressedRoles?: readonly string[];
  /** Aborting it closes the client. */
  signal?: AbortSignal;
  logger?: Logger;
  backoff?: BackoffOptions;
  /** Silent heartbeat intervals before the stream is considered dead. Default 5. */
  maxMissedHeartbeats?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** Time allowed for the master to answer a request (not the stream). Default 30 s. */
  requestTimeoutMs?: number;
  /** Re-subscribe after the stream breaks. Default true; when false a disconnection closes the client. */
  reconnect?: boolean;
  /** Extra headers on every request, e.g. Authorization. */
  headers?: Readonly<Record<string, string>>;
  /** Timer used by the heartbeat watchdog (tests). */
  setTimer?: SetTimer;
}

/** `cause` says why, for DISCONNECTED (the failed attempt or the broken stream) and for a CLOSED with an error. */
export type StateListener = (state: ConnectionState, generation: number, cause?: Error) => void;

const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;

export function codecMediaType(codec: SchedulerCodec): MessageMediaType {
  return codec === 'json' ? MediaType.JSON : MediaType.PROTOBUF;
}

export class SchedulerClient {
  readonly #options: SchedulerClientOptions;
  readonly #codec: MessageMediaType;
  readonly #log: Logger;
  readonly #tracker: ConnectionTracker;
  readonly #backoff: Backoff;
  readonly #watchdog: HeartbeatWatchdog;
  readonly #events: AsyncQueue<Event>;
  readonly #listeners = new Set<StateListener>();
  /** Aborted on close: stops the stream, calls in flight and backoff sleeps. */
  readonly #lifetime = new AbortController();
  /** Pooled connections for calls (the stream has its own). */
  readonly #callAgent = new http.Agent({ keepAlive: true });
  #endpoint: MasterEndpoint;
  /** Aborts the current generation's stream (watchdog, subscription loss). */
  #streamAbort: AbortController | undefined;
  #closeReason: Error | undefined;
  /** The TEARDOWN call in flight: the master may end the stream before it answers 202. */
  #teardownCall: Promise<void> | undefined;
  readonly #done: Promise<void>;

  constructor(options: SchedulerClientOptions) {
    this.#options = options;
    this.#endpoint = parseMasterAddress(options.master);
    this.#codec = codecMediaType(options.codec ?? 'protobuf');
    this.#log = (options.logger ?? silentLogger).child({ component: 'scheduler-client' });
    this.#tracker = new ConnectionTracker(options.frameworkInfo.id?.value);
    this.#backoff = new Backoff(options.backoff);
    this.#events = new AsyncQueue<Event>(() => this.close());
    this.#watchdog = new HeartbeatWatchdog({
      maxMissed: options.maxMissedHeartbeats ?? 5,
      setTimer: options.setTimer ?? realTimer,
      onMissed: (ms) => this.#dropStream(this.#tracker.generation, new SchedulerProtocolError(`No events for ${ms} ms (missed heartbeats)`, { retryable: true })),
    });
    if (options.signal?.aborted === true) this.close();
    options.signal?.addEventListener('abort', () => this.close(), { once: true, signal: this.#lifetime.signal });
    // Start on the next microtask so listeners added right after construction see every state.
    this.#done = Promise.resolve().then(() => this.#run());
  }

  get state(): ConnectionState {
    return this.#tracker.state;
  }

  /** The framework id, once the master has assigned one (kept across reconnects). */
  get frameworkId(): string | undefined {
    return this.#tracker.frameworkId;
  }

  /** The live subscription, if SUBSCRIBED. */
  get subscription(): Subscription | undefined {
    return this.#tracker.subscription;
  }

  /** The master currently talked to (the leader, after redirects). */
  get masterUrl(): string {
    return endpointUrl(this.#endpoint);
  }

  /** Why the client closed itself (ERROR event, refused SUBSCRIBE); undefined otherwise. */
  get closeReason(): Error | undefined {
    return this.#closeReason;
  }

  /** Resolves once the client is closed and its connections are released. */
  get done(): Promise<void> {
    return this.#done;
  }

  /** The event stream. One consumer; leaving the loop early closes the client. */
  events(): AsyncIterableIterator<Event> {
    return this.#events;
  }

  /** Called on every state change; returns an unsubscribe function. */
  onStateChange(listener: StateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops everything without tearing the framework down (it fails over after failover_timeout). */
  close(): void {
    this.#shutdown(undefined);
  }

  // ------------------------------------------------------------------ calls

  /**
   * Sends one call for the current subscription (framework_id and
   * Mesos-Stream-Id filled in). Resolves when the master accepted it (202);
   * throws NotSubscribedError, SchedulerCallError, MasterUnavailableError,
   * or the signal's reason.
   */
  async send(call: Call, options: { signal?: AbortSignal } = {}): Promise<void> {
    const type = callTypeName(call);
    if (call.type === Call_Type.SUBSCRIBE) {
      throw new InvalidSchedulerOptionError('SUBSCRIBE is sent by the client itself; create a new SchedulerClient instead');
    }
    if (this.#tracker.state === ConnectionState.closed) throw new SchedulerClosedError(`cannot send ${type}`, this.#closeReason);
    const subscription = this.#tracker.subscription;
    if (subscription === undefined) throw new NotSubscribedError(type, this.#tracker.state);
    const withFramework = clone(CallSchema, call);
    withFramework.frameworkId = create(FrameworkIDSchema, { value: subscription.frameworkId });
    const signal = options.signal === undefined ? this.#lifetime.signal : AbortSignal.any([options.signal, this.#lifetime.signal]);
    try {
      const { endpoint } = await postCall(withFramework, subscription.streamId, { ...this.#wireOptions(signal), agent: this.#callAgent });
      this.#endpoint = endpoint;
    } catch (err) {
      // The master no longer knows this stream: reconnect now rather than wait for the watchdog.
      if (err instanceof SchedulerCallError && err.indicatesSubscriptionLoss) this.#dropStream(subscription.generation, err);
      throw err;
    }
  }

  launch(offerIds: readonly calls.IdLike[], tasks: readonly calls.TaskInfoInit[], filters?: calls.FilterOptions): Promise<void> {
    return this.send(calls.launchCall(offerIds, tasks, filters));
  }

  launchGroup(
    offerIds: readonly calls.IdLike[],
    executor: calls.ExecutorInfoInit,
    taskGroup: calls.TaskGroupInfoInit,
    filters?: calls.FilterOptions,
  ): Promise<void> {
    return this.send(calls.launchGroupCall(offerIds, executor, taskGroup, filters));
  }

  decline(offerIds: readonly calls.IdLike[], filters?: calls.FilterOptions): Promise<void> {
    return this.send(calls.declineCall(offerIds, filters));
  }

  revive(roles?: readonly string[]): Promise<void> {
    return this.send(calls.reviveCall(roles));
  }

  suppress(roles?: readonly string[]): Promise<void> {
    return this.send(calls.suppressCall(roles));
  }

  kill(taskId: calls.IdLike, agentId?: calls.IdLike, killPolicy?: calls.KillPolicyInit): Promise<void> {
    return this.send(calls.killCall(taskId, agentId, killPolicy));
  }

  shutdown(executorId: calls.IdLike, agentId: calls.IdLike): Promise<void> {
    return this.send(calls.shutdownCall(executorId, agentId));
  }

  /** Acknowledges `status` if it carries a uuid; returns whether an ACKNOWLEDGE was sent. */
  async acknowledge(status: TaskStatus): Promise<boolean> {
    const call = calls.acknowledgeCall(status);
    if (call === undefined) return false;
    await this.send(call);
    return true;
  }

  reconcile(tasks?: readonly calls.ReconcileTask[]): Promise<void> {
    return this.send(calls.reconcileCall(tasks));
  }

  message(agentId: calls.IdLike, executorId: calls.IdLike, data: Uint8Array): Promise<void> {
    return this.send(calls.messageCall(agentId, executorId, data));
  }

  /** Removes the framework (its tasks are killed), then closes the client. */
  async teardown(): Promise<void> {
    const sending = this.send(calls.teardownCall());
    this.#teardownCall = sending;
    try {
      await sending;
    } finally {
      this.#teardownCall = undefined;
    }
    this.close();
  }

  // ------------------------------------------------------- subscription loop

  /** Subscribes, reads events, and re-subscribes after backoff until closed. */
  async #run(): Promise<void> {
    while (this.#tracker.state !== ConnectionState.closed) {
      const generation = this.#tracker.beginSubscribe();
      this.#emitState(generation);
      let reason: unknown = new SchedulerProtocolError('The master closed the event stream', { retryable: true });
      try {
        await this.#readSubscription(generation);
      } catch (err) {
        reason = err;
      }
      this.#watchdog.stop();
      if (!this.#tracker.isCurrent(generation)) break; // Closed meanwhile.
      const cause = reason instanceof Error ? reason : new Error(String(reason));
      if (this.#teardownCall !== undefined) {
        // The master ended the stream because we asked it to; teardown() closes
        // the client once the call is answered. Only a failed TEARDOWN reconnects.
        await this.#teardownCall.catch(() => undefined);
        if (!this.#tracker.isCurrent(generation)) break;
      }
      if (!isRetryable(reason) || this.#options.reconnect === false) {
        this.#shutdown(cause);
        break;
      }
      this.#tracker.disconnected(generation);
      this.#emitState(generation, cause);
      const delayMs = this.#backoff.next();
      this.#log.warn({ generation, delayMs, err: errorMessage(reason) }, 'scheduler subscription lost; re-subscribing');
      await sleep(delayMs, this.#lifetime.signal);
    }
    this.#callAgent.destroy();
  }

  /** One generation: SUBSCRIBE, then deliver events until the stream ends. */
  async #readSubscription(generation: number): Promise<void> {
    const streamAbort = new AbortController();
    this.#streamAbort = streamAbort;
    const signal = AbortSignal.any([streamAbort.signal, this.#lifetime.signal]);
    try {
      const opened = await openSubscription(this.#subscribeCall(), this.#wireOptions(signal));
      if (!this.#tracker.streamOpened(generation, opened.streamId)) return;
      this.#endpoint = opened.endpoint;
      // Until SUBSCRIBED announces the interval, expect Mesos' default.
      this.#watchdog.start(DEFAULT_HEARTBEAT_INTERVAL_MS);
      for await (const event of opened.events) {
        if (!this.#tracker.isCurrent(generation)) return;
        this.#watchdog.beat();
        if (event.type === Event_Type.SUBSCRIBED) this.#onSubscribed(generation, event);
        this.#events.push(event);
        if (event.type === Event_Type.ERROR) {
          // Mesos' contract: a scheduler aborts on ERROR (removed, failed over, invalid).
          throw new SchedulerClosedError(`the master sent ERROR: ${event.error?.message ?? ''}`);
        }
      }
    } catch (err) {
      // An abort of this generation's stream carries the real reason.
      throw streamAbort.signal.aborted ? streamAbort.signal.reason : err;
    } finally {
      if (this.#streamAbort === streamAbort) this.#streamAbort = undefined;
    }
  }

  #onSubscribed(generation: number, event: Event): void {
    const frameworkId = event.subscribed?.frameworkId?.value ?? '';
    const seconds = event.subscribed?.heartbeatIntervalSeconds ?? 0;
    const intervalMs = seconds > 0 ? seconds * 1000 : DEFAULT_HEARTBEAT_INTERVAL_MS;
    if (!this.#tracker.subscribed(generation, frameworkId, intervalMs)) return;
    this.#backoff.reset();
    this.#watchdog.start(intervalMs);
    this.#log.info({ generation, frameworkId, master: this.masterUrl }, 'scheduler subscribed');
    this.#emitState(generation);
  }

  #subscribeCall(): Call {
    // Mesos wants Call.framework_id and framework_info.id both unset or equal.
    const id = this.#tracker.frameworkId;
    const frameworkId = id === undefined ? undefined : create(FrameworkIDSchema, { value: id });
    const frameworkInfo = clone(FrameworkInfoSchema, create(FrameworkInfoSchema, this.#options.frameworkInfo));
    frameworkInfo.id = frameworkId;
    return create(CallSchema, {
      type: Call_Type.SUBSCRIBE,
      frameworkId,
      subscribe: { frameworkInfo, suppressedRoles: [...(this.#options.suppressedRoles ?? [])] },
    });
  }

  /** Ends the stream of `generation` (if still current) so the loop reconnects. */
  #dropStream(generation: number, reason: SchedulerError): void {
    if (!this.#tracker.isCurrent(generation)) return;
    this.#log.warn({ generation, err: reason.message }, 'dropping the scheduler event stream');
    this.#streamAbort?.abort(reason);
  }

  #shutdown(reason: Error | undefined): void {
    if (!this.#tracker.close()) return;
    this.#closeReason = reason;
    this.#watchdog.stop();
    this.#lifetime.abort(new SchedulerClosedError(reason === undefined ? 'closed' : reason.message, reason));
    this.#events.end(reason);
    this.#emitState(this.#tracker.generation, reason);
  }

  #emitState(generation: number, cause?: Error): void {
    for (const listener of this.#listeners) listener(this.#tracker.state, generation, cause);
  }

  #wireOptions(signal: AbortSignal): WireOptions {
    return {
      endpoint: this.#endpoint,
      codec: this.#codec,
      signal,
      maxRedirects: this.#options.maxRedirects ?? 5,
      headersTimeoutMs: this.#options.requestTimeoutMs ?? 30_000,
      headers: this.#options.headers ?? {},
    };
  }
}

/**
 * Whether a failed subscription is worth another attempt: our own errors say
 * so; socket errors (ECONNRESET, 'aborted' ...) carry a string code and are;
 * anything else is a bug and is not retried forever.
 */
function isRetryable(err: unknown): boolean {
  if (err instanceof MesoscaleError) return err.retryable;
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
