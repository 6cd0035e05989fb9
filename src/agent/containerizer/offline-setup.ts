/**
 * What `mesoscale local` needs to run its sample task in a container with no
 * network: whether this machine can (root, cgroups, an OCI runtime, a static
 * busybox for the image) and the project's busybox test image written as a
 * local archive directory, which agents read with `--docker_registry=<dir>`
 * (Mesos' local puller layout: `<dir>/<repository>:<tag>.tar`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { detectHostLayout, locateController } from './isolators/cgroups/layout.js';
import { busyboxImage, findBusybox } from './provisioner/image-builder/busybox-image.js';
import { writeOciArchive } from './provisioner/image-builder/oci-image.js';

/** The image `mesoscale local` runs its sample task in. */
export const LOCAL_TEST_IMAGE = 'mesoscale/busybox';

/** The agent flags of a containerizing agent (image, cgroups, pid namespace). */
export const CONTAINER_ISOLATION = 'filesystem/linux,docker/runtime,cgroups/cpu,cgroups/mem,namespaces/pid';

/** Why containers cannot run here, or undefined when they can. */
export function containerUnsupportedReason(): string | undefined {
  if (process.platform !== 'linux') return 'containers need Linux';
  if (process.getuid?.() !== 0) return 'containers need root';
  try {
    const layout = detectHostLayout();
    for (const controller of ['cpu', 'memory']) locateController(layout, controller);
  } catch (err) {
    return `no usable cgroups (${(err as Error).message})`;
  }
  const runtime = ['crun', 'runc'].find((binary) => {
    try {
      execFileSync(binary, ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  if (runtime === undefined) return 'neither crun nor runc is installed (apt-get install crun)';
  try {
    findBusybox();
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

/** Writes LOCAL_TEST_IMAGE (`:latest`) into `dir`; returns the image name. */
export async function writeLocalTestImage(dir: string): Promise<string> {
  const [repository] = LOCAL_TEST_IMAGE.split('/').slice(-1);
  const owner = LOCAL_TEST_IMAGE.split('/').slice(0, -1).join('/');
  mkdirSync(join(dir, owner), { recursive: true });
  await writeOciArchive(join(dir, owner, `${repository}:latest.tar`), [{ image: busyboxImage(), refName: 'latest' }]);
  return LOCAL_TEST_IMAGE;
}
