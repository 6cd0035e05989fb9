/**
 * The default executor as a process of its own, as the agent will start it
 * for an ExecutorInfo of type DEFAULT: in the executor's sandbox, with the
 * executor environment (reference 4.4). Progress lines go to stderr (the
 * sandbox's `stderr` file).
 *
 * The agent itself runs the default executor in its own process
 * (../builtin-default-executor.ts). What remains to make this a runnable entry point is a NestedContainerPort
 * over the agent operator API (`POST /api/v1` on MESOS_AGENT_ENDPOINT:
 * LAUNCH_CONTAINER, WAIT_CONTAINER and KILL_CONTAINER with nested container
 * ids, errors mapped as README.md describes). The agent does not serve those
 * calls yet; once it does, the script that owns that port calls
 * `runDefaultExecutorProcess(port)` and exits with the code it resolves to.
 */
import { DefaultExecutor } from './default-executor.js';
import { ExecutorClient, readExecutorEnvironment } from '../executor-client.js';
import type { NestedContainerPort } from './nested-container-port.js';

function log(line: string): void {
  process.stderr.write(`[default-executor ${new Date().toISOString()}] ${line}\n`);
}

/**
 * Runs the executor until it is done: 0 once no task remains and its updates
 * are acknowledged, 1 when the agent refused it or went away for good.
 * Throws ExecutorEnvironmentError when the executor environment is incomplete.
 */
export async function runDefaultExecutorProcess(
  containers: NestedContainerPort,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  const env = readExecutorEnvironment(environment);
  const containerIp = environment.LIBPROCESS_IP;
  const executor = new DefaultExecutor({
    env,
    client: new ExecutorClient(env),
    containers,
    log,
    ...(containerIp !== undefined && containerIp !== '' ? { containerIp } : {}),
  });
  // The agent (or an operator) stopping the executor: end the tasks as a SHUTDOWN would.
  process.once('SIGTERM', () => executor.shutdown());
  process.once('SIGINT', () => executor.shutdown());
  return executor.run();
}
