/** A temp agent work dir with a store and a provisioner, removed (and unmounted) in cleanup(). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createProvisioner, type Provisioner } from '../../../src/agent/containerizer/provisioner/index.js';
import { mountsUnder, unmount } from '../../../src/agent/containerizer/provisioner/backends/mounts.js';
import type { BackendName } from '../../../src/agent/containerizer/provisioner/backends/backend.js';
import { silentLogger } from '../../../src/lib/logger.js';

export interface TestWorkDir {
  readonly dir: string;
  readonly storeDir: string;
  provisioner(registry: string, backend?: BackendName): Promise<Provisioner>;
  cleanup(): Promise<void>;
}

export async function testWorkDir(): Promise<TestWorkDir> {
  const dir = await mkdtemp(join(tmpdir(), 'mesoscale-prov-'));
  const storeDir = join(dir, 'store', 'docker');
  return {
    dir,
    storeDir,
    provisioner: (registry, backend = 'copy') => createProvisioner({ storeDir, provisionerDir: join(dir, 'provisioner'), backend, dockerRegistry: registry, log: silentLogger }),
    async cleanup() {
      for (const mount of await mountsUnder(dir)) await unmount(mount);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
