/** Task state facts frameworks need (from mesos.proto's TaskState comments). */
import {
  TaskState,
  TaskStatus_ReasonSchema,
  TaskStatus_SourceSchema,
  type TaskStatus_Reason,
  type TaskStatus_Source,
} from '../protocol/gen/mesos/v1/mesos_pb.js';

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
 * No further updates follow for the task. TASK_UNREACHABLE and TASK_UNKNOWN
 * are not terminal: the task may come back.
 */
export function isTerminalState(state: TaskState): boolean {
  return TERMINAL.has(state);
}

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
