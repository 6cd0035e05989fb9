/**
 * The overlay backend: one `mount -t overlay` per container, the layers as
 * read-only lower dirs (whiteouts already converted, store/image-store.ts),
 * and a per-container upper and work dir under the scratch directory.
 *
 *   scratch/links/0..N-1 → layer dirs     short names: the option string is
 *   scratch/upperdir, scratch/workdir     limited to one page (4096 bytes)
 *
 * lowerdir lists the TOPMOST layer first; mount runs with cwd = links, so
 * the names are relative (`lowerdir=2:1:0`). About 1.5 ms a mount here.
 */
import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';

import { BackendError } from '../errors.js';
import { run } from '../exec.js';
import type { Backend, BackendLayer } from './backend.js';
import { mountsUnder, unmount } from './mounts.js';

export const OVERLAY_MAX_LAYERS = 500; // the kernel's limit on lower layers

export class OverlayBackend implements Backend {
  readonly name = 'overlay' as const;
  readonly layerForm = 'overlay' as const;

  async provision(containerId: string, layers: readonly BackendLayer[], rootfs: string, scratch: string): Promise<void> {
    if (layers.length === 0 || layers.length > OVERLAY_MAX_LAYERS) {
      throw new BackendError('overlay', containerId, `an image needs 1 to ${OVERLAY_MAX_LAYERS} layers, this one has ${layers.length}`);
    }
    const links = join(scratch, 'links');
    const upper = join(scratch, 'upperdir');
    const work = join(scratch, 'workdir');
    await rm(links, { recursive: true, force: true });
    await mkdir(links, { recursive: true });
    await mkdir(upper, { recursive: true });
    await mkdir(work, { recursive: true });
    for (const [i, layer] of layers.entries()) await symlink(layer.path, join(links, String(i)));
    const lower = layers.map((_, i) => String(i)).reverse().join(':');
    try {
      await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, rootfs], { cwd: links });
    } catch (err) {
      throw new BackendError('overlay', containerId, `mounting ${rootfs} failed (is overlayfs available, and is the store not itself on overlay/btrfs/zfs?): ${(err as Error).message}`, err);
    }
  }

  async destroy(_containerId: string, rootfs: string, scratch: string): Promise<void> {
    for (const mount of await mountsUnder(rootfs)) await unmount(mount);
    await rm(rootfs, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  }
}
