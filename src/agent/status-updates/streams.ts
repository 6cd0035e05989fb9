/**
 * The pure core of the status update manager: one ordered stream of status
 * updates per (framework, task), reliable delivery by retry until the
 * scheduler acknowledges (reference 3.6). No I/O and no timers: time comes
 * from the injected Clock, and what to send is returned as `Forward` data
 * for manager.ts to carry out.
 *
 *   update(u) ──► pending: [u1 (head, forwarded), u2, u3]   only the head is ever sent
 *   acknowledge(u1.uuid) ──► pending: [u2 (forwarded)]      the next one goes out
 *   dueRetries() ──► head again, after 10s, 20s, 40s ... capped at 10min
 *
 * Invariants: updates of one task reach the master in the order received; at
 * most one is outstanding per task; an ack for anything but the head is
 * ignored (duplicate or stale); once the terminal update is acknowledged the
 * stream is closed and forgotten. While paused (no master), nothing is sent;
 * resume() re-sends every head at once.
 */
import { clone } from '@bufbuild/protobuf';

import type { Clock } from '../../lib/clock.js';
import type { TaskState } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { type StatusUpdate, StatusUpdateSchema } from '../../protocol/gen/mesoscale/internal/agent_link_pb.js';
import { isTerminalState } from '../task-states.js';

/** Mesos' STATUS_UPDATE_RETRY_INTERVAL_MIN / _MAX. */
export const DEFAULT_RETRY_MIN_MS = 10_000;
export const DEFAULT_RETRY_MAX_MS = 10 * 60_000;

/** Send this update to the master now. `update.latestState` is filled in. */
export interface Forward {
  readonly frameworkId: string;
  readonly taskId: string;
  readonly update: StatusUpdate;
  /** 0 for the first send, then 1, 2 ... for retries. */
  readonly attempt: number;
}

export type UpdateResult =
  | { readonly kind: 'accepted'; readonly forward: Forward | undefined }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'rejected'; readonly reason: string };

export type AckResult =
  | {
      readonly kind: 'acknowledged';
      /** The acknowledged update was terminal: the task is done as far as the agent is concerned. */
      readonly terminal: boolean;
      readonly acknowledged: StatusUpdate;
      readonly forward: Forward | undefined;
    }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'unknown-stream' }
  | { readonly kind: 'unexpected'; readonly expectedUuid: Uint8Array | undefined };

interface Stream {
  readonly frameworkId: string;
  readonly taskId: string;
  /** Unacknowledged updates, oldest first; pending[0] is the head. */
  readonly pending: StatusUpdate[];
  readonly received: Set<string>;
  readonly acknowledged: Set<string>;
  /** A terminal update has been received; no more may follow. */
  terminated: boolean;
  latestState: TaskState | undefined;
  /** Set while the head is outstanding. */
  inFlight: { nextRetryAt: number; intervalMs: number; attempt: number } | undefined;
}

export interface StreamsOptions {
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

const hex = (uuid: Uint8Array): string => Buffer.from(uuid.buffer, uuid.byteOffset, uuid.byteLength).toString('hex');

export class StatusUpdateStreams {
  readonly #clock: Clock;
  readonly #retryMinMs: number;
  readonly #retryMaxMs: number;
  /** frameworkId → taskId → stream, insertion ordered (deterministic resume order). */
  readonly #streams = new Map<string, Map<string, Stream>>();
  #paused = true;

  constructor(clock: Clock, options: StreamsOptions = {}) {
    this.#clock = clock;
    this.#retryMinMs = options.retryMinMs ?? DEFAULT_RETRY_MIN_MS;
    this.#retryMaxMs = options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Adds an update (which must carry a uuid) to its task's stream. */
  update(update: StatusUpdate): UpdateResult {
    const frameworkId = update.frameworkId?.value ?? '';
    const taskId = update.status?.taskId?.value ?? '';
    const uuid = update.status?.uuid;
    if (uuid === undefined || uuid.length === 0) return { kind: 'rejected', reason: 'status update has no uuid' };
    const stream = this.#stream(frameworkId, taskId, true)!;
    const key = hex(uuid);
    if (stream.acknowledged.has(key) || stream.received.has(key)) return { kind: 'duplicate' };
    if (stream.terminated) {
      return { kind: 'rejected', reason: `task ${taskId} of framework ${frameworkId} already has a terminal update` };
    }
    stream.received.add(key);
    stream.pending.push(update);
    stream.latestState = update.status!.state;
    if (isTerminalState(update.status!.state)) stream.terminated = true;
    const forward = stream.pending.length === 1 && !this.#paused ? this.#send(stream, 0) : undefined;
    return { kind: 'accepted', forward };
  }

  /** The scheduler's acknowledgement, forwarded by the master. */
  acknowledge(frameworkId: string, taskId: string, uuid: Uint8Array): AckResult {
    const stream = this.#stream(frameworkId, taskId, false);
    if (stream === undefined) return { kind: 'unknown-stream' };
    const key = hex(uuid);
    if (stream.acknowledged.has(key)) return { kind: 'duplicate' };
    const head = stream.pending[0];
    if (head === undefined || hex(head.status!.uuid) !== key) {
      return { kind: 'unexpected', expectedUuid: head?.status?.uuid };
    }
    stream.pending.shift();
    stream.acknowledged.add(key);
    stream.inFlight = undefined;
    const terminal = isTerminalState(head.status!.state);
    if (terminal && stream.pending.length === 0) {
      this.#remove(stream);
      return { kind: 'acknowledged', terminal, acknowledged: head, forward: undefined };
    }
    const forward = stream.pending.length > 0 && !this.#paused ? this.#send(stream, 0) : undefined;
    return { kind: 'acknowledged', terminal, acknowledged: head, forward };
  }

  /** Heads whose retry time has come; each is rescheduled with a doubled interval. */
  dueRetries(): Forward[] {
    if (this.#paused) return [];
    const now = this.#clock.now();
    const out: Forward[] = [];
    for (const stream of this.#allStreams()) {
      const f = stream.inFlight;
      if (f !== undefined && f.nextRetryAt <= now) out.push(this.#send(stream, f.attempt + 1, Math.min(f.intervalMs * 2, this.#retryMaxMs)));
    }
    return out;
  }

  /** Earliest time dueRetries() will return something, if any. */
  nextRetryAt(): number | undefined {
    if (this.#paused) return undefined;
    let next: number | undefined;
    for (const stream of this.#allStreams()) {
      const at = stream.inFlight?.nextRetryAt;
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** The master is gone: stop sending (updates keep queueing). */
  pause(): void {
    this.#paused = true;
    for (const stream of this.#allStreams()) stream.inFlight = undefined;
  }

  /** A master is there (again): send every head now. */
  resume(): Forward[] {
    this.#paused = false;
    const out: Forward[] = [];
    for (const stream of this.#allStreams()) if (stream.pending.length > 0) out.push(this.#send(stream, 0));
    return out;
  }

  /** Forgets a framework's streams (framework shut down, or the agent id was replaced). */
  cleanupFramework(frameworkId: string): void {
    this.#streams.delete(frameworkId);
  }

  cleanupAll(): void {
    this.#streams.clear();
  }

  /** Unacknowledged updates of a task, oldest first (for /state and re-registration). */
  pendingUpdates(frameworkId: string, taskId: string): readonly StatusUpdate[] {
    return this.#stream(frameworkId, taskId, false)?.pending ?? [];
  }

  /** Whether a task still has unacknowledged updates. */
  hasPending(frameworkId: string, taskId: string): boolean {
    return this.pendingUpdates(frameworkId, taskId).length > 0;
  }

  /** Marks the head outstanding (callers check #paused) and returns it to send. */
  #send(stream: Stream, attempt: number, intervalMs = this.#retryMinMs): Forward {
    const head = stream.pending[0]!;
    stream.inFlight = { nextRetryAt: this.#clock.now() + intervalMs, intervalMs, attempt };
    const update = clone(StatusUpdateSchema, head);
    if (stream.latestState !== undefined) update.latestState = stream.latestState;
    return { frameworkId: stream.frameworkId, taskId: stream.taskId, update, attempt };
  }

  #stream(frameworkId: string, taskId: string, create: boolean): Stream | undefined {
    let tasks = this.#streams.get(frameworkId);
    if (tasks === undefined) {
      if (!create) return undefined;
      tasks = new Map();
      this.#streams.set(frameworkId, tasks);
    }
    let stream = tasks.get(taskId);
    if (stream === undefined && create) {
      stream = { frameworkId, taskId, pending: [], received: new Set(), acknowledged: new Set(), terminated: false, latestState: undefined, inFlight: undefined };
      tasks.set(taskId, stream);
    }
    return stream;
  }

  #remove(stream: Stream): void {
    const tasks = this.#streams.get(stream.frameworkId);
    tasks?.delete(stream.taskId);
    if (tasks?.size === 0) this.#streams.delete(stream.frameworkId);
  }

  *#allStreams(): Generator<Stream> {
    for (const tasks of this.#streams.values()) yield* tasks.values();
  }
}
