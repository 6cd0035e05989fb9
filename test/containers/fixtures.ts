/**
 * Fixtures for container tests: a tiny root filesystem made from Debian's
 * busybox-static (no provisioner, no image), sandboxes, and a unique cgroup
 * root so tests never touch another agent's `mesos` cgroups.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

import { detectHostLayout } from '../../src/agent/containerizer/isolators/cgroups/layout.js';

export const BUSYBOX = '/bin/busybox';

/** Why a real-container test cannot run here, or undefined when it can. */
export function skipReason(ociRuntime: 'runc' | 'crun' = 'runc'): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!existsSync(BUSYBOX)) return 'needs busybox-static (apt-get install busybox-static)';
  try {
    execFileSync(ociRuntime, ['--version']);
  } catch {
    return `needs ${ociRuntime} (apt-get install ${ociRuntime})`;
  }
  try {
    if (!detectHostLayout().v1.has('memory')) return 'needs the cgroup v1 memory controller';
  } catch {
    return 'needs cgroups';
  }
  return undefined;
}

/** `<dir>/rootfs` with /bin/busybox and a symlink per applet, plus the usual empty dirs. */
export function buildBusyboxRootfs(dir: string): string {
  const rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc', 'root']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n');
  // busybox lists itself as an applet: linking it would replace the binary by a loop.
  for (const applet of applets) if (applet !== '' && applet !== 'busybox') symlinkSync('busybox', join(rootfs, 'bin', applet));
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  return rootfs;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `mesoscale-${prefix}-`));
}

export interface Sandbox {
  readonly dir: string;
  readonly stdout: string;
  readonly stderr: string;
  read(which: 'stdout' | 'stderr'): string;
}

export function makeSandbox(parent: string, name: string): Sandbox {
  const dir = join(parent, 'sandboxes', name);
  mkdirSync(dir, { recursive: true });
  const sandbox = {
    dir,
    stdout: join(dir, 'stdout'),
    stderr: join(dir, 'stderr'),
    read: (which: 'stdout' | 'stderr') => (existsSync(sandbox[which]) ? readFileSync(sandbox[which], 'utf8') : ''),
  };
  return sandbox;
}

/** A cgroup root unique to this test process. */
export function testCgroupRoot(tag: string): string {
  return `mesoscale-test-${tag}-${process.pid}`;
}

/** Every cgroup (v1) and cgroup2 mount point. */
export function cgroupMounts(): string[] {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[2] === 'cgroup' || f[2] === 'cgroup2')
    .map((f) => f[1]!);
}

/** Container cgroup dirs left under `root` in any v1 hierarchy (should be none after cleanup). */
export function leftoverCgroups(root: string): string[] {
  const left: string[] = [];
  for (const mountPoint of cgroupMounts()) {
    const dir = join(mountPoint, root);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) left.push(join(dir, entry.name));
  }
  return left;
}

/** Removes the (empty) cgroup root dirs under every cgroup mount (runc also makes them in name=systemd, unified ...). */
export function removeCgroupRoot(root: string): void {
  for (const mountPoint of cgroupMounts()) {
    const dir = join(mountPoint, root);
    try {
      if (existsSync(dir)) rmdirSync(dir);
    } catch {
      // Not empty: a leftover the test's own assertions report.
    }
  }
}

/** Mount points under `prefix` in the host mount table (should be none after cleanup). */
export function mountsUnder(prefix: string): string[] {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(prefix));
}
