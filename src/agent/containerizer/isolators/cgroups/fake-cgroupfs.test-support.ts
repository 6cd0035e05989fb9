/**
 * A fake cgroup v2 filesystem in a temp dir, for unit tests of the v2 logic:
 * this machine has a real cgroup2 mount, but it offers only hugetlb, so the
 * v2 cpu and memory paths cannot be exercised for real here.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type CgroupLayout, detectLayout } from './layout.js';

export interface FakeCgroupfs {
  readonly mountPoint: string;
  readonly layout: CgroupLayout;
  read(path: string): string;
  write(path: string, text: string): void;
  remove(): void;
}

export function fakeCgroupV2(controllers = 'cpuset cpu io memory pids'): FakeCgroupfs {
  const base = mkdtempSync(join(tmpdir(), 'fake-cgroup2-'));
  const mountPoint = join(base, 'sys/fs/cgroup');
  mkdirSync(mountPoint, { recursive: true });
  writeFileSync(join(mountPoint, 'cgroup.controllers'), `${controllers}\n`);
  writeFileSync(join(mountPoint, 'cgroup.subtree_control'), '');
  const layout = detectLayout(`cgroup2 ${mountPoint} cgroup2 rw,nsdelegate 0 0`, mountPoint);
  return {
    mountPoint,
    layout,
    read: (path) => readFileSync(join(mountPoint, path), 'utf8'),
    write: (path, text) => writeFileSync(join(mountPoint, path), text),
    remove: () => rmSync(base, { recursive: true, force: true }),
  };
}
