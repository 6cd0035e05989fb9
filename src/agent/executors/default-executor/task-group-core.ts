/**
 * The task-group rules of Mesos' default executor as a pure state machine:
 * events in (a group arrived, its launches settled, a KILL, a container
 * exited, a task turned unhealthy, SHUTDOWN), decisions out as data (send
 * this update, launch, wait on, signal those containers, no task remains).
 * DefaultExecutor carries the decisions out; the core does no I/O and keeps
 * no timers, so every rule is a table test.
 *
 * One task's life (per task of a group):
 *
 *   launching ──all launched──► running ──container exited──► (gone)
 *       │                         │  ▲
 *       │                         └──┘ killing: SIGTERM sent, SIGKILL after the grace
 *       └──any launch failed──► (gone, TASK_FAILED REASON_CONTAINER_LAUNCH_FAILED)
 *
 * Group rules (Mesos 4.3, 3.8; `default_executor.cpp`):
 * - TASK_STARTING per task when the group arrives; TASK_RUNNING per task once
 *   every container launched (all or none: a failed launch rolls the group back).
 * - A task that ends TASK_FAILED or TASK_KILLED (not by the executor) gets the
 *   rest of its group killed; a KILL of any task, or a task failing its health
 *   check, kills the whole group. The KILL's kill policy applies to the task it
 *   names; the others use their own (as Mesos' `kill(container)` does).
 * - TASK_KILLING before the kill when the framework has TASK_KILLING_STATE.
 * - SHUTDOWN kills every task, with its grace capped by the executor's
 *   shutdown grace period (the agent destroys the container after that).
 * - `idle` once no task remains: the executor exits when its updates are
 *   acknowledged, unless another group arrives first.
 */
import { type TaskInfo, type TaskResourceLimitation, TaskState, TaskStatus_Reason } from '../../../protocol/gen/mesos/v1/mesos_pb.js';
import { taskStateName } from '../../task-states.js';
import type { NestedContainerExit } from './nested-container-port.js';
import { terminalOutcome } from './wait-outcome.js';

/** Mesos' default executor's grace when neither the task nor the KILL has a kill policy. */
export const DEFAULT_KILL_GRACE_MS = 3_000;

export interface StatusFields {
  readonly message?: string;
  readonly reason?: TaskStatus_Reason;
  readonly healthy?: boolean;
  readonly limitation?: TaskResourceLimitation;
}

export type Decision =
  /** Send a status update built from scratch for the task. */
  | { readonly kind: 'update'; readonly task: TaskInfo; readonly state: TaskState; readonly fields: StatusFields }
  /** Launch one nested container per task, then report with groupLaunched(). */
  | { readonly kind: 'launch'; readonly groupId: number; readonly tasks: readonly TaskInfo[] }
  /** Start (or stop) the task's health check and check. */
  | { readonly kind: 'startChecks'; readonly task: TaskInfo }
  | { readonly kind: 'stopChecks'; readonly task: TaskInfo }
  /** Wait on the task's container, then report with exited(). */
  | { readonly kind: 'watch'; readonly task: TaskInfo }
  /** SIGTERM now, SIGKILL after `graceMs`; a later kill of the same task may only shorten that. */
  | { readonly kind: 'kill'; readonly task: TaskInfo; readonly graceMs: number }
  /** SIGKILL now: the container of a group whose launch failed. */
  | { readonly kind: 'destroy'; readonly task: TaskInfo }
  /** No task remains. */
  | { readonly kind: 'idle' }
  | { readonly kind: 'log'; readonly line: string };

interface TaskRecord {
  readonly task: TaskInfo;
  readonly group: GroupRecord;
  phase: 'launching' | 'running';
  /** The executor asked the container to stop (KILL, group, health, SHUTDOWN). */
  killing: boolean;
  /** Killed for failing its health check: its terminal update says healthy=false. */
  unhealthy: boolean;
}

interface GroupRecord {
  readonly id: number;
  readonly taskIds: readonly string[];
  launching: boolean;
  /** The group is being killed; a task ending now does not trigger another group kill. */
  killingGroup: boolean;
  /** A KILL that arrived while the group was launching. */
  pendingKill: { readonly taskId: string; readonly graceMs: number | undefined } | undefined;
}

export interface TaskGroupCoreOptions {
  /** MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD. */
  readonly shutdownGraceMs: number;
}

export function taskIdOf(task: TaskInfo): string {
  return task.taskId?.value ?? '';
}

/** The KILL's grace, else the task's kill policy, else Mesos' 3 seconds. */
export function killGraceMs(task: TaskInfo, overrideMs?: number): number {
  if (overrideMs !== undefined) return Math.max(0, overrideMs);
  const ns = task.killPolicy?.gracePeriod?.nanoseconds;
  return ns === undefined ? DEFAULT_KILL_GRACE_MS : Math.max(0, Number(ns / 1_000_000n));
}

export class TaskGroupCore {
  readonly #shutdownGraceMs: number;
  readonly #tasks = new Map<string, TaskRecord>();
  #nextGroupId = 1;
  #taskKillingState = false;
  #shuttingDown = false;

  constructor(options: TaskGroupCoreOptions) {
    this.#shutdownGraceMs = options.shutdownGraceMs;
  }

  /** From SUBSCRIBED.framework_info: may the executor send TASK_KILLING? */
  set taskKillingState(enabled: boolean) {
    this.#taskKillingState = enabled;
  }

  /** No task is launching or running. */
  get idle(): boolean {
    return this.#tasks.size === 0;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Health and check results are reported only while the task runs and is not being killed. */
  reportsChecks(taskId: string): boolean {
    const record = this.#tasks.get(taskId);
    return record !== undefined && record.phase === 'running' && !record.killing;
  }

  launchGroup(tasks: readonly TaskInfo[]): Decision[] {
    const ids = tasks.map(taskIdOf);
    if (this.#shuttingDown) return [log(`Ignoring LAUNCH_GROUP of tasks ${ids.join(', ')}: the executor is shutting down`)];
    if (tasks.length === 0) return [log('Ignoring LAUNCH_GROUP without tasks')];
    const clash = ids.find((id, i) => this.#tasks.has(id) || ids.indexOf(id) !== i);
    if (clash !== undefined) return [log(`Ignoring LAUNCH_GROUP: task ${clash} is already active on this executor`)];
    const group: GroupRecord = { id: this.#nextGroupId++, taskIds: ids, launching: true, killingGroup: false, pendingKill: undefined };
    for (const task of tasks) this.#tasks.set(taskIdOf(task), { task, group, phase: 'launching', killing: false, unhealthy: false });
    return [...tasks.map((task) => update(task, TaskState.TASK_STARTING)), { kind: 'launch', groupId: group.id, tasks }];
  }

  /** Every launch of the group settled; `failures` maps the task ids that failed to why. */
  groupLaunched(groupId: number, failures: ReadonlyMap<string, string>): Decision[] {
    const records = [...this.#tasks.values()].filter((r) => r.group.id === groupId && r.phase === 'launching');
    if (records.length === 0) return [log(`Ignoring the launch result of unknown group ${groupId}`)];
    records[0]!.group.launching = false;
    if (failures.size > 0) return [...this.#rollBack(records, failures), ...this.#idleCheck()];
    const decisions: Decision[] = [];
    for (const record of records) {
      record.phase = 'running';
      decisions.push(update(record.task, TaskState.TASK_RUNNING), { kind: 'startChecks', task: record.task }, { kind: 'watch', task: record.task });
    }
    const group = records[0]!.group;
    if (this.#shuttingDown) {
      for (const record of records) decisions.push(...this.#killTask(record, Math.min(killGraceMs(record.task), this.#shutdownGraceMs)));
    } else if (group.pendingKill !== undefined) {
      decisions.push(log(`Killing task group of tasks ${group.taskIds.join(', ')}: task ${group.pendingKill.taskId} was killed while launching`));
      decisions.push(...this.#killGroup(group, group.pendingKill));
    }
    return decisions;
  }

  /** A KILL event: the whole group of the task goes. `graceMs` is the KILL's kill policy, if it has one. */
  kill(taskId: string, graceMs?: number): Decision[] {
    const record = this.#tasks.get(taskId);
    if (record === undefined) return [log(`Ignoring kill for task ${taskId}: it is no longer active`)];
    if (this.#shuttingDown) return [log(`Ignoring kill for task ${taskId}: the executor is shutting down`)];
    if (record.phase === 'launching') {
      record.group.pendingKill = { taskId, graceMs };
      return [log(`Task ${taskId} is still launching; its group is killed once launched`)];
    }
    if (record.killing) {
      // Mesos' default executor ignores it; ours, like our command executor, lets a KILL shorten the grace.
      return graceMs === undefined ? [log(`Ignoring kill for task ${taskId}: it is being killed`)] : [{ kind: 'kill', task: record.task, graceMs: Math.max(0, graceMs) }];
    }
    return [log(`Killing task group of tasks ${record.group.taskIds.join(', ')} (kill of task ${taskId})`), ...this.#killGroup(record.group, { taskId, graceMs })];
  }

  /** The task's health check failed `consecutive_failures` times: kill its group, as Mesos does. */
  unhealthy(taskId: string, message: string): Decision[] {
    const record = this.#tasks.get(taskId);
    if (record === undefined || !this.reportsChecks(taskId) || this.#shuttingDown) return [];
    record.unhealthy = true;
    return [log(`${message}; killing the task group of tasks ${record.group.taskIds.join(', ')}`), ...this.#killGroup(record.group, { taskId, graceMs: undefined })];
  }

  /** The task's container terminated. */
  exited(taskId: string, exit: NestedContainerExit): Decision[] {
    const record = this.#tasks.get(taskId);
    if (record === undefined || record.phase !== 'running') return [log(`Ignoring the exit of task ${taskId}: it is not running`)];
    this.#tasks.delete(taskId);
    const outcome = terminalOutcome(exit, record.killing);
    const decisions: Decision[] = [
      { kind: 'stopChecks', task: record.task },
      log(`Task ${taskId} completed in state ${taskStateName(outcome.state)}: ${outcome.message}`),
      update(record.task, outcome.state, {
        message: outcome.message,
        ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
        ...(outcome.limitation !== undefined ? { limitation: outcome.limitation } : {}),
        ...(record.unhealthy ? { healthy: false } : {}),
      }),
    ];
    const failed = outcome.state === TaskState.TASK_FAILED || outcome.state === TaskState.TASK_KILLED;
    if (failed && !this.#shuttingDown && !record.group.killingGroup) {
      decisions.push(log(`Killing task group of tasks ${record.group.taskIds.join(', ')}: task ${taskId} ended in ${taskStateName(outcome.state)}`));
      decisions.push(...this.#killGroup(record.group, undefined));
    }
    return [...decisions, ...this.#idleCheck()];
  }

  /** SHUTDOWN (or SIGTERM to the executor): every task goes. */
  shutdown(): Decision[] {
    if (this.#shuttingDown) return [log('Ignoring shutdown: it is in progress')];
    this.#shuttingDown = true;
    const decisions: Decision[] = [log('Shutting down')];
    for (const record of this.#tasks.values()) {
      if (record.phase === 'running' && !record.killing) {
        decisions.push(...this.#killTask(record, Math.min(killGraceMs(record.task), this.#shutdownGraceMs)));
      }
    }
    return [...decisions, ...this.#idleCheck()];
  }

  #killGroup(group: GroupRecord, named: { readonly taskId: string; readonly graceMs: number | undefined } | undefined): Decision[] {
    group.killingGroup = true;
    const decisions: Decision[] = [];
    for (const id of group.taskIds) {
      const record = this.#tasks.get(id);
      // Tasks that ended already, and tasks being killed (MESOS-8051), are left alone.
      if (record === undefined || record.phase !== 'running' || record.killing) continue;
      decisions.push(...this.#killTask(record, killGraceMs(record.task, id === named?.taskId ? named.graceMs : undefined)));
    }
    return decisions;
  }

  #killTask(record: TaskRecord, graceMs: number): Decision[] {
    record.killing = true;
    const decisions: Decision[] = [{ kind: 'stopChecks', task: record.task }];
    if (this.#taskKillingState) decisions.push(update(record.task, TaskState.TASK_KILLING));
    decisions.push({ kind: 'kill', task: record.task, graceMs });
    return decisions;
  }

  /** All or none: SIGKILL what did launch, and fail every task of the group. */
  #rollBack(records: readonly TaskRecord[], failures: ReadonlyMap<string, string>): Decision[] {
    const [firstId, firstWhy] = [...failures.entries()][0]!;
    const decisions: Decision[] = [log(`Task group of tasks ${records[0]!.group.taskIds.join(', ')} failed to launch; task ${firstId}: ${firstWhy}`)];
    for (const record of records) {
      const id = taskIdOf(record.task);
      this.#tasks.delete(id);
      const why = failures.get(id);
      if (why === undefined) decisions.push({ kind: 'destroy', task: record.task });
      decisions.push(
        update(record.task, TaskState.TASK_FAILED, {
          reason: TaskStatus_Reason.CONTAINER_LAUNCH_FAILED,
          message: why ?? `Another task of its group (${firstId}) failed to launch: ${firstWhy}`,
        }),
      );
    }
    return decisions;
  }

  #idleCheck(): Decision[] {
    return this.idle ? [{ kind: 'idle' }] : [];
  }
}

function update(task: TaskInfo, state: TaskState, fields: StatusFields = {}): Decision {
  return { kind: 'update', task, state, fields };
}

function log(line: string): Decision {
  return { kind: 'log', line };
}
