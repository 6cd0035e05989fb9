/**
 * Turns an executor run into a running process tree, as Mesos' containerizer
 * does: provisioner → isolators → launcher. Steps of a launch:
 *   1. create the sandbox and point `runs/latest` at it (prepareSandbox);
 *   2. PROVISIONING: an image (ContainerInfo.mesos.image) becomes a root
 *      filesystem and an image config (provision);
 *   3. the executor process starts: through the container runtime when the
 *      agent isolates (an image, or isolators beyond posix/*), where the
 *      runtime runs PREPARING → ISOLATING → FETCHING (the fetcher) → RUNNING;
 *      else fetch, then the posix Launcher. The built-in command executor
 *      runs in the agent and only its task is containerized (taskStarter).
 * destroy(): the runtime's destroy, then the provisioner's (rootfs removed);
 * release() does the second half after a container ended by itself.
 */
import { mkdir, rename, symlink, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { create, isFieldSet } from '@bufbuild/protobuf';
import type { Logger } from 'pino';

import { type ContainerInfo, ContainerInfo_Type, type ResourceStatistics, ResourceStatisticsSchema } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { LaunchError } from '../errors.js';
import { type FetcherOptions, type FetchUri, fetchUris } from '../fetcher/fetcher.js';
import { containerTaskStarter } from '../executors/container-task.js';
import { startHostTaskProcess, type TaskStarter } from '../executors/command-task.js';
import type { ExitStatus, LaunchedContainer, Launcher } from '../launcher/launcher.js';
import { exitStatus } from '../launcher/posix.js';
import { STDERR, STDOUT } from '../paths.js';
import type { CommandSpec, ContainerResources, ImageRuntimeConfig, UsageFields } from './isolators/isolator.js';
import { PosixCpuIsolator } from './isolators/posix/cpu.js';
import { PosixMemIsolator } from './isolators/posix/mem.js';
import type { Provisioner } from './provisioner/index.js';
import type { ContainerRuntime, Termination } from './runtime/container-runtime.js';

/** A provisioned image: where its rootfs is and what its config says. */
export interface ProvisionedImage {
  readonly name: string;
  readonly rootfs: string;
  readonly config: ImageRuntimeConfig;
}

export interface ContainerLaunch {
  readonly containerId: string;
  /** Host path of the sandbox (created by prepareSandbox). */
  readonly directory: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly uris: readonly FetchUri[];
  /** The executor's CommandInfo (docker/runtime merges it with the image); default: `argv` as is. */
  readonly command?: CommandSpec;
  readonly image?: ProvisionedImage;
  /** What the container's limits are computed from (executor + tasks). */
  readonly resources: ContainerResources;
  /** A limit was hit and the container destroyed: called before `exited` resolves. */
  readonly onLimitation?: (termination: Termination) => void;
}

export interface TaskContainer {
  readonly containerId: string;
  readonly directory: string;
  readonly env: Readonly<Record<string, string>>;
  readonly image?: ProvisionedImage;
  readonly resources: ContainerResources;
  readonly onLimitation: (termination: Termination) => void;
}

export interface ContainerizerOptions {
  /** Host processes when the agent does not isolate (posix isolation only). */
  readonly launcher: Launcher;
  readonly fetcher: FetcherOptions;
  readonly logger: Logger;
  /** The container runtime: set when --isolation has more than posix/* isolators. */
  readonly runtime?: ContainerRuntime;
  /** Set with --image_providers=docker. */
  readonly provisioner?: Provisioner;
}

export class Containerizer {
  readonly #launcher: Launcher;
  readonly #fetcher: FetcherOptions;
  readonly #logger: Logger;
  readonly #runtime: ContainerRuntime | undefined;
  readonly #provisioner: Provisioner | undefined;
  /** Usage of containers the runtime does not run (posix): their process trees. */
  readonly #posixUsage = [PosixCpuIsolator.create(), PosixMemIsolator.create()];
  readonly #resources = new Map<string, ContainerResources>();
  /** Nested containers by parent: destroyed (and released) with it, as Mesos destroys a container's children first. */
  readonly #nested = new Map<string, Map<string, () => Promise<void>>>();

  constructor(options: ContainerizerOptions) {
    this.#launcher = options.launcher;
    this.#fetcher = options.fetcher;
    this.#logger = options.logger;
    this.#runtime = options.runtime;
    this.#provisioner = options.provisioner;
  }

  /** Whether containers go through the runtime (cgroups, namespaces, images). */
  get isolating(): boolean {
    return this.#runtime !== undefined;
  }

  /** Step 1 alone, so the sandbox exists (for /files) even if a later step fails. */
  async prepareSandbox(directory: string, latestLink: string): Promise<void> {
    await mkdir(directory, { recursive: true });
    await replaceSymlink(basename(directory), latestLink);
  }

  /** Fetching alone, for executors that run inside the agent (the built-in command executor). */
  async fetch(uris: readonly FetchUri[], directory: string): Promise<void> {
    await fetchUris(uris, directory, this.#fetcher);
  }

  /**
   * Step 2, PROVISIONING: undefined without an image. Throws LaunchError
   * naming the image (unknown image, registry down, images not enabled).
   */
  async provision(containerId: string, container: ContainerInfo | undefined): Promise<ProvisionedImage | undefined> {
    if (container === undefined) return undefined;
    if (container.type === ContainerInfo_Type.DOCKER) {
      throw new LaunchError('ContainerInfo type DOCKER needs the docker containerizer, which mesoscale does not have; use type MESOS with an image (mesos.image)');
    }
    const image = container.mesos?.image;
    if (image === undefined) return undefined;
    const name = image.docker?.name ?? image.appc?.name ?? '(unnamed)';
    if (this.#provisioner === undefined) {
      throw new LaunchError(`Container ${containerId} has image '${name}', but this agent has no image provider: start it with --image_providers=docker (and filesystem/linux,docker/runtime in --isolation)`);
    }
    this.#logger.info({ containerId, image: name }, `Transitioning the state of container ${containerId} from STARTING to PROVISIONING`);
    try {
      const provisioned = await this.#provisioner.provision(containerId, image);
      const c = provisioned.config;
      const config: ImageRuntimeConfig = {
        ...(c.entrypoint != null ? { entrypoint: c.entrypoint } : {}),
        ...(c.cmd != null ? { cmd: c.cmd } : {}),
        ...(c.env != null ? { env: c.env } : {}),
        ...(c.workingDir != null ? { workingDir: c.workingDir } : {}),
        ...(c.user != null ? { user: c.user } : {}),
      };
      return { name, rootfs: provisioned.rootfs, config };
    } catch (err) {
      await this.#provisioner.destroy(containerId).catch(() => undefined);
      throw new LaunchError(`Failed to provision image '${name}' for container ${containerId}: ${(err as Error).message}`, err);
    }
  }

  /** Step 3 for executor processes (custom executors, the HTTP command executor). Throws FetchError or LaunchError. */
  async launch(request: ContainerLaunch): Promise<LaunchedContainer> {
    const id = request.containerId;
    this.#resources.set(id, request.resources);
    const runtime = this.#runtime;
    if (runtime === undefined) {
      await fetchUris(request.uris, request.directory, this.#fetcher);
      const container = await this.#launcher.launch({
        containerId: id,
        argv: request.argv,
        env: request.env,
        cwd: request.directory,
        stdoutPath: join(request.directory, STDOUT),
        stderrPath: join(request.directory, STDERR),
      });
      await this.#trackPosix(id, container.pid);
      this.#logger.info({ containerId: id, pid: container.pid }, 'launched container');
      return container;
    }
    const [value, ...rest] = request.argv;
    const launched = await runtime.launch({
      containerId: id,
      ...(request.image !== undefined ? { rootfs: request.image.rootfs, image: request.image.config } : {}),
      command: request.command ?? { shell: false, ...(value !== undefined ? { value } : {}), arguments: [value ?? '', ...rest] },
      env: request.env,
      resources: request.resources,
      sandboxDir: request.directory,
      stdoutPath: join(request.directory, STDOUT),
      stderrPath: join(request.directory, STDERR),
      beforeStart: () => fetchUris(request.uris, request.directory, this.#fetcher),
    });
    this.#logger.info({ containerId: id, pid: launched.pid, image: request.image?.name }, 'launched container');
    const exited: Promise<ExitStatus> = runtime.wait(id).then((termination) => {
      if (termination.limitation !== undefined) request.onLimitation?.(termination);
      return termination.status ?? exitStatus(null, 'SIGKILL');
    });
    return { containerId: id, pid: launched.pid, exited };
  }

  /**
   * How the built-in command executor starts its task: in a container of the
   * runtime when the agent isolates (with the image's rootfs if any), else
   * as a host process whose tree /monitor/statistics reads.
   */
  taskStarter(task: TaskContainer): TaskStarter {
    const id = task.containerId;
    this.#resources.set(id, task.resources);
    if (this.#runtime === undefined) {
      return async (...args) => {
        const started = await startHostTaskProcess(...args);
        await this.#trackPosix(id, started.pid);
        return started;
      };
    }
    return containerTaskStarter({
      runtime: this.#runtime,
      containerId: id,
      ...(task.image !== undefined ? { rootfs: task.image.rootfs, image: task.image.config } : {}),
      env: task.env,
      resources: task.resources,
      sandboxDir: task.directory,
      stdoutPath: join(task.directory, STDOUT),
      stderrPath: join(task.directory, STDERR),
      onLimitation: task.onLimitation,
    });
  }

  /**
   * Registers a nested container (or anything else living under `parentId`,
   * e.g. an executor running inside the agent): `destroyChild` runs when the
   * parent is destroyed or released, before the parent itself. Returns the
   * function that unregisters it.
   */
  attachNested(parentId: string, childId: string, destroyChild: () => Promise<void>): () => void {
    let children = this.#nested.get(parentId);
    if (children === undefined) this.#nested.set(parentId, (children = new Map()));
    children.set(childId, destroyChild);
    return () => {
      if (children.get(childId) === destroyChild) children.delete(childId);
    };
  }

  async #destroyNested(parentId: string): Promise<void> {
    const children = this.#nested.get(parentId);
    if (children === undefined) return;
    this.#nested.delete(parentId);
    await Promise.all([...children.values()].map((destroy) => destroy().catch((err: Error) => {
      this.#logger.warn({ containerId: parentId, err: err.message }, 'failed to destroy a nested container');
    })));
  }

  kill(containerId: string, signal: NodeJS.Signals): void {
    this.#launcher.kill(containerId, signal);
    if (this.#runtime?.state(containerId) !== undefined) void this.#runtime.kill(containerId, signal).catch(() => undefined);
  }

  /** Kills everything of the container, then removes its rootfs. Idempotent; unknown ids are fine. */
  async destroy(containerId: string): Promise<void> {
    await this.#destroyNested(containerId);
    if (this.#runtime?.state(containerId) !== undefined) await this.#runtime.destroy(containerId);
    await this.#launcher.destroy(containerId);
    await this.release(containerId);
  }

  /** After a container ended on its own: what is left of it (runtime state, rootfs, usage tracking). */
  async release(containerId: string): Promise<void> {
    await this.#destroyNested(containerId);
    if (this.#runtime?.state(containerId) !== undefined) await this.#runtime.destroy(containerId);
    for (const isolator of this.#posixUsage) await isolator.cleanup?.(containerId);
    this.#resources.delete(containerId);
    await this.#provisioner?.destroy(containerId).catch((err: Error) => {
      this.#logger.warn({ containerId, err: err.message }, 'failed to remove the container root filesystem');
    });
  }

  /**
   * ResourceStatistics of a running container (runtime: cgroups or posix
   * isolators; else the process tree). As Mesos' containerizer, cpus_limit and
   * mem_limit_bytes come from the container's resources when no isolator set them.
   */
  async usage(containerId: string): Promise<ResourceStatistics | undefined> {
    let stats: ResourceStatistics;
    if (this.#runtime?.state(containerId) !== undefined) {
      stats = await this.#runtime.usage(containerId);
    } else {
      const fields: UsageFields = {};
      for (const isolator of this.#posixUsage) Object.assign(fields, await isolator.usage?.(containerId));
      if (Object.keys(fields).length === 0) return undefined;
      stats = create(ResourceStatisticsSchema, { timestamp: Date.now() / 1000, ...fields });
    }
    const resources = this.#resources.get(containerId);
    if (!isFieldSet(stats, ResourceStatisticsSchema.field.cpusLimit) && resources?.cpus !== undefined) stats.cpusLimit = resources.cpus;
    if (!isFieldSet(stats, ResourceStatisticsSchema.field.memLimitBytes) && resources?.memMb !== undefined) stats.memLimitBytes = BigInt(Math.round(resources.memMb * 1024 * 1024));
    return stats;
  }

  async #trackPosix(containerId: string, pid: number): Promise<void> {
    for (const isolator of this.#posixUsage) await isolator.isolate?.(containerId, pid);
  }
}

/** Points `link` at `target` atomically (a temporary link renamed over the old one). */
export async function replaceSymlink(target: string, link: string): Promise<void> {
  const temp = `${link}.tmp-${process.pid}`;
  await unlink(temp).catch(() => undefined);
  await symlink(target, temp);
  await rename(temp, link);
}
