/**
 * The ExecutorInfo Mesos makes up for a command task (reference section 0):
 * executor id = task id, source = task id, name
 * `Command Executor (Task: <id>) (Command: sh -c '<first 12 chars>...')`,
 * and 0.1 cpus + 32 MB of executor overhead not charged to the offer. The
 * task's URIs and environment go to the executor's command, so the fetcher
 * puts the URIs into the sandbox and the task sees the environment. The
 * task's ContainerInfo becomes the executor's, as in Mesos.
 */
import { create } from '@bufbuild/protobuf';

import { type ExecutorInfo, ExecutorInfoSchema, ExecutorInfo_Type, type TaskInfo } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { scalarProto } from '../resources.js';

export const COMMAND_EXECUTOR_CPUS = 0.1;
export const COMMAND_EXECUTOR_MEM_MB = 32;

export function commandExecutorName(task: TaskInfo): string {
  const command = task.command!;
  const head = `Command Executor (Task: ${task.taskId!.value})`;
  if (!command.shell) return `${head} (Command: [${command.arguments.join(', ')}])`;
  // Mesos shortens commands longer than 15 characters to their first 12.
  const shown = command.value.length > 15 ? `${command.value.slice(0, 12)}...` : command.value;
  return `${head} (Command: sh -c '${shown}')`;
}

export function commandExecutorInfo(task: TaskInfo, frameworkId: string): ExecutorInfo {
  const taskId = task.taskId!.value;
  return create(ExecutorInfoSchema, {
    type: ExecutorInfo_Type.CUSTOM,
    executorId: { value: taskId },
    frameworkId: { value: frameworkId },
    name: commandExecutorName(task),
    source: taskId,
    command: {
      uris: task.command?.uris ?? [],
      environment: task.command?.environment,
      user: task.command?.user,
      shell: false,
      value: 'command-executor',
    },
    resources: [scalarProto('cpus', COMMAND_EXECUTOR_CPUS), scalarProto('mem', COMMAND_EXECUTOR_MEM_MB)],
    labels: task.labels,
    // As Mesos: the task's ContainerInfo (its image) is the executor's container.
    ...(task.container !== undefined ? { container: task.container } : {}),
  });
}
