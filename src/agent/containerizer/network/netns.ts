/**
 * Persistent network namespaces without a compiled addon: a namespace is kept
 * alive by bind-mounting its nsfs file onto a regular file (what `ip netns add`
 * does under /run/netns), here a file in the agent's runtime dir.
 *
 * Measured on the project machine (20 namespaces, loopback up, then removed):
 *
 *   create: `unshare --net=<file> ip link set lo up`   ~5 ms each (one exec)
 *           `ip netns add N` + `ip -n N link set lo up` ~4 ms each (two execs)
 *   remove: `umount <file>` + unlink                    ~3.7 ms
 *           `ip netns del N`                            ~2.5 ms
 *
 * Chosen: the runtime-dir file. The cost is the same, and it keeps every
 * namespace of this agent under --runtime_dir, so recovery lists one
 * directory and two agents (or tests) never share /run/netns names. `unshare`
 * runs `ip link set lo up` inside the new namespace before it exits, so
 * loopback is up (a fresh netns has lo down) without a second exec.
 *
 * Caveat: another process that copies the mount table while a namespace file
 * is mounted (a new mount namespace with private propagation) holds a copy of
 * the bind mount, and with it the (empty) namespace, until that process ends.
 * OCI runtimes drop such copies at pivot_root; `unshare --mount` launchers do not.
 */
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';

import { NetnsError } from './errors.js';
import { describeOutcome, runTool } from './run-tool.js';

const TOOL_TIMEOUT_MS = 10_000;

/** Creates a namespace with loopback up, bound at `path` (a new file; its directory must exist). */
export async function createNetns(path: string): Promise<void> {
  if (isMountPoint(path)) throw new NetnsError(path, 'already mounted: a namespace exists there (a stale container?)');
  writeFileSync(path, '', { flag: 'w' });
  let outcome;
  try {
    outcome = await runTool('unshare', [`--net=${path}`, 'ip', 'link', 'set', 'lo', 'up'], { timeoutMs: TOOL_TIMEOUT_MS });
  } catch (err) {
    throw new NetnsError(path, `cannot run unshare (${(err as Error).message}); install util-linux and iproute2`, err);
  }
  if (outcome.code !== 0) {
    // unshare may have bound the namespace before `ip` failed: do not leave it behind.
    await removeNetns(path).catch(() => undefined);
    const hint = /ip.*(No such file|not found)/i.test(outcome.stderr) ? ' (install iproute2)' : ' (needs root: CAP_SYS_ADMIN)';
    throw new NetnsError(path, `cannot create: ${describeOutcome(outcome)}${hint}`);
  }
}

/** Unmounts and deletes the namespace file; fine if it is already gone. The kernel frees the namespace when nothing else holds it. */
export async function removeNetns(path: string): Promise<void> {
  if (isMountPoint(path)) {
    let outcome;
    try {
      outcome = await runTool('umount', [path], { timeoutMs: TOOL_TIMEOUT_MS });
    } catch (err) {
      throw new NetnsError(path, `cannot run umount (${(err as Error).message})`, err);
    }
    // A lazy unmount as a fallback: nsfs mounts are never busy, but a stacked mount could be.
    if (outcome.code !== 0) {
      const lazy = await runTool('umount', ['-l', path], { timeoutMs: TOOL_TIMEOUT_MS });
      if (lazy.code !== 0) throw new NetnsError(path, `cannot unmount: ${describeOutcome(outcome)}`);
    }
  }
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new NetnsError(path, `cannot delete: ${(err as Error).message}`, err);
  }
}

/** True when a live namespace is bound at `path`. */
export function netnsExists(path: string): boolean {
  return existsSync(path) && isMountPoint(path);
}

/** Whether `path` is a mount point in our mount namespace (field 5 of /proc/self/mountinfo, octal escapes decoded). */
export function isMountPoint(path: string): boolean {
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  for (const line of mountinfo.split('\n')) {
    const mountPoint = line.split(' ')[4];
    if (mountPoint !== undefined && unescapeMountPath(mountPoint) === path) return true;
  }
  return false;
}

/** mountinfo writes space, tab, newline and backslash as \040 \011 \012 \134. */
export function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
