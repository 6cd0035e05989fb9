/**
 * Helper process for recovery.test.ts: an "agent" that launches containers
 * through the runtime and exits while they run (as an agent restart does).
 * argv: <runtimeDir> <cgroupsRoot> <rootfs> <sandboxParent> <id>...
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';

import { silentLogger } from '../../src/lib/logger.js';
import { createContainerRuntime } from '../../src/agent/containerizer/runtime/container-runtime.js';

const [runtimeDir, cgroupsRoot, rootfs, sandboxParent, ...ids] = process.argv.slice(2);
const runtime = createContainerRuntime({
  runtimeDir: runtimeDir!,
  isolation: 'cgroups/cpu,cgroups/mem,namespaces/pid,filesystem/linux',
  cgroupsRoot: cgroupsRoot!,
  unrefProcesses: true,
  log: silentLogger,
});
for (const id of ids) {
  const sandbox = join(sandboxParent!, id);
  mkdirSync(sandbox, { recursive: true });
  const { pid } = await runtime.launch({
    containerId: id, rootfs: rootfs!, command: { value: 'sleep 1000' }, env: {}, resources: { cpus: 0.1, memMb: 32 },
    sandboxDir: sandbox, stdoutPath: join(sandbox, 'stdout'), stderrPath: join(sandbox, 'stderr'),
  });
  console.log(`${id} ${pid}`);
}
// Exit without waiting: the containers run on.
process.exit(0);
