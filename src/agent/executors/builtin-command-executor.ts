/**
 * Starts a command executor inside the agent process (the default,
 * --http_command_executor=false): the CommandExecutor logic over the
 * in-process transport, with the task itself a separate process whose
 * stdout/stderr are the sandbox files. To the rest of the agent it looks like
 * any launched container: a pid and an `exited` promise.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import type { ExitStatus, LaunchedContainer } from '../launcher/launcher.js';
import { CONTAINER_MARKER_ENV } from '../launcher/posix.js';
import type { ExecutorApiBackend } from '../http/executor-api.js';
import { STDERR, STDOUT } from '../paths.js';
import { CommandExecutor } from './command-executor.js';
import type { TaskStarter } from './command-task.js';
import { readExecutorEnvironment } from './executor-client.js';
import { InProcessExecutorTransport } from './in-process-transport.js';

export interface BuiltinExecutorLaunch {
  readonly containerId: string;
  readonly directory: string;
  /** The executor environment (reference 4.4); the task inherits it. */
  readonly env: Readonly<Record<string, string>>;
  readonly backend: ExecutorApiBackend;
  /** Runs the task in a container of the agent's runtime (container-task.ts); default: a host process. */
  readonly startTask?: TaskStarter;
}

export interface BuiltinExecutor extends LaunchedContainer {
  /** Asks the executor to end its task, as a SHUTDOWN event would. */
  shutdown(): void;
  /**
   * Ends the executor at once without any further update from it: the agent
   * reports its task (a container limitation). Its connection is closed and
   * every later call refused, so it exits as an executor whose agent is gone.
   */
  abort(): void;
}

export function startBuiltinCommandExecutor(launch: BuiltinExecutorLaunch): BuiltinExecutor {
  const env = readExecutorEnvironment(launch.env);
  const stdout = openSync(join(launch.directory, STDOUT), 'a');
  const stderr = openSync(join(launch.directory, STDERR), 'a');
  let closed = false;
  const transport = new InProcessExecutorTransport(env, launch.backend);
  const executor = new CommandExecutor({
    env,
    client: transport,
    ...(launch.startTask !== undefined ? { startTask: launch.startTask } : {}),
    // The marker lets the launcher find (and kill) the task's processes by container.
    taskEnv: { ...launch.env, [CONTAINER_MARKER_ENV]: launch.containerId },
    taskStdio: { stdout, stderr },
    // A few short lines per task: a synchronous write on the open fd is cheaper than an open/append/close each.
    log: (line) => {
      if (!closed) writeSync(stderr, `[command-executor ${new Date().toISOString()}] ${line}\n`);
    },
  });
  const exited: Promise<ExitStatus> = executor.run().then(
    (code) => ({ code, signal: null, waitStatus: (code & 0xff) << 8 }),
    () => ({ code: 1, signal: null, waitStatus: 1 << 8 }),
  );
  void exited.finally(() => {
    closed = true;
    closeSync(stdout);
    closeSync(stderr);
  });
  return { containerId: launch.containerId, pid: process.pid, exited, shutdown: () => executor.shutdown(), abort: () => transport.disconnect() };
}
