/**
 * Converts an extracted layer's AUFS whiteouts into overlayfs' form, in
 * place (Mesos keeps this copy as `rootfs.overlay`):
 *
 *   <dir>/.wh.<name>    → character device 0/0 at <dir>/<name>
 *   <dir>/.wh..wh..opq  → xattr trusted.overlay.opaque=y on <dir>
 *
 * Node has no mknod or setxattr, so `mknod` and `setfattr` (package attr)
 * are spawned; there is one call per whiteout, and most layers have none.
 */
import { lstat, readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';

import { run } from '../exec.js';
import { parseWhiteout } from './whiteouts.js';

export async function convertWhiteoutsForOverlay(root: string): Promise<number> {
  let converted = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const whiteout = parseWhiteout(entry.name);
      if (whiteout?.kind === 'opaque') {
        await run('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', dir]);
        await unlink(path);
        converted++;
      } else if (whiteout?.kind === 'delete') {
        await unlink(path);
        const target = join(dir, whiteout.name);
        // A layer that both deletes and adds a name keeps the deletion, as the copy backend does.
        await rm(target, { recursive: true, force: true });
        await run('mknod', ['-m', '000', target, 'c', '0', '0']);
        converted++;
      } else if (entry.isDirectory()) {
        await walk(path);
      }
    }
  };
  if ((await lstat(root)).isDirectory()) await walk(root);
  return converted;
}
