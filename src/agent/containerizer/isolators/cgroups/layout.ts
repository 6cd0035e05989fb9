/**
 * Where the cgroup controllers live: v1 (one hierarchy per controller or
 * co-mounted group, e.g. /sys/fs/cgroup/memory), v2 (one unified tree whose
 * `cgroup.controllers` lists what it offers), or hybrid (both; the machine
 * this project is built on has v1 for everything and a v2 mount at
 * /sys/fs/cgroup/unified offering only hugetlb).
 *
 * A controller is taken from v1 when a v1 hierarchy has it, else from v2 when
 * the v2 root offers it (the kernel lets a controller be bound to one of them
 * only). The layout is read from the mount table, not guessed from directory
 * names, so co-mounts like `cpu,cpuacct` and unusual mount points both work.
 *
 * Container cgroups (Mesos naming, `--cgroups_root` default `mesos`):
 *   top level  <root>/<containerId>
 *   nested     <root>/<parent>/mesos/<child>   (the separator is literally `mesos`)
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { CgroupError } from '../errors.js';

export type CgroupVersion = 'v1' | 'v2';
export type CgroupLayoutKind = 'v1' | 'v2' | 'hybrid';

/** The v1 controller names the kernel knows (other mount options are not controllers). */
const V1_CONTROLLERS = new Set([
  'cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids',
  'net_cls', 'net_prio', 'perf_event', 'hugetlb', 'rdma', 'misc',
]);

export const DEFAULT_CGROUPS_HIERARCHY = '/sys/fs/cgroup';
export const DEFAULT_CGROUPS_ROOT = 'mesos';
/** The separator between a parent container and its children in cgroup paths. */
export const NESTED_SEPARATOR = 'mesos';

export interface CgroupLayout {
  readonly kind: CgroupLayoutKind;
  readonly hierarchy: string;
  /** v1 controller → the mount point of the hierarchy holding it. */
  readonly v1: ReadonlyMap<string, string>;
  /** The cgroup2 mount under `hierarchy`, with the controllers its root offers. */
  readonly v2: { readonly mountPoint: string; readonly controllers: ReadonlySet<string> } | undefined;
}

/** Where one controller's files for one cgroup are. */
export interface ControllerLocation {
  readonly version: CgroupVersion;
  /** Mount point of the hierarchy. */
  readonly mountPoint: string;
}

interface MountEntry {
  readonly mountPoint: string;
  readonly fsType: string;
  readonly options: readonly string[];
}

/** Lines of /proc/self/mounts (`device mountpoint fstype options dump pass`; spaces escaped as \040). */
export function parseMounts(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) continue;
    entries.push({
      mountPoint: fields[1]!.replace(/\\040/g, ' '),
      fsType: fields[2]!,
      options: fields[3]!.split(','),
    });
  }
  return entries;
}

/**
 * The layout under `hierarchy` from a mount table. `readControllers` returns
 * the text of `<v2 mount>/cgroup.controllers` (injected so unit tests can
 * point it at a fake tree).
 */
export function detectLayout(
  mountsText: string,
  hierarchy: string,
  readControllers: (mountPoint: string) => string = (mountPoint) => readFileSync(join(mountPoint, 'cgroup.controllers'), 'utf8'),
): CgroupLayout {
  const base = resolve(hierarchy);
  const under = (p: string) => p === base || p.startsWith(`${base}/`);
  const v1 = new Map<string, string>();
  let v2: CgroupLayout['v2'];
  for (const mount of parseMounts(mountsText)) {
    if (!under(mount.mountPoint)) continue;
    if (mount.fsType === 'cgroup') {
      for (const option of mount.options) if (V1_CONTROLLERS.has(option)) v1.set(option, mount.mountPoint);
    } else if (mount.fsType === 'cgroup2' && v2 === undefined) {
      const controllers = new Set(readControllers(mount.mountPoint).split(/\s+/).filter((c) => c !== ''));
      v2 = { mountPoint: mount.mountPoint, controllers };
    }
  }
  const hasV1 = parseMounts(mountsText).some((m) => m.fsType === 'cgroup' && under(m.mountPoint));
  if (!hasV1 && v2 === undefined) {
    throw new CgroupError(hierarchy, 'no cgroup (v1) or cgroup2 filesystem is mounted here; check --cgroups_hierarchy, or use --isolation=posix/cpu,posix/mem');
  }
  const kind: CgroupLayoutKind = hasV1 && v2 !== undefined ? 'hybrid' : hasV1 ? 'v1' : 'v2';
  return { kind, hierarchy: base, v1, v2 };
}

/** The layout of this machine, from /proc/self/mounts. */
export function detectHostLayout(hierarchy: string = DEFAULT_CGROUPS_HIERARCHY): CgroupLayout {
  return detectLayout(readFileSync('/proc/self/mounts', 'utf8'), hierarchy);
}

/** Which hierarchy serves `controller`; throws CgroupError naming the flag to change. */
export function locateController(layout: CgroupLayout, controller: string): ControllerLocation {
  const v1 = layout.v1.get(controller);
  if (v1 !== undefined) return { version: 'v1', mountPoint: v1 };
  if (layout.v2 !== undefined && layout.v2.controllers.has(controller)) {
    return { version: 'v2', mountPoint: layout.v2.mountPoint };
  }
  throw new CgroupError(
    layout.hierarchy,
    `the '${controller}' controller is neither a mounted cgroup v1 hierarchy nor offered by a cgroup2 mount ` +
      `(layout: ${layout.kind}); mount it or remove the isolator that needs it from --isolation`,
  );
}

/** `<root>/<id>` or `<root>/<p1>/mesos/<p2>/mesos/<id>` (relative to a hierarchy's mount point). */
export function containerCgroup(root: string, parentIds: readonly string[], containerId: string): string {
  const chain = [...parentIds, containerId];
  return [trimSlashes(root), chain.join(`/${NESTED_SEPARATOR}/`)].filter((p) => p !== '').join('/');
}

/** The absolute directory of a cgroup in one controller's hierarchy. */
export function cgroupDir(location: ControllerLocation, cgroup: string): string {
  return join(location.mountPoint, cgroup);
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}
