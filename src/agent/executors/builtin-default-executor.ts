/**
 * Starts the default executor (ExecutorInfo type DEFAULT, task groups) inside
 * the agent process, as builtin-command-executor.ts does for command tasks:
 * the DefaultExecutor logic over the in-process executor transport, its
 * nested containers launched straight through the agent's containerizer
 * (agent-nested-containers.ts). No Node process per executor. To the rest of
 * the agent it looks like any launched container: a pid and an `exited`
 * promise; destroying its container (Containerizer.destroy) ends the
 * executor and destroys every child.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import type { Containerizer } from '../containerizer/containerizer.js';
import type { ExecutorApiBackend } from '../http/executor-api.js';
import type { ExitStatus } from '../launcher/launcher.js';
import { STDERR } from '../paths.js';
import { AgentNestedContainers } from './agent-nested-containers.js';
import type { BuiltinExecutor } from './builtin-command-executor.js';
import { DefaultExecutor } from './default-executor/default-executor.js';
import { readExecutorEnvironment } from './executor-client.js';
import { InProcessExecutorTransport } from './in-process-transport.js';

export interface BuiltinDefaultExecutorLaunch {
  readonly containerId: string;
  readonly directory: string;
  /** The executor environment (reference 4.4); the base of every task container's. */
  readonly env: Readonly<Record<string, string>>;
  readonly backend: ExecutorApiBackend;
  readonly containerizer: Containerizer;
  /** How long to wait for the last acknowledgements before exiting (default 10 s). */
  readonly ackTimeoutMs?: number;
}

export function startBuiltinDefaultExecutor(launch: BuiltinDefaultExecutorLaunch): BuiltinExecutor {
  const env = readExecutorEnvironment(launch.env);
  const stderr = openSync(join(launch.directory, STDERR), 'a');
  let closed = false;
  const log = (line: string): void => {
    if (!closed) writeSync(stderr, `[default-executor ${new Date().toISOString()}] ${line}\n`);
  };
  const transport = new InProcessExecutorTransport(env, launch.backend);
  const containers = new AgentNestedContainers({
    containerizer: launch.containerizer,
    parentId: launch.containerId,
    directory: launch.directory,
    env: launch.env,
    log,
  });
  const containerIp = launch.env.LIBPROCESS_IP;
  const executor = new DefaultExecutor({
    env,
    client: transport,
    containers,
    log,
    ...(launch.ackTimeoutMs !== undefined ? { ackTimeoutMs: launch.ackTimeoutMs } : {}),
    ...(containerIp !== undefined && containerIp !== '' ? { containerIp } : {}),
  });
  // Destroying the executor's container: the executor loses its agent (and exits), its children go.
  const detach = launch.containerizer.attachNested(launch.containerId, 'default-executor', async () => {
    transport.disconnect();
    await containers.destroyAll();
  });
  const exited: Promise<ExitStatus> = executor
    .run()
    .then(
      (code) => ({ code, signal: null, waitStatus: (code & 0xff) << 8 }),
      (err: unknown) => {
        log(`The executor failed: ${(err as Error).message}`);
        return { code: 1, signal: null, waitStatus: 1 << 8 };
      },
    )
    .then(async (status) => {
      // As Mesos: the children do not outlive the executor's container.
      detach();
      await containers.destroyAll().catch(() => undefined);
      return status;
    });
  void exited.finally(() => {
    closed = true;
    closeSync(stderr);
  });
  return { containerId: launch.containerId, pid: process.pid, exited, shutdown: () => executor.shutdown(), abort: () => transport.disconnect() };
}
