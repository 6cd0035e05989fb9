/**
 * What the agent knows about the frameworks, executors and tasks it runs.
 * Plain records; agent.ts changes them, http/state-json.ts shows them.
 *
 * An executor's life (Mesos' Executor::State, with launching split out):
 *
 *   LAUNCHING ──process started──► REGISTERING ──SUBSCRIBE──► RUNNING
 *       │                              │                         │
 *       └── fetch/launch failed ───────┴── timeout / SHUTDOWN ───┴──► TERMINATING ──exit──► TERMINATED
 *
 * A task is first queued on its executor (TaskInfo), becomes a launched Task
 * (state TASK_STAGING) when LAUNCH is sent to the executor, moves to
 * `terminatedTasks` on its terminal update, and to `completedTasks` once
 * that update is acknowledged by the scheduler. A TERMINATED executor with
 * no tasks left moves to its framework's completed executors.
 */
import { create } from '@bufbuild/protobuf';

import type { Logger } from 'pino';
import {
  type ExecutorInfo,
  ExecutorInfo_Type,
  type FrameworkInfo,
  type Task,
  type TaskInfo,
  TaskSchema,
  TaskState,
  type TaskStatus,
  TaskStatusSchema,
  type TaskStatus_Reason,
} from '../protocol/gen/mesos/v1/mesos_pb.js';
import type { LaunchedContainer } from './launcher/launcher.js';
import type { RunIds } from './paths.js';
import { isTerminalState } from './task-states.js';
import type { ExecutorEventSink } from './http/executor-stream.js';

export type ExecutorPhase = 'launching' | 'registering' | 'running' | 'terminating' | 'terminated';

/** Why the agent is ending an executor; becomes the state/reason of its unfinished tasks. */
export interface PendingTermination {
  readonly state: TaskState;
  readonly reason: TaskStatus_Reason;
  readonly message: string;
}

export class ExecutorRecord {
  readonly id: string;
  readonly frameworkId: string;
  readonly info: ExecutorInfo;
  readonly containerId: string;
  /** Host path of the sandbox. */
  readonly directory: string;
  readonly runIds: RunIds;
  /** The agent made up this ExecutorInfo for a command task. */
  readonly isCommandExecutor: boolean;
  phase: ExecutorPhase = 'launching';
  readonly queuedTasks = new Map<string, TaskInfo>();
  /** Task groups (LAUNCH_GROUP) waiting for SUBSCRIBE; their tasks are in `queuedTasks` too. */
  readonly queuedGroups: TaskInfo[][] = [];
  readonly launchedTasks = new Map<string, Task>();
  readonly terminatedTasks = new Map<string, Task>();
  readonly completedTasks: Task[] = [];
  stream: ExecutorEventSink | undefined;
  container: LaunchedContainer | undefined;
  pendingTermination: PendingTermination | undefined;
  readonly timers = new Set<NodeJS.Timeout>();

  constructor(fields: {
    frameworkId: string;
    info: ExecutorInfo;
    containerId: string;
    directory: string;
    runIds: RunIds;
    isCommandExecutor: boolean;
  }) {
    this.id = fields.info.executorId!.value;
    this.frameworkId = fields.frameworkId;
    this.info = fields.info;
    this.containerId = fields.containerId;
    this.directory = fields.directory;
    this.runIds = fields.runIds;
    this.isCommandExecutor = fields.isCommandExecutor;
  }

  /** ExecutorInfo.type DEFAULT: the default executor, run inside the agent, runs its task groups. */
  get isDefaultExecutor(): boolean {
    return this.info.type === ExecutorInfo_Type.DEFAULT;
  }

  /** The queued task group holding this task, if any. */
  queuedGroupOf(taskId: string): TaskInfo[] | undefined {
    return this.queuedGroups.find((group) => group.some((t) => t.taskId?.value === taskId));
  }

  /** The launched or terminated (not yet acknowledged) Task with this id. */
  task(taskId: string): Task | undefined {
    return this.launchedTasks.get(taskId) ?? this.terminatedTasks.get(taskId);
  }

  hasTask(taskId: string): boolean {
    return this.queuedTasks.has(taskId) || this.launchedTasks.has(taskId) || this.terminatedTasks.has(taskId);
  }

  /** No task of this executor still waits for anything. */
  get idle(): boolean {
    return this.queuedTasks.size === 0 && this.launchedTasks.size === 0 && this.terminatedTasks.size === 0;
  }

  get active(): boolean {
    return this.phase !== 'terminating' && this.phase !== 'terminated';
  }

  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

export class FrameworkRecord {
  readonly id: string;
  info: FrameworkInfo;
  readonly executors = new Map<string, ExecutorRecord>();
  readonly completedExecutors: ExecutorRecord[] = [];
  /** SHUTDOWN_FRAMEWORK received: its executors are going away and so is it. */
  shuttingDown = false;

  constructor(id: string, info: FrameworkInfo) {
    this.id = id;
    this.info = info;
  }

  get checkpoint(): boolean {
    return this.info.checkpoint;
  }

  /** The executor that runs (or will run) a task. */
  executorOfTask(taskId: string): ExecutorRecord | undefined {
    for (const executor of this.executors.values()) if (executor.hasTask(taskId)) return executor;
    return undefined;
  }
}

/** A Task (as /state and REREGISTER show it) for a TaskInfo about to be sent to its executor. */
export function newTask(info: TaskInfo, frameworkId: string, executorId: string, agentId: string, user: string): Task {
  return create(TaskSchema, {
    name: info.name,
    taskId: info.taskId,
    frameworkId: { value: frameworkId },
    executorId: { value: executorId },
    agentId: { value: agentId },
    state: TaskState.TASK_STAGING,
    resources: info.resources,
    labels: info.labels,
    discovery: info.discovery,
    container: info.container,
    healthCheck: info.healthCheck,
    killPolicy: info.killPolicy,
    user,
  });
}

/** Records a status on its task: latest state, and the history without data (as Mesos keeps it). */
export function applyStatus(task: Task, status: TaskStatus): void {
  task.state = status.state;
  const copy = create(TaskStatusSchema, { ...status, data: new Uint8Array(0) });
  task.statuses.push(copy);
}

/** Moves a task whose status just became terminal from launched to terminated. */
export function noteTerminal(executor: ExecutorRecord, task: Task): void {
  const id = task.taskId!.value;
  if (isTerminalState(task.state) && executor.launchedTasks.delete(id)) executor.terminatedTasks.set(id, task);
}

/** Bounded push for completed lists. */
export function pushBounded<T>(list: T[], item: T, max: number, logger?: Logger): void {
  list.push(item);
  while (list.length > max) {
    list.shift();
    logger?.debug('dropped the oldest completed entry');
  }
}
