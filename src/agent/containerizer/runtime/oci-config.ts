/**
 * The OCI runtime-spec config.json for one container (pure; written into the
 * bundle by the runtime). Shape checked against runc 1.1.5 (spec 1.0.2) on
 * this machine; see docs/isolation.md for what was measured.
 *
 * Decisions encoded here:
 * - `linux.cgroupsPath` is the cgroup our cgroups isolators created and wrote
 *   the limits into; `linux.resources` is left out, so runc joins that cgroup
 *   and writes no limits of its own (the isolators own the cgroup, as in Mesos).
 * - No network namespace: host networking, Mesos' default without network/cni.
 * - Capabilities: Docker's default set, no new privileges: a task running as
 *   root in the container is not root on the host.
 */
import { hostname } from 'node:os';

import type { MountSpec, Namespace } from '../isolators/isolator.js';
import type { LaunchPlan } from './launch-plan.js';

export interface OciUser {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids?: readonly number[];
}

export interface OciPlan {
  /** Absolute host path of the root filesystem. */
  readonly rootfs: string;
  readonly argv: readonly string[];
  /** `KEY=VALUE` strings. */
  readonly env: readonly string[];
  readonly cwd: string;
  readonly user: OciUser;
  readonly hostname: string | undefined;
  readonly mounts: readonly MountSpec[];
  readonly namespaces: readonly Namespace[];
  readonly cgroupsPath: string | undefined;
}

/** Docker's default capability set. */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
] as const;

/** runc's defaults: kernel interfaces a container must not read or write. */
export const MASKED_PATHS = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware',
] as const;
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'] as const;

export const OCI_VERSION = '1.0.2';

/** A runtime-spec config object (only the fields we set). */
export type OciConfig = Record<string, unknown>;

export function buildOciConfig(plan: OciPlan): OciConfig {
  const capabilities = [...DEFAULT_CAPABILITIES];
  // runc refuses a hostname without its own UTS namespace.
  const hostname = plan.namespaces.includes('uts') ? plan.hostname : undefined;
  return {
    ociVersion: OCI_VERSION,
    ...(hostname !== undefined ? { hostname } : {}),
    root: { path: plan.rootfs, readonly: false },
    process: {
      terminal: false,
      user: { uid: plan.user.uid, gid: plan.user.gid, ...(plan.user.additionalGids?.length ? { additionalGids: [...plan.user.additionalGids] } : {}) },
      args: [...plan.argv],
      env: [...plan.env],
      cwd: plan.cwd,
      noNewPrivileges: true,
      capabilities: { bounding: capabilities, effective: capabilities, permitted: capabilities },
    },
    mounts: plan.mounts.map((m) => ({ destination: m.destination, type: m.type, source: m.source, options: [...m.options] })),
    linux: {
      namespaces: plan.namespaces.map((type) => ({ type })),
      ...(plan.cgroupsPath !== undefined ? { cgroupsPath: plan.cgroupsPath } : {}),
      // Only meaningful with our own mount namespace; runc rejects them otherwise.
      ...(plan.namespaces.includes('mount') ? { maskedPaths: [...MASKED_PATHS], readonlyPaths: [...READONLY_PATHS] } : {}),
    },
  };
}

/**
 * The OciPlan for a launch plan. The hostname is the host's: with host
 * networking a container answering to another name would only confuse.
 */
export function ociPlan(rootfs: string, plan: LaunchPlan, user: OciUser | undefined): OciPlan {
  return {
    rootfs,
    argv: plan.argv,
    env: Object.entries(plan.env).map(([k, v]) => `${k}=${v}`),
    cwd: plan.cwd,
    user: user ?? { uid: 0, gid: 0 },
    hostname: hostname(),
    mounts: plan.mounts,
    namespaces: plan.namespaces,
    cgroupsPath: plan.cgroupsPath,
  };
}
