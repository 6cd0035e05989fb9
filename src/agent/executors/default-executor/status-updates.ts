/**
 * The executor's side of reliable status updates (reference 4.3), shared by
 * every task of the default executor:
 *
 * - each update is kept until the agent ACKNOWLEDGEs its uuid;
 * - a task is "unacknowledged" until one of its updates is acknowledged;
 * - both are carried by the next SUBSCRIBE (`subscribeCall()`), which is how
 *   updates sent while disconnected reach the agent;
 * - updates are POSTed one at a time, in order, and only while subscribed.
 *
 * It also remembers each task's last status: health and check updates are
 * copies of it (../../health/task-status.ts).
 */
import { create } from '@bufbuild/protobuf';

import { errorMessage } from '../../../lib/errors.js';
import {
  type Call_Subscribe,
  Call_SubscribeSchema,
  Call_Type,
  type Call_Update,
  Call_UpdateSchema,
} from '../../../protocol/gen/mesos/v1/executor/executor_pb.js';
import type { TaskInfo, TaskStatus } from '../../../protocol/gen/mesos/v1/mesos_pb.js';
import { taskStateName } from '../../task-states.js';
import type { ExecutorTransport } from '../executor-client.js';

export class StatusUpdates {
  readonly #client: ExecutorTransport;
  readonly #isSubscribed: () => boolean;
  readonly #log: (line: string) => void;
  /** By uuid (hex), in the order sent: Map keeps insertion order. */
  readonly #unacknowledged = new Map<string, Call_Update>();
  /** Tasks none of whose updates was acknowledged yet. */
  readonly #unacknowledgedTasks = new Map<string, TaskInfo>();
  /** Tasks the agent has acknowledged an update of (one small entry per task the executor ever ran). */
  readonly #acknowledgedOnce = new Set<string>();
  readonly #lastStatus = new Map<string, TaskStatus>();
  /** Updates neither POSTed nor carried by a SUBSCRIBE yet. */
  readonly #undelivered = new Set<string>();
  #sending: Promise<void> = Promise.resolve();

  constructor(client: ExecutorTransport, isSubscribed: () => boolean, log: (line: string) => void) {
    this.#client = client;
    this.#isSubscribed = isSubscribed;
    this.#log = log;
  }

  /** Updates the agent has not acknowledged yet. */
  get pending(): number {
    return this.#unacknowledged.size;
  }

  /** The SUBSCRIBE that hands the agent everything it may have missed. */
  subscribeCall(): Call_Subscribe {
    this.#undelivered.clear();
    return create(Call_SubscribeSchema, {
      unacknowledgedTasks: [...this.#unacknowledgedTasks.values()],
      unacknowledgedUpdates: [...this.#unacknowledged.values()],
    });
  }

  /** The task's latest status, for health and check updates. */
  lastStatus(taskId: string): TaskStatus | undefined {
    return this.#lastStatus.get(taskId);
  }

  /** Stops remembering a task's last status (its terminal update was sent). */
  forgetLastStatus(taskId: string): void {
    this.#lastStatus.delete(taskId);
  }

  send(task: TaskInfo, status: TaskStatus): void {
    const taskId = task.taskId?.value ?? '';
    const key = uuidKey(status.uuid);
    this.#unacknowledged.set(key, create(Call_UpdateSchema, { status }));
    this.#undelivered.add(key);
    if (!this.#acknowledgedOnce.has(taskId)) this.#unacknowledgedTasks.set(taskId, task);
    this.#lastStatus.set(taskId, status);
    this.#post(key);
  }

  /**
   * After SUBSCRIBED: POSTs what was created after the SUBSCRIBE call was
   * built (those are in no SUBSCRIBE and were not POSTed while disconnected).
   */
  subscribed(): void {
    for (const key of this.#undelivered) this.#post(key);
  }

  /** One POST at a time keeps the agent's view of the order. */
  #post(key: string): void {
    this.#sending = this.#sending.then(async () => {
      const update = this.#unacknowledged.get(key);
      // Not subscribed: resent with the next SUBSCRIBE. Gone: acknowledged meanwhile.
      if (!this.#isSubscribed() || update === undefined || !this.#undelivered.has(key)) return;
      this.#undelivered.delete(key);
      try {
        await this.#client.send(this.#client.call(Call_Type.UPDATE, { update }));
      } catch (err) {
        const status = update.status!;
        this.#log(`Failed to send ${taskStateName(status.state)} of task ${status.taskId?.value}: ${errorMessage(err)}; it is resent after re-subscribing`);
      }
    });
  }

  acknowledged(taskId: string | undefined, uuid: Uint8Array): void {
    const key = uuidKey(uuid);
    const update = this.#unacknowledged.get(key);
    this.#unacknowledged.delete(key);
    const id = taskId ?? update?.status?.taskId?.value;
    if (id !== undefined) {
      this.#unacknowledgedTasks.delete(id);
      this.#acknowledgedOnce.add(id);
    }
  }
}

function uuidKey(uuid: Uint8Array): string {
  return Buffer.from(uuid).toString('hex');
}
