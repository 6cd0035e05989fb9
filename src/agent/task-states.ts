/** Facts about Mesos task states the agent needs (reference 5.8). */
import { TaskState } from '../protocol/gen/mesos/v1/mesos_pb.js';

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

/** Terminal as the agent treats it: no more updates follow, resources are free. */
export function isTerminalState(state: TaskState): boolean {
  return TERMINAL.has(state);
}

/** `TASK_RUNNING` for TaskState.TASK_RUNNING, as Mesos' JSON and logs write it. */
export function taskStateName(state: TaskState): string {
  return TaskState[state] ?? `UNKNOWN_STATE_${state}`;
}
