/**
 * Frameworks, executors and tasks on this agent: what the master asks
 * (run, kill, shut down), what executors say (subscribe, update, message),
 * and what happens when an executor ends. The state it changes is drawn in
 * state.ts; the master link and HTTP edges call in here.
 *
 * Running a task (RUN_TASK):
 *   1. find or make the framework and the executor (a made-up one for command tasks);
 *   2. a new executor: sandbox → fetch → launch (containerizer), task queued;
 *   3. SUBSCRIBE: SUBSCRIBED, then LAUNCH for every queued task;
 *   4. executor UPDATEs → status update manager → ACKNOWLEDGED to the executor;
 *   5. executor exit: unfinished tasks TASK_FAILED (or the pending termination's
 *      state/reason), EXECUTOR_EXITED to the master.
 *
 * Running a task group (RUN_TASK_GROUP, ExecutorInfo type DEFAULT): the same,
 * with the group queued whole and delivered as one LAUNCH_GROUP; the executor
 * is the default executor run inside the agent (builtin-default-executor.ts),
 * each task a nested container of the executor's container.
 */
import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';

import { create } from '@bufbuild/protobuf';
import type { Logger } from 'pino';

import type { Clock } from '../lib/clock.js';
import { formatDuration } from '../lib/duration.js';
import { AgentCallSchema, AgentCall_Type, StatusUpdateSchema } from '../protocol/gen/mesoscale/internal/agent_link_pb.js';
import type { AgentCall } from '../protocol/gen/mesoscale/internal/agent_link_pb.js';
import type { Call_Subscribe } from '../protocol/gen/mesos/v1/executor/executor_pb.js';
import {
  AgentIDSchema,
  type AgentInfo,
  ExecutorIDSchema,
  ExecutorInfo_Type,
  type ExecutorInfo,
  type FrameworkInfo,
  FrameworkInfo_Capability_Type,
  type KillPolicy,
  type TaskInfo,
  TaskState,
  type TaskStatus,
  TaskStatus_Reason,
} from '../protocol/gen/mesos/v1/mesos_pb.js';
import { commandExecutorInfo } from './containerizer/command-executor-info.js';
import { commandSpec, containerResources } from './containerizer/command-spec.js';
import type { Containerizer } from './containerizer/containerizer.js';
import type { Termination } from './containerizer/runtime/container-runtime.js';
import { ExecutorCallError, LaunchError } from './errors.js';
import type { ExecutorApiBackend } from './http/executor-api.js';
import type { ExecutorEventSink } from './http/executor-stream.js';
import { describeExit, type ExitStatus, type LaunchedContainer } from './launcher/launcher.js';
import { type BuiltinExecutor, startBuiltinCommandExecutor } from './executors/builtin-command-executor.js';
import { startBuiltinDefaultExecutor } from './executors/builtin-default-executor.js';
import * as msg from './messages.js';
import { latestSandboxLink, sandboxDir, STDERR, taskUpdatesPath } from './paths.js';
import type { RunCheckpointer } from './run-checkpointer.js';
import { applyStatus, ExecutorRecord, FrameworkRecord, newTask, noteTerminal, pushBounded } from './state.js';
import type { StatusUpdateManager } from './status-updates/manager.js';
import type { UpdateResult } from './status-updates/streams.js';
import { isTerminalState } from './task-states.js';

/** Mesos' agent constants for completed lists. */
const MAX_COMPLETED_FRAMEWORKS = 50;
const MAX_COMPLETED_TASKS_PER_EXECUTOR = 200;

export interface ExecutorManagerDeps {
  readonly workDir: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly containerizer: Containerizer;
  readonly statusUpdates: StatusUpdateManager;
  readonly checkpointer: RunCheckpointer;
  readonly registrationTimeoutMs: number;
  readonly shutdownGracePeriodMs: number;
  readonly maxCompletedExecutorsPerFramework: number;
  /** --http_command_executor: command executors as separate processes over HTTP (else built in). */
  readonly httpCommandExecutor: boolean;
  agentId(): string;
  agentInfo(): AgentInfo;
  /** argv and environment of an executor process (`inImage`: it runs in a container with its own rootfs). */
  executorProcess(executor: ExecutorRecord, framework: FrameworkRecord, inImage: boolean): { argv: string[]; env: Record<string, string> };
  sendToMaster(call: AgentCall): boolean;
}

export class ExecutorManager implements ExecutorApiBackend {
  readonly frameworks = new Map<string, FrameworkRecord>();
  readonly completedFrameworks: FrameworkRecord[] = [];
  readonly #d: ExecutorManagerDeps;
  readonly #log: Logger;

  constructor(deps: ExecutorManagerDeps) {
    this.#d = deps;
    this.#log = deps.logger;
  }

  // ------------------------------------------------------------ from the master

  runTask(frameworkInfo: FrameworkInfo, task: TaskInfo): void {
    const frameworkId = frameworkInfo.id!.value;
    const framework = this.#framework(frameworkId, frameworkInfo);
    const isCommand = task.executor === undefined;
    const info = isCommand ? commandExecutorInfo(task, frameworkId) : task.executor!;
    const executorId = info.executorId!.value;
    let executor = framework.executors.get(executorId);
    if (executor !== undefined && !executor.active) {
      void this.#agentUpdate(framework, undefined, task.taskId!.value, this.#lostOrDropped(framework), 'Executor is terminating', TaskStatus_Reason.EXECUTOR_TERMINATED);
      return;
    }
    if (executor === undefined) {
      const containerId = randomUUID();
      const runIds = { agentId: this.#d.agentId(), frameworkId, executorId, containerId };
      executor = new ExecutorRecord({ frameworkId, info, containerId, directory: sandboxDir(this.#d.workDir, runIds), runIds, isCommandExecutor: isCommand });
      framework.executors.set(executorId, executor);
      executor.queuedTasks.set(task.taskId!.value, task);
      void this.#launch(framework, executor);
    } else if (executor.stream !== undefined) {
      this.#sendLaunch(framework, executor, task);
    } else {
      executor.queuedTasks.set(task.taskId!.value, task);
    }
    if (framework.checkpoint) void this.#d.checkpointer.task(executor.runIds, task);
  }

  /**
   * LAUNCH_GROUP: the tasks of a group go to their executor together. An
   * ExecutorInfo of type DEFAULT is the default executor, run inside the agent
   * (builtin-default-executor.ts), one nested container per task. Other
   * executor types cannot run groups here: every task fails, saying so.
   */
  runTaskGroup(frameworkInfo: FrameworkInfo, executorInfo: ExecutorInfo, tasks: readonly TaskInfo[]): void {
    const frameworkId = frameworkInfo.id!.value;
    const framework = this.#framework(frameworkId, frameworkInfo);
    const executorId = executorInfo.executorId?.value;
    if (executorInfo.type !== ExecutorInfo_Type.DEFAULT || executorId === undefined) {
      for (const task of tasks) {
        void this.#agentUpdate(framework, undefined, task.taskId!.value, TaskState.TASK_FAILED, 'task groups need an ExecutorInfo of type DEFAULT on this agent', TaskStatus_Reason.CONTAINER_LAUNCH_FAILED, executorId);
      }
      return;
    }
    let executor = framework.executors.get(executorId);
    if (executor !== undefined && !executor.active) {
      for (const task of tasks) {
        void this.#agentUpdate(framework, undefined, task.taskId!.value, this.#lostOrDropped(framework), 'Executor is terminating', TaskStatus_Reason.EXECUTOR_TERMINATED, executorId);
      }
      return;
    }
    const group = [...tasks];
    if (executor === undefined) {
      const containerId = randomUUID();
      const runIds = { agentId: this.#d.agentId(), frameworkId, executorId, containerId };
      executor = new ExecutorRecord({ frameworkId, info: executorInfo, containerId, directory: sandboxDir(this.#d.workDir, runIds), runIds, isCommandExecutor: false });
      framework.executors.set(executorId, executor);
      this.#queueGroup(executor, group);
      void this.#launch(framework, executor);
    } else if (executor.stream !== undefined) {
      this.#sendLaunchGroup(framework, executor, group);
    } else {
      this.#queueGroup(executor, group);
    }
    if (framework.checkpoint) for (const task of group) void this.#d.checkpointer.task(executor.runIds, task);
  }

  killTask(frameworkId: string, taskId: string, killPolicy: KillPolicy | undefined): void {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined) {
      this.#log.warn({ frameworkId, taskId }, 'ignoring kill of a task of an unknown framework');
      return;
    }
    const executor = framework.executorOfTask(taskId);
    if (executor === undefined) {
      void this.#agentUpdate(framework, undefined, taskId, this.#lostOrDropped(framework), 'Cannot find executor', TaskStatus_Reason.EXECUTOR_TERMINATED);
      return;
    }
    const queued = executor.queuedTasks.get(taskId);
    if (queued !== undefined) {
      // Never reached the executor: the agent answers for it. As Mesos, a task of a queued group takes its whole group along.
      const group = executor.queuedGroupOf(taskId);
      if (group !== undefined) executor.queuedGroups.splice(executor.queuedGroups.indexOf(group), 1);
      const killed = group ?? [queued];
      for (const task of killed) {
        const id = task.taskId!.value;
        executor.queuedTasks.delete(id);
        executor.launchedTasks.set(id, newTask(task, frameworkId, executor.id, this.#d.agentId(), framework.info.user));
        void this.#agentUpdate(framework, executor, id, TaskState.TASK_KILLED, 'Killed before delivery to the executor', TaskStatus_Reason.TASK_KILLED_DURING_LAUNCH);
      }
      const killedIds = new Set(killed.map((t) => t.taskId!.value));
      // As Mesos (MESOS-8411): an executor left with nothing to run is shut down.
      const nothingLeft = executor.queuedTasks.size === 0 && [...executor.launchedTasks.values()].every((t) => killedIds.has(t.taskId?.value ?? '') || isTerminalState(t.state));
      if (nothingLeft && executor.stream === undefined) this.#shutdown(executor);
      return;
    }
    if (executor.stream === undefined) {
      this.#log.warn({ frameworkId, taskId, executorId: executor.id }, 'cannot kill the task now: its executor is not connected');
      return;
    }
    executor.stream.send(msg.killEvent(executor.task(taskId)!.taskId!, killPolicy));
  }

  shutdownExecutor(frameworkId: string, executorId: string): void {
    const executor = this.frameworks.get(frameworkId)?.executors.get(executorId);
    if (executor === undefined) this.#log.warn({ frameworkId, executorId }, 'ignoring shutdown of an unknown executor');
    else this.#shutdown(executor);
  }

  shutdownFramework(frameworkId: string): void {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined) return;
    framework.shuttingDown = true;
    for (const executor of framework.executors.values()) this.#shutdown(executor);
    this.#maybeRemoveFramework(framework);
  }

  /** The scheduler acknowledged an update (forwarded by the master). */
  async acknowledge(frameworkId: string, taskId: string, uuid: Uint8Array): Promise<void> {
    const framework = this.frameworks.get(frameworkId);
    const executor = framework?.executorOfTask(taskId);
    const path = framework?.checkpoint === true && executor !== undefined ? taskUpdatesPath(this.#d.workDir, executor.runIds, taskId) : undefined;
    const result = await this.#d.statusUpdates.acknowledge(frameworkId, taskId, uuid, path);
    if (result.kind !== 'acknowledged') {
      this.#log.info({ frameworkId, taskId, result: result.kind }, 'ignoring acknowledgement');
      return;
    }
    if (!result.terminal || executor === undefined) return;
    const task = executor.terminatedTasks.get(taskId);
    if (task !== undefined) {
      executor.terminatedTasks.delete(taskId);
      pushBounded(executor.completedTasks, task, MAX_COMPLETED_TASKS_PER_EXECUTOR);
    }
    this.#maybeRemoveExecutor(framework!, executor);
  }

  frameworkMessage(frameworkId: string, executorId: string, data: Uint8Array): void {
    const stream = this.frameworks.get(frameworkId)?.executors.get(executorId)?.stream;
    if (stream === undefined) this.#log.warn({ frameworkId, executorId }, 'dropping framework message: executor not connected');
    else stream.send(msg.messageEvent(data));
  }

  updateFramework(info: FrameworkInfo): void {
    const framework = this.frameworks.get(info.id?.value ?? '');
    if (framework !== undefined) framework.info = info;
  }

  /** The agent id is gone (the master refused re-registration): end everything. */
  async destroyAll(): Promise<void> {
    for (const framework of this.frameworks.values()) framework.shuttingDown = true;
    const all = [...this.frameworks.values()].flatMap((f) => [...f.executors.values()]);
    await Promise.all(all.map((e) => (e.container !== undefined ? this.#d.containerizer.destroy(e.containerId) : undefined)));
    this.#d.statusUpdates.cleanupAll();
  }

  // ------------------------------------------------------------ from executors (ExecutorApiBackend)

  findExecutor(frameworkId: string, executorId: string): ExecutorRecord {
    const framework = this.frameworks.get(frameworkId);
    if (framework === undefined) throw new ExecutorCallError(400, 'Framework cannot be found');
    const executor = framework.executors.get(executorId);
    if (executor === undefined) throw new ExecutorCallError(400, 'Executor cannot be found');
    return executor;
  }

  subscribeExecutor(executor: ExecutorRecord, subscribe: Call_Subscribe | undefined, stream: ExecutorEventSink): void {
    const framework = this.frameworks.get(executor.frameworkId)!;
    if (!executor.active) {
      // As Mesos: an executor that is being shut down is told so again.
      stream.send(msg.shutdownEvent());
      stream.close();
      return;
    }
    if (executor.stream !== undefined && executor.stream !== stream) executor.stream.close();
    executor.stream = stream;
    executor.phase = 'running';
    stream.onClose(() => {
      if (executor.stream === stream) executor.stream = undefined;
    });
    this.#log.info({ executorId: executor.id, frameworkId: executor.frameworkId }, 'executor subscribed');
    stream.send(msg.subscribedEvent(executor.info, framework.info, this.#d.agentInfo(), executor.containerId));
    for (const update of subscribe?.unacknowledgedUpdates ?? []) {
      if (update.status !== undefined) void this.executorUpdate(executor, update.status);
    }
    for (const group of executor.queuedGroups.splice(0)) this.#sendLaunchGroup(framework, executor, group);
    for (const task of [...executor.queuedTasks.values()]) this.#sendLaunch(framework, executor, task);
  }

  async executorUpdate(executor: ExecutorRecord, status: TaskStatus): Promise<void> {
    status.executorId = create(ExecutorIDSchema, { value: executor.id });
    const framework = this.frameworks.get(executor.frameworkId)!;
    const result = await this.#statusUpdate(framework, executor, status);
    if (result.kind === 'rejected') {
      this.#log.warn({ taskId: status.taskId?.value, reason: result.reason }, 'status update rejected');
      return;
    }
    executor.stream?.send(msg.acknowledgedEvent(status.taskId!, status.uuid));
  }

  executorMessage(executor: ExecutorRecord, data: Uint8Array): void {
    this.#d.sendToMaster(create(AgentCallSchema, {
      type: AgentCall_Type.FRAMEWORK_MESSAGE,
      frameworkMessage: { frameworkId: { value: executor.frameworkId }, executorId: { value: executor.id }, data },
    }));
  }

  // ------------------------------------------------------------ executor lifecycle

  async #launch(framework: FrameworkRecord, executor: ExecutorRecord): Promise<void> {
    executor.timers.add(setTimeout(() => this.#registrationTimedOut(executor), this.#d.registrationTimeoutMs));
    const containerizer = this.#d.containerizer;
    try {
      const latest = latestSandboxLink(this.#d.workDir, executor.runIds);
      await containerizer.prepareSandbox(executor.directory, latest);
      if (framework.checkpoint) await this.#d.checkpointer.executor(framework.info, executor);
      if (!executor.active) return this.#executorTerminated(executor, undefined);
      const builtin = executor.isCommandExecutor && !this.#d.httpCommandExecutor;
      if (executor.isCommandExecutor && !builtin && executor.info.container?.mesos?.image !== undefined) {
        throw new LaunchError('--http_command_executor cannot run a task with an image: the command executor process has no place in the image; run the agent without --http_command_executor (the built-in command executor runs it)');
      }
      const image = await containerizer.provision(executor.containerId, executor.info.container);
      if (!executor.active) return this.#executorTerminated(executor, undefined);
      const { argv, env } = this.#d.executorProcess(executor, framework, image !== undefined);
      const uris = executor.info.command?.uris ?? [];
      // Mesos sizes a container by the executor's resources plus its tasks'.
      const resources = containerResources(executor.info.resources, ...[...executor.queuedTasks.values()].map((t) => t.resources));
      const onLimitation = (termination: Termination): void => {
        const limitation = termination.limitation!;
        executor.pendingTermination = { state: TaskState.TASK_FAILED, reason: limitation.reason, message: termination.message };
        this.#log.warn({ executorId: executor.id, containerId: executor.containerId, reason: limitation.reason }, termination.message);
      };
      let container: LaunchedContainer;
      if (executor.isDefaultExecutor) {
        // The default executor runs in the agent; each task is a nested container of this one.
        await containerizer.fetch(uris, executor.directory);
        container = startBuiltinDefaultExecutor({ containerId: executor.containerId, directory: executor.directory, env, backend: this, containerizer });
      } else if (builtin) {
        await containerizer.fetch(uris, executor.directory);
        let started: BuiltinExecutor | undefined;
        const startTask = containerizer.taskStarter({
          containerId: executor.containerId,
          directory: executor.directory,
          env,
          ...(image !== undefined ? { image } : {}),
          resources,
          // As Mesos: the agent reports the task (SOURCE_AGENT), the executor says nothing more.
          onLimitation: (termination) => {
            onLimitation(termination);
            started?.abort();
          },
        });
        started = startBuiltinCommandExecutor({ containerId: executor.containerId, directory: executor.directory, env, backend: this, startTask });
        container = started;
      } else {
        const command = executor.isCommandExecutor || executor.info.command === undefined ? undefined : commandSpec(executor.info.command);
        container = await containerizer.launch({
          containerId: executor.containerId, directory: executor.directory, argv, env, uris, resources, onLimitation,
          ...(command !== undefined ? { command } : {}),
          ...(image !== undefined ? { image } : {}),
        });
      }
      executor.container = container;
      if (executor.phase === 'launching') executor.phase = 'registering';
      if (framework.checkpoint) await this.#d.checkpointer.pid(executor.runIds, container.pid);
      void container.exited.then((status) => this.#executorTerminated(executor, status));
      if (!executor.active) void containerizer.destroy(executor.containerId);
    } catch (err) {
      const message = (err as Error).message;
      this.#log.error({ executorId: executor.id, err: message }, 'failed to launch executor');
      // Leave the reason where people look for it.
      await appendFile(join(executor.directory, STDERR), `Failed to launch the executor: ${message}\n`).catch(() => undefined);
      executor.pendingTermination ??= { state: TaskState.TASK_FAILED, reason: TaskStatus_Reason.CONTAINER_LAUNCH_FAILED, message };
      await this.#executorTerminated(executor, undefined);
    }
  }

  #registrationTimedOut(executor: ExecutorRecord): void {
    if (executor.phase !== 'launching' && executor.phase !== 'registering') return;
    const stillLaunching = executor.phase === 'launching';
    executor.pendingTermination = {
      state: TaskState.TASK_FAILED,
      reason: stillLaunching ? TaskStatus_Reason.CONTAINER_LAUNCH_FAILED : TaskStatus_Reason.EXECUTOR_REGISTRATION_TIMEOUT,
      message: `Executor did not register within ${formatDuration(this.#d.registrationTimeoutMs)}`,
    };
    this.#log.warn({ executorId: executor.id }, executor.pendingTermination.message);
    this.#shutdown(executor, false);
  }

  /** SHUTDOWN to a connected executor, destroyed after its grace period; others are destroyed now. */
  #shutdown(executor: ExecutorRecord, graceful = true): void {
    if (!executor.active) return;
    executor.phase = 'terminating';
    if (executor.container === undefined) return; // still launching: #launch stops at the next step
    if (graceful && executor.stream !== undefined) {
      executor.stream.send(msg.shutdownEvent());
      const ns = executor.info.shutdownGracePeriod?.nanoseconds;
      const graceMs = ns !== undefined ? Number(ns / 1_000_000n) : this.#d.shutdownGracePeriodMs;
      executor.timers.add(setTimeout(() => void this.#d.containerizer.destroy(executor.containerId), graceMs));
    } else {
      void this.#d.containerizer.destroy(executor.containerId);
    }
  }

  async #executorTerminated(executor: ExecutorRecord, status: ExitStatus | undefined): Promise<void> {
    if (executor.phase === 'terminated') return;
    executor.phase = 'terminated';
    executor.clearTimers();
    // What the container leaves behind: runtime state, its root filesystem.
    void this.#d.containerizer.release(executor.containerId);
    executor.stream?.close();
    executor.stream = undefined;
    const framework = this.frameworks.get(executor.frameworkId)!;
    this.#log.info({ executorId: executor.id, exit: status === undefined ? 'not started' : describeExit(status, 'Executor') }, 'executor terminated');
    for (const [id, info] of executor.queuedTasks) executor.launchedTasks.set(id, newTask(info, framework.id, executor.id, this.#d.agentId(), framework.info.user));
    executor.queuedTasks.clear();
    const unfinished = [...executor.launchedTasks.values()].filter((t) => !isTerminalState(t.state));
    if (framework.shuttingDown) {
      // The framework is going away: nobody is left to acknowledge updates.
      for (const task of [...executor.launchedTasks.values(), ...executor.terminatedTasks.values()]) pushBounded(executor.completedTasks, task, MAX_COMPLETED_TASKS_PER_EXECUTOR);
      executor.launchedTasks.clear();
      executor.terminatedTasks.clear();
    } else {
      const pending = executor.pendingTermination;
      await Promise.all(unfinished.map((task) => this.#agentUpdate(framework, executor, task.taskId!.value,
        pending?.state ?? TaskState.TASK_FAILED, pending?.message ?? 'Executor terminated', pending?.reason ?? TaskStatus_Reason.EXECUTOR_TERMINATED)));
    }
    this.#d.sendToMaster(create(AgentCallSchema, {
      type: AgentCall_Type.EXECUTOR_EXITED,
      executorExited: { frameworkId: { value: framework.id }, executorId: { value: executor.id }, ...(status !== undefined ? { status: status.waitStatus } : {}) },
    }));
    this.#maybeRemoveExecutor(framework, executor);
  }

  #maybeRemoveExecutor(framework: FrameworkRecord, executor: ExecutorRecord): void {
    if (executor.phase !== 'terminated' || !executor.idle) return;
    if (framework.executors.get(executor.id) !== executor) return;
    framework.executors.delete(executor.id);
    pushBounded(framework.completedExecutors, executor, this.#d.maxCompletedExecutorsPerFramework);
    this.#maybeRemoveFramework(framework);
  }

  #maybeRemoveFramework(framework: FrameworkRecord): void {
    if (framework.executors.size > 0 || this.frameworks.get(framework.id) !== framework) return;
    this.frameworks.delete(framework.id);
    if (framework.shuttingDown) this.#d.statusUpdates.cleanupFramework(framework.id);
    pushBounded(this.completedFrameworks, framework, MAX_COMPLETED_FRAMEWORKS);
  }

  // ------------------------------------------------------------ helpers

  #framework(frameworkId: string, info: FrameworkInfo): FrameworkRecord {
    let framework = this.frameworks.get(frameworkId);
    if (framework === undefined) {
      framework = new FrameworkRecord(frameworkId, info);
      this.frameworks.set(frameworkId, framework);
      if (info.checkpoint) void this.#d.checkpointer.framework(this.#d.agentId(), info);
    } else {
      framework.info = info;
    }
    return framework;
  }

  #sendLaunch(framework: FrameworkRecord, executor: ExecutorRecord, task: TaskInfo): void {
    const id = task.taskId!.value;
    executor.queuedTasks.delete(id);
    executor.launchedTasks.set(id, newTask(task, framework.id, executor.id, this.#d.agentId(), framework.info.user));
    executor.stream!.send(msg.launchEvent(task));
  }

  #queueGroup(executor: ExecutorRecord, group: TaskInfo[]): void {
    for (const task of group) executor.queuedTasks.set(task.taskId!.value, task);
    executor.queuedGroups.push(group);
  }

  #sendLaunchGroup(framework: FrameworkRecord, executor: ExecutorRecord, group: readonly TaskInfo[]): void {
    for (const task of group) {
      const id = task.taskId!.value;
      executor.queuedTasks.delete(id);
      executor.launchedTasks.set(id, newTask(task, framework.id, executor.id, this.#d.agentId(), framework.info.user));
    }
    executor.stream!.send(msg.launchGroupEvent(group));
  }

  #lostOrDropped(framework: FrameworkRecord): TaskState {
    const partitionAware = framework.info.capabilities.some((c) => c.type === FrameworkInfo_Capability_Type.PARTITION_AWARE);
    return partitionAware ? TaskState.TASK_DROPPED : TaskState.TASK_LOST;
  }

  #agentUpdate(framework: FrameworkRecord, executor: ExecutorRecord | undefined, taskId: string, state: TaskState, message: string, reason: TaskStatus_Reason, executorId = executor?.id): Promise<UpdateResult> {
    const status = msg.agentStatus(this.#d.clock, { taskId, state, reason, message, executorId });
    return this.#statusUpdate(framework, executor, status);
  }

  /** Every update, the executor's or the agent's own, goes through here. */
  async #statusUpdate(framework: FrameworkRecord, executor: ExecutorRecord | undefined, status: TaskStatus): Promise<UpdateResult> {
    status.agentId = create(AgentIDSchema, { value: this.#d.agentId() });
    const taskId = status.taskId!.value;
    const update = create(StatusUpdateSchema, { frameworkId: { value: framework.id }, status });
    const path = framework.checkpoint && executor !== undefined ? taskUpdatesPath(this.#d.workDir, executor.runIds, taskId) : undefined;
    const result = await this.#d.statusUpdates.update(update, path);
    const task = executor?.task(taskId);
    if (result.kind === 'accepted' && task !== undefined && executor !== undefined) {
      applyStatus(task, status);
      noteTerminal(executor, task);
    }
    return result;
  }
}
