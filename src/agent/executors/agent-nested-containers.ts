/**
 * The agent's side of the default executor's NestedContainerPort
 * (default-executor/README.md), for the default executor built into the
 * agent: launch / wait / kill go straight to the containerizer, no operator
 * API in between. Each child of the executor's container is
 *
 *   - id `{value, parent: <executor container>}`; to the containerizer it is
 *     `<executor container id>.<value>` (how Mesos prints nested ids);
 *   - its own sandbox `<executor sandbox>/containers/<value>` (as Mesos lays
 *     out nested sandboxes) with its own `stdout` and `stderr`;
 *   - a host process (own session, marked with its container id so a destroy
 *     finds what it forked) when the agent isolates with posix only, else a
 *     container of the agent's runtime (own cgroup sized from the task's
 *     resources, the image's rootfs if the task has one).
 *
 * A child whose main process ended is destroyed (what it left running, its
 * runtime state and rootfs) but stays known: wait answers with its status
 * until the executor's container goes away. destroyAll() destroys every child.
 */
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { create } from '@bufbuild/protobuf';

import { CommandInfoSchema, TaskState } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { containerResources } from '../containerizer/command-spec.js';
import type { Containerizer, ProvisionedImage } from '../containerizer/containerizer.js';
import type { Termination } from '../containerizer/runtime/container-runtime.js';
import { CONTAINER_MARKER_ENV } from '../launcher/posix.js';
import { STDERR, STDOUT } from '../paths.js';
import { commandEnvironment, type TaskProcess } from './command-task.js';
import {
  describeContainerId,
  type NestedContainerExit,
  type NestedContainerId,
  type NestedContainerLaunch,
  NestedContainerExistsError,
  NestedContainerLaunchError,
  NestedContainerNotFoundError,
  type NestedContainerPort,
} from './default-executor/nested-container-port.js';

export interface AgentNestedContainersOptions {
  readonly containerizer: Containerizer;
  /** The executor's container id: the parent of every child. */
  readonly parentId: string;
  /** The executor's sandbox (host path). */
  readonly directory: string;
  /** The executor environment: the base of every child's. */
  readonly env: Readonly<Record<string, string>>;
  readonly log?: (line: string) => void;
}

interface Child {
  /** The containerizer's id of the child. */
  readonly key: string;
  /** Set once a destroy started: destroyed once only. */
  destroyed?: Promise<void>;
  process: TaskProcess | undefined;
  readonly exit: Promise<NestedContainerExit>;
}

/** Where a child's sandbox is: `<executor sandbox>/containers/<child id>`. */
export function nestedSandboxDir(executorDirectory: string, childId: string): string {
  return join(executorDirectory, 'containers', childId);
}

export class AgentNestedContainers implements NestedContainerPort {
  readonly #o: AgentNestedContainersOptions;
  readonly #children = new Map<string, Child>();
  #destroyed = false;

  constructor(options: AgentNestedContainersOptions) {
    this.#o = options;
  }

  async launch(launch: NestedContainerLaunch): Promise<void> {
    const id = launch.containerId;
    const parent = describeContainerId(id.parent);
    if (parent !== this.#o.parentId) throw new NestedContainerLaunchError(id, `its parent must be the executor's container ${this.#o.parentId}, not ${parent}`, { httpStatus: 400 });
    if (this.#destroyed) throw new NestedContainerLaunchError(id, `the executor's container ${this.#o.parentId} is being destroyed`, { httpStatus: 400 });
    if (this.#children.has(id.value)) throw new NestedContainerExistsError(id);
    const key = `${this.#o.parentId}.${id.value}`;
    const directory = nestedSandboxDir(this.#o.directory, id.value);
    let limited!: (termination: Termination) => void;
    const limitation = new Promise<Termination>((resolve) => (limited = resolve));
    let started!: (process: TaskProcess | undefined) => void;
    const running = new Promise<TaskProcess | undefined>((resolve) => (started = resolve));
    const exit = running.then((process): Promise<NestedContainerExit> | NestedContainerExit => {
      if (process === undefined) return { message: 'The container never started' };
      return Promise.race([
        process.exited.then(({ status }) => ({ exitStatus: status.waitStatus })),
        limitation.then((t): NestedContainerExit => ({
          ...(t.status !== undefined ? { exitStatus: t.status.waitStatus } : {}),
          state: TaskState.TASK_FAILED,
          ...(t.limitation !== undefined ? { reason: t.limitation.reason } : {}),
          message: t.message,
        })),
      ]);
    });
    // As Mesos: once its main process ended, the child is destroyed (stray processes, runtime state, rootfs);
    // its exit stays known for wait().
    const child: Child = { key, process: undefined, exit };
    void exit.then(() => this.#destroy(child));
    this.#children.set(id.value, child);
    try {
      await mkdir(directory, { recursive: true });
      const image = await this.#provision(id, key, launch);
      const command = launch.command ?? (image !== undefined ? create(CommandInfoSchema, { shell: false }) : undefined);
      if (command === undefined) throw new NestedContainerLaunchError(id, 'the task has neither a command nor an image to take an entrypoint from', { httpStatus: 400 });
      const base: Record<string, string> = { ...this.#o.env, MESOS_SANDBOX: directory, [CONTAINER_MARKER_ENV]: key };
      const env = { ...commandEnvironment(base, command), ...launch.env };
      const starter = this.#o.containerizer.taskStarter({
        containerId: key,
        directory,
        // The runtime layers executor env < image Env < CommandInfo.environment itself.
        env: { ...base, ...launch.env },
        ...(image !== undefined ? { image } : {}),
        resources: containerResources(launch.resources),
        onLimitation: limited,
      });
      const stdout = openSync(join(directory, STDOUT), 'a');
      const stderr = openSync(join(directory, STDERR), 'a');
      try {
        child.process = await starter(command, env, directory, { stdout, stderr });
      } finally {
        // A host process has its own copies; a runtime container writes by path.
        closeSync(stdout);
        closeSync(stderr);
      }
      started(child.process);
      this.#o.log?.(`Launched nested container ${describeContainerId(id)} (pid ${child.process.pid}) in ${directory}`);
      if (this.#destroyed) void this.#destroy(child);
    } catch (err) {
      started(undefined);
      // Leave nothing behind: the executor fails the group.
      await this.#destroy(child);
      if (err instanceof NestedContainerLaunchError) throw err;
      throw new NestedContainerLaunchError(id, (err as Error).message, { httpStatus: 500, cause: err });
    }
  }

  async wait(containerId: NestedContainerId): Promise<NestedContainerExit> {
    const child = this.#children.get(containerId.value);
    if (child === undefined || describeContainerId(containerId.parent) !== this.#o.parentId) throw new NestedContainerNotFoundError(containerId);
    return child.exit;
  }

  async kill(containerId: NestedContainerId, signal: NodeJS.Signals): Promise<void> {
    const child = this.#children.get(containerId.value);
    if (child === undefined || describeContainerId(containerId.parent) !== this.#o.parentId) throw new NestedContainerNotFoundError(containerId);
    child.process?.signal(signal);
    // Also what left the child's process group (posix: found by its container marker).
    this.#o.containerizer.kill(child.key, signal);
  }

  /** Destroys every child (the executor's container is going away); later launches fail. */
  async destroyAll(): Promise<void> {
    this.#destroyed = true;
    await Promise.all([...this.#children.values()].map((child) => this.#destroy(child)));
  }

  #destroy(child: Child): Promise<void> {
    child.destroyed ??= this.#o.containerizer.destroy(child.key).catch((err: Error) => {
      this.#o.log?.(`Failed to destroy nested container ${child.key}: ${err.message}`);
    });
    return child.destroyed;
  }

  async #provision(id: NestedContainerId, key: string, launch: NestedContainerLaunch): Promise<ProvisionedImage | undefined> {
    try {
      return await this.#o.containerizer.provision(key, launch.container);
    } catch (err) {
      throw new NestedContainerLaunchError(id, (err as Error).message, { httpStatus: 400, cause: err });
    }
  }
}
