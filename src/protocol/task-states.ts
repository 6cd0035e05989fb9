/**
 * Facts about Mesos task states shared by the master, the agent and the
 * scheduler library (reference 5.8: TaskState, reasons, sources).
 */
import {
  TaskState,
  TaskStatus_ReasonSchema,
  TaskStatus_SourceSchema,
  type TaskStatus_Reason,
  type TaskStatus_Source,
} from './gen/mesos/v1/mesos_pb.js';

const TERMINAL: ReadonlySet<TaskState> = new Set([
  TaskState.TASK_FINISHED,
  TaskState.TASK_FAILED,
  TaskState.TASK_KILLED,
  TaskState.TASK_ERROR,
  TaskState.TASK_LOST,
  TaskState.TASK_DROPPED,
  TaskState.TASK_GONE,
  TaskState.TASK_GONE_BY_OPERATOR,
]);

/**
 * No further updates follow and the task's resources are free. TASK_LOST is
 * treated as terminal although a partitioned agent may bring the task back;
 * TASK_UNREACHABLE and TASK_UNKNOWN are not terminal.
 */
export function isTerminalState(state: TaskState): boolean {
  return TERMINAL.has(state);
}

const PARTITION_AWARE_ONLY: ReadonlySet<TaskState> = new Set([
  TaskState.TASK_DROPPED,
  TaskState.TASK_UNREACHABLE,
  TaskState.TASK_GONE,
  TaskState.TASK_GONE_BY_OPERATOR,
  TaskState.TASK_UNKNOWN,
]);

/** Frameworks without PARTITION_AWARE see TASK_LOST wherever the others see a partition state. */
export function stateForFramework(state: TaskState, partitionAware: boolean): TaskState {
  return !partitionAware && PARTITION_AWARE_ONLY.has(state) ? TaskState.TASK_LOST : state;
}

/** `TASK_RUNNING` for TaskState.TASK_RUNNING, as Mesos' JSON and logs write it. */
export function taskStateName(state: TaskState): string {
  return TaskState[state] ?? `TASK_STATE_${state}`;
}

/** Mesos' name of a TaskStatus reason (`REASON_COMMAND_EXECUTOR_FAILED`); protobuf-es strips the prefix. */
export function taskReasonName(reason: TaskStatus_Reason): string {
  return TaskStatus_ReasonSchema.values.find((v) => v.number === reason)?.name ?? `REASON_${reason}`;
}

/** Mesos' name of a TaskStatus source (`SOURCE_EXECUTOR`). */
export function taskSourceName(source: TaskStatus_Source): string {
  return TaskStatus_SourceSchema.values.find((v) => v.number === source)?.name ?? `SOURCE_${source}`;
}
