/**
 * A container that allocates beyond its 32 MiB memory limit is OOM-killed by
 * the kernel (cgroup v1 on this machine), and wait() reports the memory
 * limitation with Mesos' reason and message.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { TaskStatus_Reason } from '../../src/protocol/gen/mesos/v1/mesos_pb.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createContainerRuntime, type ContainerRuntime } from '../../src/agent/containerizer/runtime/container-runtime.js';
import { buildBusyboxRootfs, leftoverCgroups, makeSandbox, removeCgroupRoot, skipReason, tempDir, testCgroupRoot } from './fixtures.js';

for (const ociRuntime of ['runc', 'crun'] as const) describe(`cgroups/mem OOM through the runtime (${ociRuntime})`, { skip: skipReason(ociRuntime), timeout: 120_000 }, () => {
  let dir: string;
  let rootfs: string;
  let runtime: ContainerRuntime;
  const cgroupsRoot = testCgroupRoot(`oom-${ociRuntime}`);

  before(() => {
    dir = tempDir(`oom-${ociRuntime}`);
    rootfs = buildBusyboxRootfs(dir);
    runtime = createContainerRuntime({
      runtimeDir: join(dir, 'run'),
      isolation: 'cgroups/cpu,cgroups/mem,namespaces/pid,filesystem/linux',
      cgroupsRoot,
      oomPollIntervalMs: 100,
      ociRuntime,
      log: silentLogger,
    });
  });

  after(async () => {
    await Promise.all(runtime.containers().map((id) => runtime.destroy(id)));
    removeCgroupRoot(cgroupsRoot);
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(id: string, script: string) {
    const sandbox = makeSandbox(dir, id);
    await runtime.launch({
      containerId: id, rootfs, command: { value: script }, env: {}, resources: { cpus: 1, memMb: 32 },
      sandboxDir: sandbox.dir, stdoutPath: sandbox.stdout, stderrPath: sandbox.stderr,
    });
    return { sandbox, termination: await runtime.wait(id) };
  }

  it('kills a child that allocates past 32 MiB, reports the limitation and destroys the container', async () => {
    // tail buffers its whole input: ~100 MiB in a 32 MiB cgroup. The shell (PID 1) survives
    // the child's OOM kill and would sleep on: the limitation must end the container.
    const { termination } = await run('oom-child', 'dd if=/dev/zero bs=1M count=100 2>/dev/null | tail -n 1 >/dev/null; sleep 30');
    assert.equal(termination.limitation?.reason, TaskStatus_Reason.CONTAINER_LIMITATION_MEMORY);
    assert.deepEqual(termination.limitation?.resources, ['mem']);
    assert.match(termination.message, /^Memory limit exceeded: Requested: 32MB Maximum Used: \d+(MB|KB|B)\n\nMEMORY STATISTICS: \n/);
    assert.match(termination.message, /total_rss \d+/);
    assert.equal(termination.destroyed, true);
    assert.equal(termination.status?.signal, 'SIGKILL');
  });

  it('reports the limitation when the init itself is the OOM victim (exit seen before the poll)', async () => {
    const { termination } = await run('oom-init', 'exec tail -n 1 /dev/zero');
    assert.equal(termination.limitation?.reason, TaskStatus_Reason.CONTAINER_LIMITATION_MEMORY);
    assert.equal(termination.status?.signal, 'SIGKILL');
    assert.match(termination.message, /Requested: 32MB/);
  });

  it('reports no limitation for a task that stays under the limit', async () => {
    const { termination } = await run('no-oom', 'dd if=/dev/zero bs=1M count=8 2>/dev/null | tail -n 1 >/dev/null');
    assert.equal(termination.limitation, undefined);
    assert.equal(termination.status?.code, 0);
    assert.equal(termination.message, 'Command exited with status 0');
    assert.deepEqual(leftoverCgroups(cgroupsRoot), []);
  });
});
