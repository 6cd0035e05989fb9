/** Facts about TaskState shared by the master's transitions. */
import { TaskState } from '../../protocol/gen/mesos/v1/mesos_pb.js';

const TERMINAL = new Set<TaskState>([
  TaskState.TASK_FINISHED,
  TaskState.TASK_FAILED,
  TaskState.TASK_KILLED,
  TaskState.TASK_ERROR,
  TaskState.TASK_LOST,
  TaskState.TASK_DROPPED,
  TaskState.TASK_GONE,
  TaskState.TASK_GONE_BY_OPERATOR,
]);

export function isTerminalState(state: TaskState): boolean {
  return TERMINAL.has(state);
}

const PARTITION_AWARE_ONLY = new Set<TaskState>([
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

export function taskStateName(state: TaskState): string {
  return TaskState[state] ?? String(state);
}
