/**
 * The subscription's state, with a generation number minted for every
 * SUBSCRIBE attempt. Anything started under one generation (reading a stream,
 * a watchdog timer, a call's answer) checks `isCurrent(generation)` after each
 * await and drops its result if a reconnect happened meanwhile, the way
 * Mesos' default executor drops retries carrying a stale connection id.
 *
 *                 beginSubscribe (generation++)
 *   DISCONNECTED ─────────────────────────────► SUBSCRIBING
 *        ▲                                          │ streamOpened (200 + Mesos-Stream-Id)
 *        │ disconnected(current generation)         │ subscribed   (SUBSCRIBED event)
 *        │                                          ▼
 *        └──────────────────────────────────── SUBSCRIBED
 *
 *   close() from any state ──► CLOSED (terminal; nothing reconnects)
 *
 * Pure: no I/O, no timers. The framework id survives reconnects (it is what
 * the next SUBSCRIBE re-subscribes with); the stream id does not.
 */
import { InvariantError } from '../lib/errors.js';

export const ConnectionState = {
  disconnected: 'DISCONNECTED',
  subscribing: 'SUBSCRIBING',
  subscribed: 'SUBSCRIBED',
  closed: 'CLOSED',
} as const;
export type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState];

/** What calls need: which framework, on which stream, of which generation. */
export interface Subscription {
  readonly generation: number;
  readonly frameworkId: string;
  readonly streamId: string;
  readonly heartbeatIntervalMs: number;
}

export class ConnectionTracker {
  #state: ConnectionState = ConnectionState.disconnected;
  #generation = 0;
  #streamId: string | undefined;
  #frameworkId: string | undefined;
  #subscription: Subscription | undefined;

  constructor(frameworkId?: string) {
    this.#frameworkId = frameworkId === '' ? undefined : frameworkId;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get generation(): number {
    return this.#generation;
  }

  /** The framework id the master assigned (or the one we started with), across reconnects. */
  get frameworkId(): string | undefined {
    return this.#frameworkId;
  }

  /** Set only while SUBSCRIBED. */
  get subscription(): Subscription | undefined {
    return this.#subscription;
  }

  isCurrent(generation: number): boolean {
    return generation === this.#generation && this.#state !== ConnectionState.closed;
  }

  /** DISCONNECTED → SUBSCRIBING. Returns the new attempt's generation. */
  beginSubscribe(): number {
    if (this.#state !== ConnectionState.disconnected) {
      throw new InvariantError(`beginSubscribe in state ${this.#state} (generation ${this.#generation})`);
    }
    this.#generation++;
    this.#state = ConnectionState.subscribing;
    return this.#generation;
  }

  /** The SUBSCRIBE answered 200 with this stream id. False if the attempt is stale. */
  streamOpened(generation: number, streamId: string): boolean {
    if (!this.isCurrent(generation) || this.#state !== ConnectionState.subscribing) return false;
    this.#streamId = streamId;
    return true;
  }

  /** The SUBSCRIBED event arrived. False if the attempt is stale. */
  subscribed(generation: number, frameworkId: string, heartbeatIntervalMs: number): boolean {
    if (!this.isCurrent(generation) || this.#state !== ConnectionState.subscribing) return false;
    if (this.#streamId === undefined) {
      throw new InvariantError(`SUBSCRIBED before the stream id was known (generation ${generation})`);
    }
    this.#frameworkId = frameworkId;
    this.#state = ConnectionState.subscribed;
    this.#subscription = { generation, frameworkId, streamId: this.#streamId, heartbeatIntervalMs };
    return true;
  }

  /** The attempt or stream of `generation` ended. False if that was already superseded. */
  disconnected(generation: number): boolean {
    if (!this.isCurrent(generation) || this.#state === ConnectionState.disconnected) return false;
    this.#state = ConnectionState.disconnected;
    this.#streamId = undefined;
    this.#subscription = undefined;
    return true;
  }

  /** → CLOSED. False if it already was. */
  close(): boolean {
    if (this.#state === ConnectionState.closed) return false;
    this.#state = ConnectionState.closed;
    this.#streamId = undefined;
    this.#subscription = undefined;
    return true;
  }
}
