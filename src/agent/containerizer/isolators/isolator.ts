/**
 * The isolator lifecycle, as Mesos' `include/mesos/slave/isolator.hpp` defines
 * it. Every phase is optional: an isolator implements only the phases it
 * needs, and the runtime calls only those, in the order of `--isolation`.
 *
 *                  agent restart
 *                       │
 *                       ▼
 *                  recover(known, orphans)   rebuild state for known containers,
 *                       │                    remove what nobody knows (cgroups ...)
 *   launch ──► prepare(config) ──► LaunchInfo   a DESCRIPTION (env, mounts,
 *                       │                      namespaces, cgroup to join, argv);
 *                       │                      only the launcher applies it
 *                       ▼
 *              isolate(containerId, pid)    the process exists but has not exec'd
 *                       │                   the payload yet (cgroup placement)
 *                       ▼
 *              watch(containerId) ─────► ContainerLimitation (e.g. OOM) → destroy
 *              update(containerId, res)     any number of times while running
 *              usage(containerId)           ResourceStatistics fields
 *                       │
 *              (exit or destroy)
 *                       ▼
 *              limitation(containerId)      last look at the counters (see below)
 *                       ▼
 *              cleanup(containerId)         idempotent; unknown ids are fine
 *
 * `limitation()` is ours, not Mesos': Mesos learns about an OOM from an eventfd
 * the kernel signals at once; without a native addon we poll, so a limit hit
 * just before the container exited must be read back from the counters after
 * the exit, before cleanup removes them.
 */
import type { ResourceStatistics, TaskStatus_Reason } from '../../../protocol/gen/mesos/v1/mesos_pb.js';

/** The resources a container's limits are computed from (Mesos scalars: cpus, mem in MB). */
export interface ContainerResources {
  readonly cpus?: number;
  /** Megabytes, as the `mem` resource is expressed (executor overhead already added by the caller). */
  readonly memMb?: number;
}

/** The CommandInfo fields that decide what runs (plain data, no protobuf). */
export interface CommandSpec {
  /** CommandInfo.shell; Mesos' default is true. */
  readonly shell?: boolean;
  readonly value?: string;
  readonly arguments?: readonly string[];
  /** CommandInfo.environment, the highest-priority environment. */
  readonly environment?: Readonly<Record<string, string>>;
}

/** The parts of a Docker/OCI image config the docker/runtime isolator uses. */
export interface ImageRuntimeConfig {
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  /** `KEY=VALUE` strings, as in the image config. */
  readonly env?: readonly string[];
  readonly workingDir?: string;
  /** Recorded but not applied: Mesos ignores the image User too (with a warning). */
  readonly user?: string;
}

/** What an isolator knows about a container; the runtime builds it from the launch request. */
export interface ContainerConfig {
  readonly containerId: string;
  /** Ancestors, outermost first, for nested containers (cgroup `<root>/<parent>/mesos/<child>`). */
  readonly parentIds: readonly string[];
  /** Host path of the root filesystem from the provisioner; undefined = the host filesystem. */
  readonly rootfs: string | undefined;
  readonly sandboxDir: string;
  readonly command: CommandSpec;
  readonly image: ImageRuntimeConfig | undefined;
  readonly resources: ContainerResources;
  /** The container's first process; set for recovered containers (launches learn it at isolate()). */
  readonly pid?: number;
}

export const NAMESPACES = ['pid', 'mount', 'ipc', 'uts', 'network'] as const;
export type Namespace = (typeof NAMESPACES)[number];

/** One OCI mount; `destination` is inside the container. */
export interface MountSpec {
  readonly destination: string;
  readonly type: string;
  readonly source: string;
  readonly options: readonly string[];
}

/** What prepare() asks the launcher to do for the child (Mesos' ContainerLaunchInfo). */
export interface LaunchInfo {
  /** Merged above the agent's environment and below CommandInfo.environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** The full command line; at most one isolator may decide it. */
  readonly argv?: readonly string[];
  readonly workingDirectory?: string;
  readonly mounts?: readonly MountSpec[];
  readonly namespaces?: readonly Namespace[];
  /** The cgroup (same relative path in every hierarchy) the container's init must join. */
  readonly cgroupsPath?: string;
}

/** A resource limit the container ran into (Mesos' ContainerLimitation). */
export interface ContainerLimitation {
  readonly reason: TaskStatus_Reason;
  readonly message: string;
  /** Which resources were exceeded, e.g. ['mem']. */
  readonly resources: readonly string[];
}

/** The ResourceStatistics numbers an isolator can fill in. */
export type UsageFields = Partial<
  Pick<
    ResourceStatistics,
    | 'processes'
    | 'threads'
    | 'cpusUserTimeSecs'
    | 'cpusSystemTimeSecs'
    | 'cpusLimit'
    | 'cpusNrPeriods'
    | 'cpusNrThrottled'
    | 'cpusThrottledTimeSecs'
    | 'memTotalBytes'
    | 'memLimitBytes'
    | 'memSoftLimitBytes'
    | 'memRssBytes'
    | 'memCacheBytes'
    | 'memAnonBytes'
    | 'memFileBytes'
    | 'memMappedFileBytes'
    | 'memSwapBytes'
    | 'memUnevictableBytes'
  >
>;

export interface Isolator {
  /** The `--isolation` name, e.g. `cgroups/mem`. */
  readonly name: string;
  /** `known`: containers the agent still wants; `orphans`: ones the runtime will destroy next (clean up only). */
  recover?(known: readonly ContainerConfig[], orphans: readonly ContainerConfig[]): Promise<void>;
  prepare?(config: ContainerConfig): Promise<LaunchInfo | undefined>;
  isolate?(containerId: string, pid: number): Promise<void>;
  /** Resolves when a limit is hit; stays pending otherwise (also after cleanup). */
  watch?(containerId: string): Promise<ContainerLimitation>;
  limitation?(containerId: string): Promise<ContainerLimitation | undefined>;
  update?(containerId: string, resources: ContainerResources): Promise<void>;
  usage?(containerId: string): Promise<UsageFields>;
  cleanup?(containerId: string): Promise<void>;
}

/** The phases, for error messages and the phase-timing log. */
export type IsolatorPhase = 'recover' | 'prepare' | 'isolate' | 'watch' | 'limitation' | 'update' | 'usage' | 'cleanup';
