/**
 * The default executor: runs the task groups of an ExecutorInfo of type
 * DEFAULT, one nested container per task, speaking the v1 executor API to the
 * agent (reference 4) like Mesos' `mesos-default-executor`. The group rules
 * live in TaskGroupCore (pure); this class carries its decisions out over two
 * ports: the ExecutorTransport (events in, updates out) and the
 * NestedContainerPort (launch / wait / kill child containers).
 *
 * Connection states (after Mesos' default executor):
 *
 *   DISCONNECTED ──SUBSCRIBE (new connection id)──► SUBSCRIBED ──stream ends──► DISCONNECTED
 *        ▲                                                                           │
 *        └────────── retry with backoff, only when checkpointing ────────────────────┘ (else exit)
 *
 * Every nested-container call waits until the executor is subscribed. A wait
 * result that comes back on an older connection is dropped and the wait is
 * made again on the current one (resume waiting after re-subscribing); calls
 * that find the agent unavailable are retried. Updates go out through
 * StatusUpdates, which resends unacknowledged ones with the next SUBSCRIBE.
 * Once no task remains, the executor exits when the agent has acknowledged
 * every update, or after `ackTimeoutMs`.
 */
import { randomUUID } from 'node:crypto';

import { create } from '@bufbuild/protobuf';

import { randomUuidBytes } from '../../../lib/uuid.js';
import { type Event, Event_Type } from '../../../protocol/gen/mesos/v1/executor/executor_pb.js';
import {
  type ContainerID,
  FrameworkInfo_Capability_Type,
  type TaskInfo,
  type TaskState,
  TaskStatusSchema,
  TaskStatus_Source,
} from '../../../protocol/gen/mesos/v1/mesos_pb.js';
import type { ProbeContext } from '../../health/probe.js';
import { startTaskChecks, type TaskChecks } from '../../health/task-checks.js';
import { checkStatusUpdate, emptyCheckStatus, healthStatusUpdate } from '../../health/task-status.js';
import { isTerminalState } from '../../task-states.js';
import { commandEnvironment } from '../command-task.js';
import { type ExecutorEnvironment, type ExecutorTransport } from '../executor-client.js';
import { runSubscriptionLoop } from '../subscription-loop.js';
import { ConnectionState } from './connection-state.js';
import { KillEscalation } from './kill-escalation.js';
import { NestedContainerCalls } from './nested-container-calls.js';
import {
  type ContainerIdPath,
  describeContainerId,
  type NestedContainerId,
  type NestedContainerLaunch,
  type NestedContainerPort,
} from './nested-container-port.js';
import { StatusUpdates } from './status-updates.js';
import { type Decision, type StatusFields, TaskGroupCore, taskIdOf } from './task-group-core.js';


export interface DefaultExecutorOptions {
  readonly env: ExecutorEnvironment;
  readonly client: ExecutorTransport;
  /** The agent's nested-container calls (see README.md). */
  readonly containers: NestedContainerPort;
  /** Human-readable progress lines (the executor sandbox's stderr). */
  readonly log: (line: string) => void;
  /** How long to wait for the agent to acknowledge the last updates before exiting. */
  readonly ackTimeoutMs?: number;
  /** Pause before retrying a nested-container call that found the agent unavailable. */
  readonly retryIntervalMs?: number;
  /** The executor container's IP (LIBPROCESS_IP); tasks get it as MESOS_CONTAINER_IP. */
  readonly containerIp?: string;
  /**
   * Where a task's COMMAND health checks and checks run. Default: the executor
   * sandbox with this process's environment plus the task command's. (Mesos
   * runs them inside the task's container through a nested-container session;
   * HTTP and TCP checks reach the task on 127.0.0.1 as the group shares the
   * executor's network namespace.)
   */
  readonly checkContext?: (task: TaskInfo) => ProbeContext;
}

export class DefaultExecutor {
  readonly #env: ExecutorEnvironment;
  readonly #client: ExecutorTransport;
  readonly #log: (line: string) => void;
  readonly #ackTimeoutMs: number;
  readonly #taskEnv: Readonly<Record<string, string>>;
  readonly #checkContext: (task: TaskInfo) => ProbeContext;

  readonly #connection = new ConnectionState();
  readonly #calls: NestedContainerCalls;
  #abort = new AbortController();
  /** SUBSCRIBED.container_id: the parent of every task container. */
  #executorContainerId: ContainerIdPath | undefined;
  readonly #core: TaskGroupCore;
  readonly #updates: StatusUpdates;
  /** Child container of each task that has not sent its terminal update yet. */
  readonly #taskContainers = new Map<string, NestedContainerId>();
  readonly #kills = new Map<string, KillEscalation>();
  readonly #checks = new Map<string, TaskChecks>();
  #exitTimer: NodeJS.Timeout | undefined;
  /** No task remained at some point: exit once everything is acknowledged (unless a group arrives). */
  #exitRequested = false;
  #finished = false;
  #resolveFinished!: () => void;
  readonly #finishedPromise = new Promise<void>((resolve) => (this.#resolveFinished = resolve));

  constructor(options: DefaultExecutorOptions) {
    this.#env = options.env;
    this.#client = options.client;
    this.#log = options.log;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.#taskEnv = options.containerIp === undefined ? {} : { MESOS_CONTAINER_IP: options.containerIp };
    this.#checkContext =
      options.checkContext ??
      ((task) => ({
        cwd: this.#env.directory,
        env: { ...(task.command ? commandEnvironment(process.env, task.command) : definedOnly(process.env)), ...this.#taskEnv },
      }));
    this.#core = new TaskGroupCore({ shutdownGraceMs: this.#env.shutdownGracePeriodMs });
    this.#updates = new StatusUpdates(this.#client, () => this.#connection.subscribed, this.#log);
    this.#calls = new NestedContainerCalls(options.containers, this.#connection, options.retryIntervalMs ?? 1_000, this.#log);
  }

  /** Runs until no task remains and the updates are acknowledged (0), or the agent is gone for good (1). */
  run(): Promise<number> {
    return runSubscriptionLoop({
      client: this.#client,
      env: this.#env,
      log: this.#log,
      connecting: () => {
        this.#abort = new AbortController();
        this.#connection.connecting();
        return this.#abort.signal;
      },
      subscribeCall: () => this.#updates.subscribeCall(),
      handle: (event) => this.#handle(event),
      finished: () => this.#finished,
      wasSubscribed: () => this.#connection.subscribed,
      // The agent destroys the nested containers with the executor's container when the executor exits.
      disconnected: () => this.#connection.markDisconnected(),
      giveUp: (reason) => this.#giveUp(reason),
      done: this.#finishedPromise,
    });
  }

  /** Executor-level shutdown (SHUTDOWN event, or SIGTERM to the executor process). */
  shutdown(): void {
    this.#apply(this.#core.shutdown());
  }

  #handle(event: Event): void {
    switch (event.type) {
      case Event_Type.SUBSCRIBED:
        return this.#subscribed(event);
      case Event_Type.LAUNCH_GROUP:
        return this.#apply(this.#core.launchGroup(event.launchGroup?.taskGroup?.tasks ?? []));
      case Event_Type.KILL: {
        const ns = event.kill?.killPolicy?.gracePeriod?.nanoseconds;
        return this.#apply(this.#core.kill(event.kill?.taskId?.value ?? '', ns === undefined ? undefined : Number(ns / 1_000_000n)));
      }
      case Event_Type.ACKNOWLEDGED:
        this.#updates.acknowledged(event.acknowledged?.taskId?.value, event.acknowledged?.uuid ?? new Uint8Array());
        this.#finishIfDone();
        return;
      case Event_Type.SHUTDOWN:
        return this.shutdown();
      case Event_Type.LAUNCH:
        return this.#log(`Ignoring LAUNCH of task ${event.launch?.task?.taskId?.value}: the default executor runs task groups (LAUNCH_GROUP)`);
      case Event_Type.MESSAGE:
        return this.#log(`Ignoring a framework message of ${event.message?.data.length ?? 0} bytes: the default executor has no use for it`);
      case Event_Type.ERROR:
        return this.#log(`Error from the agent: ${event.error?.message ?? ''}`);
      default:
        return; // HEARTBEAT
    }
  }

  #subscribed(event: Event): void {
    const subscribed = event.subscribed;
    const containerId = subscribed?.containerId;
    if (containerId !== undefined) {
      const path = containerIdPath(containerId);
      if (this.#executorContainerId !== undefined && describeContainerId(this.#executorContainerId) !== describeContainerId(path)) {
        this.#log(`The agent now names this executor's container ${describeContainerId(path)} (was ${describeContainerId(this.#executorContainerId)}); keeping the first`);
      } else {
        this.#executorContainerId = path;
      }
    }
    this.#core.taskKillingState = subscribed?.frameworkInfo?.capabilities.some((c) => c.type === FrameworkInfo_Capability_Type.TASK_KILLING_STATE) ?? false;
    this.#connection.markSubscribed();
    this.#log(`Subscribed executor ${this.#env.executorId} of framework ${this.#env.frameworkId} (connection ${this.#connection.id})`);
    this.#updates.subscribed();
  }

  #apply(decisions: readonly Decision[]): void {
    for (const decision of decisions) {
      switch (decision.kind) {
        case 'update':
          this.#sendUpdate(decision.task, decision.state, decision.fields);
          break;
        case 'launch':
          void this.#launchGroup(decision.groupId, decision.tasks);
          break;
        case 'startChecks':
          this.#startChecks(decision.task);
          break;
        case 'stopChecks':
          this.#checks.get(taskIdOf(decision.task))?.stop();
          this.#checks.delete(taskIdOf(decision.task));
          break;
        case 'watch':
          void this.#watch(decision.task);
          break;
        case 'kill':
          this.#kill(decision.task, decision.graceMs);
          break;
        case 'destroy': {
          const containerId = this.#taskContainers.get(taskIdOf(decision.task));
          // Rolling back a failed launch: keep trying until the executor exits (the agent then destroys it all).
          if (containerId !== undefined) void this.#calls.signal(containerId, 'SIGKILL', () => true);
          break;
        }
        case 'idle':
          this.#scheduleExit();
          break;
        case 'log':
          this.#log(decision.line);
          break;
      }
    }
  }

  #sendUpdate(task: TaskInfo, state: TaskState, fields: StatusFields): void {
    const taskId = taskIdOf(task);
    const checkStatus = task.check !== undefined ? emptyCheckStatus(task.check) : undefined;
    const containerId = this.#containerIdOf(task);
    const status = create(TaskStatusSchema, {
      taskId: task.taskId,
      state,
      source: TaskStatus_Source.EXECUTOR,
      uuid: randomUuidBytes(),
      timestamp: Date.now() / 1000,
      executorId: { value: this.#env.executorId },
      ...(checkStatus !== undefined ? { checkStatus } : {}),
      ...(containerId !== undefined ? { containerStatus: { containerId } } : {}),
      ...fields,
    });
    this.#updates.send(task, status);
    if (isTerminalState(state)) {
      this.#kills.get(taskId)?.cancel();
      this.#kills.delete(taskId);
      this.#taskContainers.delete(taskId);
      this.#updates.forgetLastStatus(taskId);
    }
  }

  /** The task's child container id, minted on first use (its TASK_STARTING already names it). */
  #containerIdOf(task: TaskInfo): NestedContainerId | undefined {
    const taskId = taskIdOf(task);
    const known = this.#taskContainers.get(taskId);
    if (known !== undefined || this.#executorContainerId === undefined) return known;
    const containerId: NestedContainerId = { value: randomUUID(), parent: this.#executorContainerId };
    this.#taskContainers.set(taskId, containerId);
    return containerId;
  }

  /** All launches in parallel, as Mesos does; the core rolls the group back if any failed. */
  async #launchGroup(groupId: number, tasks: readonly TaskInfo[]): Promise<void> {
    const failures = new Map<string, string>();
    await Promise.all(
      tasks.map(async (task) => {
        const why = await this.#launch(task);
        if (why !== undefined) failures.set(taskIdOf(task), why);
      }),
    );
    if (!this.#finished) this.#apply(this.#core.groupLaunched(groupId, failures));
  }

  /** Launches the task's container; undefined on success, else why it failed. */
  async #launch(task: TaskInfo): Promise<string | undefined> {
    const containerId = this.#containerIdOf(task);
    if (containerId === undefined) {
      return 'The agent did not send SUBSCRIBED.container_id, which nested containers need as their parent; is the agent too old?';
    }
    const launch: NestedContainerLaunch = {
      containerId,
      ...(task.command !== undefined ? { command: task.command } : {}),
      ...(task.container !== undefined ? { container: task.container } : {}),
      resources: task.resources,
      limits: task.limits,
      env: this.#taskEnv,
    };
    return this.#calls.launch(launch, `task ${taskIdOf(task)}`);
  }

  async #watch(task: TaskInfo): Promise<void> {
    const taskId = taskIdOf(task);
    const containerId = this.#taskContainers.get(taskId);
    if (containerId === undefined) return;
    const exit = await this.#calls.wait(containerId, `task ${taskId}`);
    if (exit !== undefined && !this.#finished) this.#apply(this.#core.exited(taskId, exit));
  }

  #kill(task: TaskInfo, graceMs: number): void {
    const taskId = taskIdOf(task);
    const containerId = this.#taskContainers.get(taskId);
    if (containerId === undefined) return;
    let escalation = this.#kills.get(taskId);
    if (escalation === undefined) {
      escalation = new KillEscalation((signal) => {
        this.#log(`Sending ${signal} to child container ${describeContainerId(containerId)} of task ${taskId}`);
        void this.#calls.signal(containerId, signal, () => this.#taskContainers.has(taskId));
      });
      this.#kills.set(taskId, escalation);
    }
    this.#log(`Killing task ${taskId}: ${escalation.started ? `SIGKILL in ${graceMs} ms at the latest` : `SIGTERM, then SIGKILL after ${graceMs} ms`}`);
    escalation.kill(graceMs);
  }

  /** From TASK_RUNNING until the task is being killed or has exited. */
  #startChecks(task: TaskInfo): void {
    if (task.healthCheck === undefined && task.check === undefined) return;
    const taskId = taskIdOf(task);
    const fresh = () => ({ uuid: randomUuidBytes(), timestamp: Date.now() / 1000 });
    const last = () => (this.#core.reportsChecks(taskId) ? this.#updates.lastStatus(taskId) : undefined);
    const checks = startTaskChecks(task, this.#checkContext(task), {
      healthChanged: (healthy) => {
        const status = last();
        if (status !== undefined) this.#updates.send(task, healthStatusUpdate(status, healthy, fresh()));
      },
      checkChanged: (checkStatus) => {
        const status = last();
        if (status !== undefined) this.#updates.send(task, checkStatusUpdate(status, checkStatus, fresh()));
      },
      killUnhealthy: (message) => this.#apply(this.#core.unhealthy(taskId, message)),
      log: this.#log,
    });
    this.#checks.set(taskId, checks);
  }

  #scheduleExit(): void {
    this.#exitRequested = true;
    if (this.#finishIfDone()) return;
    this.#log(`No task remains; exiting once the agent acknowledges ${this.#updates.pending} update(s), at most ${this.#ackTimeoutMs} ms from now`);
    clearTimeout(this.#exitTimer);
    this.#exitTimer = setTimeout(() => {
      this.#exitTimer = undefined;
      if (this.#core.idle) this.#finish();
    }, this.#ackTimeoutMs);
  }

  /** Finishes when no task remains and nothing is unacknowledged; says whether it did. */
  #finishIfDone(): boolean {
    if (!this.#exitRequested || !this.#core.idle || this.#updates.pending > 0) return false;
    this.#finish();
    return true;
  }

  #giveUp(line: string): number {
    this.#log(line);
    this.#finish();
    return 1;
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#exitTimer);
    for (const checks of this.#checks.values()) checks.stop();
    for (const escalation of this.#kills.values()) escalation.cancel();
    this.#abort.abort();
    this.#connection.close();
    this.#resolveFinished();
  }
}

function containerIdPath(id: ContainerID): ContainerIdPath {
  return id.parent === undefined ? { value: id.value } : { value: id.value, parent: containerIdPath(id.parent) };
}

function definedOnly(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
