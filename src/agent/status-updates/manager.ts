/**
 * The status update manager: the pure streams (streams.ts) plus the effects
 * they ask for: persisting to the task's update log for checkpointing
 * frameworks, sending to the master, and one timer for retries.
 *
 * Order for one update (why: an executor's update is ACKNOWLEDGED only once it
 * cannot be lost by an agent crash):
 *   1. streams.update()        dedupe, queue, maybe pick it to send
 *   2. log.appendUpdate()      fsync'd, checkpointing frameworks only
 *   3. send(forward)           only the head of the task's stream
 *   4. caller ACKNOWLEDGEs to the executor
 */
import type { Logger } from 'pino';

import type { Clock } from '../../lib/clock.js';
import type { StatusUpdate } from '../../protocol/gen/mesoscale/internal/agent_link_pb.js';
import type { UpdateLog } from './checkpoint.js';
import { type AckResult, type Forward, StatusUpdateStreams, type StreamsOptions, type UpdateResult } from './streams.js';

export interface StatusUpdateManagerOptions extends StreamsOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly log: UpdateLog;
  /** Sends one update to the master (fire and forget: a lost send is retried by the timer). */
  readonly send: (forward: Forward) => void;
}

export class StatusUpdateManager {
  readonly streams: StatusUpdateStreams;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #log: UpdateLog;
  readonly #send: (forward: Forward) => void;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: StatusUpdateManagerOptions) {
    this.streams = new StatusUpdateStreams(options.clock, options);
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#log = options.log;
    this.#send = options.send;
  }

  /** `checkpointPath`: the task's update log, for checkpointing frameworks. */
  async update(update: StatusUpdate, checkpointPath: string | undefined): Promise<UpdateResult> {
    const result = this.streams.update(update);
    if (result.kind !== 'accepted') return result;
    if (checkpointPath !== undefined) {
      try {
        await this.#log.appendUpdate(checkpointPath, update);
      } catch (err) {
        // Delivery still works from memory; only a restart would lose it.
        this.#logger.error({ err, path: checkpointPath }, 'failed to checkpoint status update');
      }
    }
    if (result.forward !== undefined) this.#forward(result.forward);
    this.#reschedule();
    return result;
  }

  async acknowledge(frameworkId: string, taskId: string, uuid: Uint8Array, checkpointPath: string | undefined): Promise<AckResult> {
    const result = this.streams.acknowledge(frameworkId, taskId, uuid);
    if (result.kind === 'acknowledged') {
      if (checkpointPath !== undefined) {
        await this.#log.appendAck(checkpointPath, uuid).catch((err: unknown) => {
          this.#logger.error({ err, path: checkpointPath }, 'failed to checkpoint acknowledgement');
        });
      }
      if (result.forward !== undefined) this.#forward(result.forward);
    }
    this.#reschedule();
    return result;
  }

  /** No master: hold everything. */
  pause(): void {
    this.streams.pause();
    this.#reschedule();
  }

  /** (Re-)registered: send every task's oldest unacknowledged update. */
  resume(): void {
    for (const forward of this.streams.resume()) this.#forward(forward);
    this.#reschedule();
  }

  cleanupFramework(frameworkId: string): void {
    this.streams.cleanupFramework(frameworkId);
    this.#reschedule();
  }

  cleanupAll(): void {
    this.streams.cleanupAll();
    this.#reschedule();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #forward(forward: Forward): void {
    try {
      this.#send(forward);
    } catch (err) {
      this.#logger.warn({ err, taskId: forward.taskId }, 'failed to send status update; it will be retried');
    }
  }

  #reschedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const next = this.streams.nextRetryAt();
    if (next === undefined || this.#stopped) return;
    this.#timer = setTimeout(() => {
      for (const forward of this.streams.dueRetries()) {
        this.#logger.info({ frameworkId: forward.frameworkId, taskId: forward.taskId, attempt: forward.attempt }, 'retrying status update');
        this.#forward(forward);
      }
      this.#reschedule();
    }, Math.max(0, next - this.#clock.now()));
    this.#timer.unref();
  }
}
