/**
 * The agent's end of the executor API, in memory, for tests of the default
 * executor (it stands in for the agent, whose nested-container support is
 * being built). It accepts SUBSCRIBE (answering SUBSCRIBED with the executor's
 * container id), records UPDATEs and acknowledges them, and lets the test send
 * LAUNCH_GROUP, KILL and SHUTDOWN or drop the connection.
 */
import { create, type MessageInitShape } from '@bufbuild/protobuf';

import {
  type Call,
  Call_Type,
  type Call_Subscribe,
  type Event,
  EventSchema,
  Event_Type,
} from '../../../../protocol/gen/mesos/v1/executor/executor_pb.js';
import { FrameworkInfo_Capability_Type, type TaskInfo, TaskState, type TaskStatus } from '../../../../protocol/gen/mesos/v1/mesos_pb.js';
import { taskStateName } from '../../../task-states.js';
import { executorCall, type ExecutorEnvironment, type ExecutorTransport } from '../../executor-client.js';

export const EXECUTOR_CONTAINER_ID = 'executor-container';

/** One executor subscription: events queued for its `for await`. */
class EventStream {
  readonly #events: Event[] = [];
  #wake: (() => void) | undefined;
  closed = false;

  push(event: Event): void {
    if (this.closed) return;
    this.#events.push(event);
    this.#wake?.();
  }

  close(): void {
    this.closed = true;
    this.#wake?.();
  }

  async *drain(signal: AbortSignal): AsyncGenerator<Event> {
    const onAbort = () => this.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        while (this.#events.length > 0) yield this.#events.shift()!;
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.closed = true;
    }
  }
}

export class InMemoryExecutorAgent implements ExecutorTransport {
  readonly #env: ExecutorEnvironment;
  readonly #taskKillingState: boolean;
  #stream: EventStream | undefined;
  #listeners: Array<() => void> = [];
  /** Every status the executor sent, in order (UPDATE calls and SUBSCRIBE's unacknowledged updates). */
  readonly statuses: TaskStatus[] = [];
  readonly subscribes: Call_Subscribe[] = [];
  /** Whether UPDATEs are ACKNOWLEDGED (set false to play an agent that never acknowledges). */
  acknowledge = true;
  /** While false, SUBSCRIBE fails as a connection error would. */
  reachable = true;

  constructor(env: ExecutorEnvironment, options: { taskKillingState?: boolean } = {}) {
    this.#env = env;
    this.#taskKillingState = options.taskKillingState ?? false;
  }

  call(type: Call_Type, fields: Partial<Pick<Call, 'subscribe' | 'update' | 'message'>> = {}): Call {
    return executorCall(this.#env, type, fields);
  }

  async *subscribe(subscribe: Call_Subscribe, signal: AbortSignal): AsyncGenerator<Event> {
    if (!this.reachable) throw new Error('connect ECONNREFUSED (in-memory agent is down)');
    this.subscribes.push(subscribe);
    const stream = new EventStream();
    this.#stream = stream;
    stream.push(
      create(EventSchema, {
        type: Event_Type.SUBSCRIBED,
        subscribed: {
          executorInfo: { executorId: { value: this.#env.executorId } },
          frameworkInfo: {
            user: 'test',
            name: 'test',
            capabilities: this.#taskKillingState ? [{ type: FrameworkInfo_Capability_Type.TASK_KILLING_STATE }] : [],
          },
          agentInfo: { hostname: 'localhost' },
          containerId: { value: EXECUTOR_CONTAINER_ID },
        },
      }),
    );
    // The agent takes over the updates it missed, and acknowledges them like any other.
    for (const update of subscribe.unacknowledgedUpdates) this.#received(update.status!);
    yield* stream.drain(signal);
  }

  async send(call: Call): Promise<void> {
    if (this.#stream === undefined || this.#stream.closed) throw new Error('not subscribed');
    if (call.type === Call_Type.UPDATE) this.#received(call.update!.status!);
  }

  launchGroup(tasks: TaskInfo[]): void {
    this.#push({ type: Event_Type.LAUNCH_GROUP, launchGroup: { taskGroup: { tasks } } });
  }

  kill(taskId: string, graceMs?: number): void {
    const killPolicy = graceMs === undefined ? undefined : { gracePeriod: { nanoseconds: BigInt(graceMs) * 1_000_000n } };
    this.#push({ type: Event_Type.KILL, kill: { taskId: { value: taskId }, ...(killPolicy ? { killPolicy } : {}) } });
  }

  shutdown(): void {
    this.#push({ type: Event_Type.SHUTDOWN });
  }

  /** Ends the executor's event stream, as an agent restart does. */
  disconnect(): void {
    this.#stream?.close();
  }

  /** The states of a task's updates, in order, without repeats (health and check updates repeat a state). */
  states(taskId: string): string[] {
    const states = this.statuses.filter((s) => s.taskId?.value === taskId).map((s) => taskStateName(s.state));
    return states.filter((state, i) => state !== states[i - 1]);
  }

  /** The first status of the task in `state`, once it arrives. */
  async waitForState(taskId: string, state: TaskState, timeoutMs = 5_000): Promise<TaskStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.statuses.find((s) => s.taskId?.value === taskId && s.state === state);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(`Task ${taskId} did not reach ${taskStateName(state)} within ${timeoutMs} ms; its states: ${this.states(taskId).join(' → ') || 'none'}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20);
        this.#listeners.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #received(status: TaskStatus): void {
    this.statuses.push(status);
    if (this.acknowledge) {
      this.#stream?.push(create(EventSchema, { type: Event_Type.ACKNOWLEDGED, acknowledged: { taskId: status.taskId, uuid: status.uuid } }));
    }
    for (const listener of this.#listeners.splice(0)) listener();
  }

  #push(event: MessageInitShape<typeof EventSchema>): void {
    if (this.#stream === undefined || this.#stream.closed) throw new Error('The executor is not subscribed to the in-memory agent');
    this.#stream.push(create(EventSchema, event));
  }
}

