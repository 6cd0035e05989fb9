/**
 * Real containers through the runtime (runc + cgroups v1 on this machine):
 * pid namespace and rootfs isolation, cpu limits, usage, kill/destroy cleanup.
 * OOM has its own file (oom.test.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { silentLogger } from '../../src/lib/logger.js';
import { createContainerRuntime, type ContainerRuntime } from '../../src/agent/containerizer/runtime/container-runtime.js';
import { detectHostLayout } from '../../src/agent/containerizer/isolators/cgroups/layout.js';
import { buildBusyboxRootfs, leftoverCgroups, makeSandbox, mountsUnder, removeCgroupRoot, skipReason, tempDir, testCgroupRoot } from './fixtures.js';
import { waitFor } from '../support/wait.js';


for (const ociRuntime of ['runc', 'crun'] as const) describe(`container runtime with ${ociRuntime} (real containers)`, { skip: skipReason(ociRuntime), timeout: 120_000 }, () => {
  let dir: string;
  let rootfs: string;
  let runtime: ContainerRuntime;
  const cgroupsRoot = testCgroupRoot(`oci-${ociRuntime}`);
  let marker: string;

  before(() => {
    dir = tempDir(`oci-${ociRuntime}`);
    rootfs = buildBusyboxRootfs(dir);
    marker = join(dir, 'host-only-marker');
    writeFileSync(marker, 'secret');
    runtime = createContainerRuntime({
      runtimeDir: join(dir, 'run'),
      isolation: 'cgroups/cpu,cgroups/mem,namespaces/pid,filesystem/linux,docker/runtime',
      cgroupsRoot,
      cgroupsEnableCfs: true,
      ociRuntime,
      log: silentLogger,
    });
  });

  after(async () => {
    await Promise.all(runtime.containers().map((id) => runtime.destroy(id)));
    removeCgroupRoot(cgroupsRoot);
    rmSync(dir, { recursive: true, force: true });
  });

  function launch(id: string, script: string, resources = { cpus: 0.5, memMb: 64 }) {
    const sandbox = makeSandbox(dir, id);
    const launched = runtime.launch({
      containerId: id,
      rootfs,
      command: { value: script },
      env: { MESOS_SANDBOX: sandbox.dir },
      resources,
      sandboxDir: sandbox.dir,
      stdoutPath: sandbox.stdout,
      stderrPath: sandbox.stderr,
    });
    return { sandbox, launched };
  }

  it('runs in its own pid namespace and rootfs: PID 1, no host files, sandbox mounted', async () => {
    const { sandbox, launched } = launch('pidns', `echo pid=$$; ps | wc -l; test -e ${marker} && echo leaked || echo hidden; echo hi > $MESOS_SANDBOX/from-container; pwd`);
    await launched;
    const termination = await runtime.wait('pidns');
    assert.equal(termination.status?.code, 0, sandbox.read('stderr'));
    const lines = sandbox.read('stdout').trim().split('\n');
    assert.equal(lines[0], 'pid=1');
    // ps header + sh + ps + wc: only the container's processes are visible.
    assert.ok(Number(lines[1]) <= 4, `ps saw ${lines[1]} lines`);
    assert.equal(lines[2], 'hidden');
    assert.equal(lines[3], '/mnt/mesos/sandbox');
    assert.equal(readFileSync(join(sandbox.dir, 'from-container'), 'utf8'), 'hi\n');
  });

  it('sets cpu.shares and the CFS quota from cpus, and reports usage for a busy process', async () => {
    const { launched } = launch('cpu', 'while :; do :; done', { cpus: 0.5, memMb: 64 });
    const { pid } = await launched;
    const cpuDir = join(detectHostLayout().v1.get('cpu')!, cgroupsRoot, 'cpu');
    assert.equal(readFileSync(join(cpuDir, 'cpu.shares'), 'utf8').trim(), '512');
    assert.equal(readFileSync(join(cpuDir, 'cpu.cfs_period_us'), 'utf8').trim(), '100000');
    assert.equal(readFileSync(join(cpuDir, 'cpu.cfs_quota_us'), 'utf8').trim(), '50000');
    assert.ok(readFileSync(join(cpuDir, 'cgroup.procs'), 'utf8').split('\n').includes(String(pid)));
    await new Promise((r) => setTimeout(r, 1500));
    const usage = await runtime.usage('cpu');
    const cpuSecs = usage.cpusUserTimeSecs + usage.cpusSystemTimeSecs;
    // A 50 % quota over ~1.5 s: about 0.75 s, never more than the quota allows (+ slack).
    assert.ok(cpuSecs > 0.3 && cpuSecs < 1.0, `cpu seconds ${cpuSecs}`);
    assert.ok(usage.cpusNrThrottled > 0, 'throttled');
    assert.equal(usage.cpusLimit, 0.5);
    assert.equal(usage.memLimitBytes, 64n * 1024n * 1024n);
    assert.ok(usage.memTotalBytes > 0n && usage.memTotalBytes < 64n * 1024n * 1024n, `mem ${usage.memTotalBytes}`);
    assert.ok(usage.processes >= 1);
    const termination = await runtime.destroy('cpu');
    assert.equal(termination?.status?.signal, 'SIGKILL');
    assert.equal(termination?.destroyed, true);
  });

  it('a launch the OCI runtime refuses fails with its reason and leaves nothing behind', async () => {
    const sandbox = makeSandbox(dir, 'bad');
    await assert.rejects(
      runtime.launch({
        containerId: 'bad', rootfs: join(dir, 'no-such-rootfs'), command: { value: 'true' }, env: {}, resources: { cpus: 0.1, memMb: 32 },
        sandboxDir: sandbox.dir, stdoutPath: sandbox.stdout, stderrPath: sandbox.stderr,
      }),
      (err: Error & { code?: string }) => err.code === 'ISOLATION_RUNTIME_FAILED' && /failed to start: .+/.test(err.message),
    );
    assert.equal(runtime.state('bad'), undefined);
    assert.equal((await runtime.wait('bad')).destroyed, true);
    assert.deepEqual(leftoverCgroups(cgroupsRoot), []);
    assert.equal(existsSync(join(dir, 'run/containers/bad')), false);
  });

  it('kill and destroy leave no cgroups, mounts, processes or runtime files behind', async () => {
    const { launched } = launch('leak', 'sleep 1000 & sleep 1000 & wait');
    const { pid } = await launched;
    await waitFor('both sleeps', () => (runtime.usage('leak').then((u) => (u.processes >= 3 ? true : undefined))));
    // The shell is PID 1 of its namespace: it ignores SIGTERM (no handler), as in any container.
    await runtime.kill('leak', 'SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(runtime.state('leak'), 'RUNNING');
    const termination = (await runtime.destroy('leak'))!;
    assert.equal(termination.status?.signal, 'SIGKILL');
    assert.deepEqual(termination.cleanupErrors, []);
    assert.deepEqual(leftoverCgroups(cgroupsRoot), []);
    assert.deepEqual(mountsUnder(dir), []);
    assert.equal(existsSync(`/proc/${pid}`), false);
    assert.equal(existsSync(join(dir, 'run/containers/leak')), false);
    assert.equal(existsSync(join(dir, `run/${ociRuntime}/leak`)), false);
  });
});
