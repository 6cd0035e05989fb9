/**
 * The environment and command line of an executor process (reference 4.4).
 * Precedence, lowest first: --executor_environment_variables, then the
 * agent's MESOS_* set, then ExecutorInfo.command.environment. The agent's own
 * environment is NOT inherited (as in Mesos' containerizer); PATH gets the
 * host default when nobody set it.
 */
import { formatDuration } from '../../lib/duration.js';
import type { ExecutorInfo } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { commandArgv } from '../executors/command-task.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ExecutorEnvInput {
  readonly info: ExecutorInfo;
  readonly frameworkId: string;
  readonly agentId: string;
  /** Host path of the sandbox. */
  readonly directory: string;
  /** The sandbox as the executor sees it in a container with its own rootfs (--sandbox_directory); undefined = the host path. */
  readonly sandboxInContainer?: string;
  /** `ip:port` executors connect to. */
  readonly agentEndpoint: string;
  readonly checkpoint: boolean;
  readonly httpCommandExecutor: boolean;
  readonly shutdownGracePeriodMs: number;
  readonly recoveryTimeoutMs: number;
  readonly executorReregistrationTimeoutMs: number;
  readonly extra: Readonly<Record<string, string>> | undefined;
  /** LIBPROCESS_IP of the agent, copied when set. */
  readonly libprocessIp: string | undefined;
}

export function executorEnvironment(input: ExecutorEnvInput): Record<string, string> {
  const env: Record<string, string> = { ...(input.extra ?? {}) };
  const grace = input.info.shutdownGracePeriod?.nanoseconds;
  env.MESOS_FRAMEWORK_ID = input.frameworkId;
  env.MESOS_EXECUTOR_ID = input.info.executorId!.value;
  env.MESOS_DIRECTORY = input.directory;
  // Reference 4.4: the sandbox as seen inside the container (its own rootfs), else the host path.
  env.MESOS_SANDBOX = input.sandboxInContainer ?? input.directory;
  env.MESOS_AGENT_ENDPOINT = input.agentEndpoint;
  env.MESOS_SLAVE_ID = input.agentId;
  env.MESOS_SLAVE_PID = `slave(1)@${input.agentEndpoint}`;
  env.MESOS_CHECKPOINT = input.checkpoint ? '1' : '0';
  env.MESOS_HTTP_COMMAND_EXECUTOR = input.httpCommandExecutor ? '1' : '0';
  env.MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD = formatDuration(grace !== undefined ? Number(grace) / 1e6 : input.shutdownGracePeriodMs);
  if (input.checkpoint) {
    env.MESOS_RECOVERY_TIMEOUT = formatDuration(input.recoveryTimeoutMs);
    env.MESOS_SUBSCRIPTION_BACKOFF_MAX = formatDuration(input.executorReregistrationTimeoutMs);
  }
  env.LIBPROCESS_PORT = '0';
  if (input.libprocessIp !== undefined) env.LIBPROCESS_IP = input.libprocessIp;
  for (const variable of input.info.command?.environment?.variables ?? []) env[variable.name] = variable.value;
  if (env.PATH === undefined) env.PATH = DEFAULT_PATH;
  return env;
}

/** argv of a custom executor: its CommandInfo, shell or not. */
export function customExecutorArgv(info: ExecutorInfo): string[] {
  const { file, args } = commandArgv(info.command!);
  return [file, ...args];
}
