/**
 * A command task run by the agent's container runtime instead of as a host
 * process: the built-in command executor supervises it through the same
 * TaskProcess interface (command-task.ts). The container is the executor's
 * (one container per command task, as in Mesos), sized with the executor's
 * overhead, with the image's rootfs and config when the task has one.
 *
 * A limitation (OOM) is not the executor's to report: Mesos' agent destroys
 * the container and sends TASK_FAILED itself (SOURCE_AGENT, the limitation's
 * reason and message). So `exited` never resolves for one; `onLimitation`
 * tells the agent instead.
 */
import type { CommandInfo } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { commandSpec } from '../containerizer/command-spec.js';
import type { ContainerResources, ImageRuntimeConfig } from '../containerizer/isolators/isolator.js';
import type { ContainerRuntime, Termination } from '../containerizer/runtime/container-runtime.js';
import { exitStatus } from '../launcher/posix.js';
import type { TaskProcess, TaskStarter } from './command-task.js';

export interface ContainerTaskOptions {
  readonly runtime: ContainerRuntime;
  readonly containerId: string;
  /** The provisioned root filesystem and image config; undefined = the host filesystem. */
  readonly rootfs?: string;
  readonly image?: ImageRuntimeConfig;
  /** The executor environment (lowest priority; the task's CommandInfo.environment wins). */
  readonly env: Readonly<Record<string, string>>;
  readonly resources: ContainerResources;
  readonly sandboxDir: string;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  /** The container hit a limit and was destroyed; the agent reports the task. */
  onLimitation(termination: Termination): void;
  /** The container runs (for usage tracking). */
  onStarted?(pid: number): void;
}

export function containerTaskStarter(options: ContainerTaskOptions): TaskStarter {
  // The executor's env argument (its env + the task's) is not used: the runtime
  // layers executor env < image Env < CommandInfo.environment itself.
  return async (command: CommandInfo): Promise<TaskProcess> => {
    const { runtime, containerId } = options;
    const launched = await runtime.launch({
      containerId,
      ...(options.rootfs !== undefined ? { rootfs: options.rootfs } : {}),
      ...(options.image !== undefined ? { image: options.image } : {}),
      command: commandSpec(command),
      env: options.env,
      resources: options.resources,
      sandboxDir: options.sandboxDir,
      stdoutPath: options.stdoutPath,
      stderrPath: options.stderrPath,
    });
    options.onStarted?.(launched.pid);
    let done = false;
    const exited = runtime.wait(containerId).then((termination) => {
      done = true;
      if (termination.limitation !== undefined) {
        options.onLimitation(termination);
        return new Promise<never>(() => undefined);
      }
      return { status: termination.status ?? exitStatus(null, 'SIGKILL'), message: termination.message };
    });
    return {
      pid: launched.pid,
      exited,
      signal(signal) {
        if (!done) void runtime.kill(containerId, signal).catch(() => undefined);
      },
    };
  };
}
