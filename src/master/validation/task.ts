/**
 * Validation of tasks in ACCEPT(LAUNCH / LAUNCH_GROUP), as Mesos' master does:
 * each task is checked against the resources still unused at that point of the
 * operation list. Failures become TASK_ERROR (REASON_TASK_INVALID or
 * REASON_TASK_GROUP_INVALID); they never throw.
 */
import { ExecutorInfo_Type, type ExecutorInfo, type TaskInfo } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { equals } from '@bufbuild/protobuf';
import { ExecutorInfoSchema, TaskInfoSchema } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { patch } from '../../protocol/patch.js';
import { validateTaskChecks } from '../../protocol/check-validation.js';
import { resourcesFromProto } from '../../protocol/resources.js';
import { Resources } from '../../resources/index.js';
import { errorMessage } from '../../lib/errors.js';

/** Mesos' id rules for task and executor ids. */
export function idError(kind: string, id: string): string | undefined {
  if (id.length === 0) return `${kind} ID must not be empty`;
  if (Buffer.byteLength(id) > 255) return `${kind} ID must not be longer than 255 bytes`;
  if (id === '.' || id === '..') return `${kind} ID must not be '.' or '..'`;
  // eslint-disable-next-line no-control-regex
  if (/[/\\\x00-\x1f\x7f]/.test(id)) return `${kind} ID '${id}' contains '/', '\\' or a control character`;
  return undefined;
}

export interface TaskCheckContext {
  readonly agentId: string;
  /** Ids already used by the framework's live, unacknowledged or unreachable tasks. */
  isTaskIdInUse(taskId: string): boolean;
  /** The ExecutorInfo already known for this executor id on the agent, if any. */
  knownExecutor(executorId: string): ExecutorInfo | undefined;
}

export type TaskCheck =
  | { readonly ok: true; readonly resources: Resources; readonly executorResources: Resources }
  | { readonly ok: false; readonly message: string };

/** Checks one task of a LAUNCH; `available` is what remains of the offers. */
export function checkLaunchTask(task: TaskInfo, available: Resources, ctx: TaskCheckContext): TaskCheck {
  const fail = (message: string): TaskCheck => ({ ok: false, message });
  const taskId = task.taskId?.value ?? '';
  const idErr = idError('Task', taskId);
  if (idErr !== undefined) return fail(idErr);
  if (ctx.isTaskIdInUse(taskId)) return fail(`Task has duplicate ID: ${taskId}`);
  if (task.agentId?.value !== ctx.agentId) {
    return fail(`Task uses agent ${task.agentId?.value ?? '(none)'} but the offers are for agent ${ctx.agentId}`);
  }
  const hasExecutor = task.executor !== undefined;
  const hasCommand = task.command !== undefined;
  if (hasExecutor === hasCommand) return fail('Task should have at least one (but not both) of CommandInfo or ExecutorInfo present');
  const checkProblem = validateTaskChecks(task);
  if (checkProblem !== undefined) return fail(checkProblem);
  if (task.killPolicy?.gracePeriod !== undefined && task.killPolicy.gracePeriod.nanoseconds < 0n) {
    return fail('Task\'s kill policy must have a non-negative grace period');
  }
  let resources: Resources;
  let executorResources = Resources.EMPTY;
  try {
    resources = resourcesFromProto(task.resources);
  } catch (err) {
    return fail(`Task uses invalid resources: ${errorMessage(err)}`);
  }
  if (resources.isEmpty()) return fail('Task uses no resources');
  if (task.executor !== undefined) {
    const execErr = checkExecutor(task.executor, ctx);
    if (execErr !== undefined) return fail(execErr);
    if (ctx.knownExecutor(task.executor.executorId!.value) === undefined) {
      try {
        executorResources = resourcesFromProto(task.executor.resources);
      } catch (err) {
        return fail(`Executor uses invalid resources: ${errorMessage(err)}`);
      }
    }
  }
  const total = resources.add(executorResources);
  if (!available.contains(total)) {
    return fail(`Total resources ${total.toString()} required by task and its executor is more than available ${available.toString()}`);
  }
  return { ok: true, resources, executorResources };
}

function checkExecutor(executor: ExecutorInfo, ctx: TaskCheckContext): string | undefined {
  const id = executor.executorId?.value ?? '';
  const err = idError('Executor', id);
  if (err !== undefined) return err;
  if (executor.type === ExecutorInfo_Type.DEFAULT && executor.command !== undefined) {
    return "'ExecutorInfo.command' must not be set for 'DEFAULT' executor";
  }
  if (executor.type !== ExecutorInfo_Type.DEFAULT && executor.command === undefined) {
    return "'ExecutorInfo.command' must be set for 'CUSTOM' executor";
  }
  const known = ctx.knownExecutor(id);
  if (known !== undefined && !equals(ExecutorInfoSchema, stripFrameworkId(known), stripFrameworkId(executor))) {
    return `ExecutorInfo is not compatible with the ExecutorInfo of the running executor '${id}'`;
  }
  return undefined;
}

function stripFrameworkId(e: ExecutorInfo): ExecutorInfo {
  return patch(ExecutorInfoSchema, e, { frameworkId: undefined });
}

/** Checks a LAUNCH_GROUP; any failure invalidates the whole group. */
export function checkTaskGroup(
  executor: ExecutorInfo,
  tasks: readonly TaskInfo[],
  available: Resources,
  ctx: TaskCheckContext,
): { ok: true; taskResources: Resources[]; executorResources: Resources } | { ok: false; message: string } {
  if (executor.type !== ExecutorInfo_Type.DEFAULT) return { ok: false, message: "'ExecutorInfo.type' must be 'DEFAULT'" };
  if (tasks.length === 0) return { ok: false, message: 'Task group is empty' };
  const execErr = checkExecutor(executor, ctx);
  if (execErr !== undefined) return { ok: false, message: execErr };
  let executorResources = Resources.EMPTY;
  if (ctx.knownExecutor(executor.executorId!.value) === undefined) {
    try {
      executorResources = resourcesFromProto(executor.resources);
    } catch (err) {
      return { ok: false, message: `Executor uses invalid resources: ${errorMessage(err)}` };
    }
  }
  let remaining = available;
  if (!remaining.contains(executorResources)) {
    return { ok: false, message: `Executor resources ${executorResources.toString()} are more than available ${available.toString()}` };
  }
  remaining = remaining.subtract(executorResources);
  const seen = new Set<string>();
  const taskResources: Resources[] = [];
  for (const task of tasks) {
    if (task.executor !== undefined && !equals(ExecutorInfoSchema, task.executor, executor)) {
      return { ok: false, message: `Task '${task.taskId?.value}' has an executor different from the task group's` };
    }
    if (task.container?.networkInfos.length) {
      return { ok: false, message: `Task '${task.taskId?.value}' must not set 'ContainerInfo.network_infos'; set them on the executor` };
    }
    const id = task.taskId?.value ?? '';
    if (seen.has(id)) return { ok: false, message: `Task group has duplicate task ID: ${id}` };
    seen.add(id);
    // Each task of a group uses the default executor, so no CommandInfo/ExecutorInfo choice applies.
    const check = checkLaunchTask(patch(TaskInfoSchema, task, { executor, command: undefined }), remaining, {
      ...ctx,
      knownExecutor: () => executor,
    });
    if (!check.ok) return { ok: false, message: check.message };
    remaining = remaining.subtract(check.resources);
    taskResources.push(check.resources);
  }
  return { ok: true, taskResources, executorResources };
}
