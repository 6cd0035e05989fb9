/**
 * What isolator factories are given: the agent flags they read (Mesos names in
 * comments) and a logger. Factories validate these and throw typed errors;
 * they never return half-built isolators.
 */
import type { Logger } from '../../../lib/logger.js';
import type { CgroupLayout } from './cgroups/layout.js';

export interface IsolatorOptions {
  /** `--cgroups_hierarchy` (default /sys/fs/cgroup). */
  readonly cgroupsHierarchy: string;
  /** `--cgroups_root` (default mesos). */
  readonly cgroupsRoot: string;
  /** `--cgroups_enable_cfs`: hard CPU limits through the CFS quota. */
  readonly cgroupsEnableCfs: boolean;
  /** The detected layout; detected from /proc/self/mounts when absent (tests pass a fake one). */
  readonly cgroupsLayout?: CgroupLayout;
  /** `--sandbox_directory`: where the sandbox appears inside containers with their own rootfs. */
  readonly sandboxDirectory: string;
  /** `--docker_ignore_runtime`: ignore the image's Entrypoint/Cmd/Env/WorkingDir. */
  readonly dockerIgnoreRuntime: boolean;
  /** How often cgroups/mem polls the OOM counters while a container runs. */
  readonly oomPollIntervalMs: number;
  readonly log: Logger;
}

export const DEFAULT_SANDBOX_DIRECTORY = '/mnt/mesos/sandbox';
export const DEFAULT_OOM_POLL_INTERVAL_MS = 250;
