/**
 * The runtime's public types: what the agent's containerizer passes in and
 * gets back. Documented with examples in docs/isolation.md.
 */
import type { Logger } from '../../../lib/logger.js';
import type { ExitStatus } from '../../launcher/launcher.js';
import type { CgroupLayout } from '../isolators/cgroups/layout.js';
import type { CommandSpec, ContainerLimitation, ContainerResources, ImageRuntimeConfig } from '../isolators/isolator.js';
import type { OciUser } from './oci-config.js';

export interface ContainerRuntimeOptions {
  /** `--runtime_dir` (Mesos default /var/run/mesos): checkpoints, bundles, runc state. */
  readonly runtimeDir: string;
  /** `--isolation` (default posix/cpu,posix/mem). */
  readonly isolation?: string;
  /** `--cgroups_hierarchy` (default /sys/fs/cgroup). */
  readonly cgroupsHierarchy?: string;
  /** `--cgroups_root` (default mesos). */
  readonly cgroupsRoot?: string;
  /** `--cgroups_enable_cfs` (default false). */
  readonly cgroupsEnableCfs?: boolean;
  /** A pre-detected layout (tests); detected from /proc/self/mounts otherwise. */
  readonly cgroupsLayout?: CgroupLayout;
  /** `--sandbox_directory` (default /mnt/mesos/sandbox). */
  readonly sandboxDirectory?: string;
  /** `--docker_ignore_runtime` (default false). */
  readonly dockerIgnoreRuntime?: boolean;
  /** OOM counter poll interval (default 250 ms). */
  readonly oomPollIntervalMs?: number;
  /**
   * Do not let running containers keep Node's event loop alive (default
   * false). Containers survive the agent either way (own session, status
   * file); with false, a pending wait() keeps the process running, as a test
   * or a one-shot CLI expects; an agent that ends its loop to exit sets true.
   */
  readonly unrefProcesses?: boolean;
  /** Which OCI runtime runs containers with a rootfs: `auto` (default: crun if installed, else runc); see oci-backend.ts. */
  readonly ociRuntime?: 'runc' | 'crun' | 'auto';
  /** The runc binary (default `runc` from PATH). */
  readonly runc?: string;
  /** The crun binary (default `crun` from PATH). */
  readonly crun?: string;
  readonly log: Logger;
}

export interface LaunchRequest {
  readonly containerId: string;
  /** Ancestors, outermost first, for nested containers. */
  readonly parentIds?: readonly string[];
  /** The provisioner's rootfs (host path); undefined = run on the host filesystem. */
  readonly rootfs?: string;
  /** The task's CommandInfo (what runs is decided with the image config, see docker-runtime.ts). */
  readonly command: CommandSpec;
  /** The image config, when the container has a Docker image (used by docker/runtime). */
  readonly image?: ImageRuntimeConfig;
  /** The agent/executor environment (MESOS_*, --executor_environment_variables): the lowest priority. */
  readonly env: Readonly<Record<string, string>>;
  /** In-container user, resolved by the agent against the rootfs (runc never reads /etc/passwd). Default root. Ignored on the host fs. */
  readonly user?: OciUser;
  /** cpus and mem (MB) the limits are computed from; add executor overhead before. */
  readonly resources: ContainerResources;
  /** Host path of the sandbox (bind-mounted at --sandbox_directory with a rootfs). */
  readonly sandboxDir: string;
  /** Sandbox files the container's stdout/stderr are appended to. */
  readonly stdoutPath: string;
  readonly stderrPath: string;
  /** FETCHING: runs after the cgroups exist and before anything of the container runs (the fetcher). */
  readonly beforeStart?: () => Promise<void>;
}

export interface LaunchedContainer {
  readonly containerId: string;
  /** The container's first process, as seen from the host (runc's init, or the host wrapper). */
  readonly pid: number;
}

/** How a container ended (Mesos' ContainerTermination). */
export interface Termination {
  readonly containerId: string;
  /** Undefined when the status was lost (the wrapper was killed from outside). */
  readonly status: ExitStatus | undefined;
  /** A limit it hit (e.g. OOM: reason CONTAINER_LIMITATION_MEMORY); the task then fails with that reason. */
  readonly limitation: ContainerLimitation | undefined;
  /** True when destroy() (or a limitation) ended it. */
  readonly destroyed: boolean;
  /** The limitation message, or `Command exited with status N` / `... terminated with signal Killed`. */
  readonly message: string;
  /** Cleanup steps that failed (logged too); empty when everything was removed. */
  readonly cleanupErrors: readonly string[];
}
