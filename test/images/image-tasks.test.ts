/**
 * Command tasks in Docker images, end to end with real parts (issue 3's
 * acceptance): Debian's docker-registry on 127.0.0.1 holding the project's
 * busybox test images, a real master and agent with
 * `--isolation=filesystem/linux,docker/runtime,cgroups/cpu,cgroups/mem,namespaces/pid
 * --image_providers=docker --cgroups_enable_cfs`, and a framework on the
 * master's scheduler API. Root, crun (or runc), cgroup v1 memory,
 * busybox-static and docker-registry are needed; otherwise skipped with the reason.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { busyboxImage, DEFAULT_TEST_CONFIG } from '../../src/agent/containerizer/provisioner/image-builder/busybox-image.js';
import { sandboxOf } from '../agent/sandbox-processes.js';
import { scalars, WireFramework } from '../agent/wire-framework.js';
import { leftoverCgroups, mountsUnder, removeCgroupRoot, skipReason } from '../containers/fixtures.js';
import { pushImage, startRegistry, type TestRegistry } from '../provisioner/support/registry.js';
import { startCluster, withClusterLogs, type Cluster, type ClusterAgent } from '../support/cluster.js';
import { getJson, waitFor } from '../support/wait.js';

const skip = skipReason('crun') ?? (existsSync('/usr/bin/docker-registry') ? undefined : 'needs docker-registry (apt-get install docker-registry)');
const ISOLATION = 'filesystem/linux,docker/runtime,cgroups/cpu,cgroups/mem,namespaces/pid';

const image = (name: string) => ({ type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name } } } });

describe('command tasks in Docker images on a real agent', { skip }, () => {
  let registry: TestRegistry;
  let cluster: Cluster;
  let agent: ClusterAgent;
  let framework: WireFramework;
  let agentId = '';
  const cgroupsRoot = `mesoscale-test-images-${process.pid}`;
  const storeDir = mkdtempSync(join(tmpdir(), 'mesoscale-images-store-'));
  const marker = join(tmpdir(), `mesoscale-host-marker-${process.pid}`);

  const stdoutOf = (taskId: string): string => readFileSync(join(sandboxOf(agent.workDir, agentId, framework.id, taskId), 'stdout'), 'utf8');

  before(async () => {
    registry = await startRegistry();
    await pushImage(registry.url, 'test/busybox', 'latest', busyboxImage());
    await pushImage(registry.url, 'test/entrypoint', 'latest', busyboxImage({
      ...DEFAULT_TEST_CONFIG,
      entrypoint: ['/bin/sh', '-c'],
      cmd: ['echo "greeting=$GREETING cwd=$(pwd) sandbox=$MESOS_SANDBOX"'],
      env: ['PATH=/bin', 'GREETING=hello-from-the-image-env'],
      workingDir: '/etc',
    }));
    writeFileSync(marker, 'the host\n');
    cluster = await startCluster({
      agents: 1,
      masterFlags: ['--allocation_interval=100ms'],
      agentFlags: [
        `--isolation=${ISOLATION}`, '--image_providers=docker', `--docker_registry=${registry.url}`, '--cgroups_enable_cfs',
        `--cgroups_root=${cgroupsRoot}`, `--docker_store_dir=${storeDir}`, '--status_update_retry_interval=300ms',
      ],
    });
    agent = cluster.agents[0]!;
    framework = await WireFramework.subscribe(cluster.masterUrl, { name: 'image-tasks' });
    agentId = (await getJson<{ id: string }>(`${agent.url}/state`)).id;
  });

  after(async () => {
    framework?.close();
    // Every container ended above: nothing of them may be left (mounts are checked while the work dir exists).
    const mounts = cluster === undefined ? [] : mountsUnder(cluster.rootDir);
    await cluster?.stop();
    await registry?.stop();
    const cgroups = leftoverCgroups(cgroupsRoot);
    removeCgroupRoot(cgroupsRoot);
    rmSync(storeDir, { recursive: true, force: true });
    rmSync(marker, { force: true });
    assert.deepEqual(mounts, [], 'mounts left under the cluster dir');
    assert.deepEqual(cgroups, [], 'container cgroups left');
  });

  it('runs what the image Entrypoint, Cmd and Env say, in its WorkingDir, with the sandbox at /mnt/mesos/sandbox', async (t) =>
    withClusterLogs(cluster, t, async () => {
      await framework.launch('entrypoint', { command: { shell: false }, container: image('test/entrypoint') });
      await framework.waitForState('entrypoint', 'TASK_FINISHED', 30_000);
      assert.equal(stdoutOf('entrypoint').trim(), 'greeting=hello-from-the-image-env cwd=/etc sandbox=/mnt/mesos/sandbox');
      // CommandInfo arguments replace Cmd but keep the Entrypoint; CommandInfo env beats the image's.
      await framework.launch('arguments', {
        command: { shell: false, arguments: ['echo "args: $GREETING"'], environment: { variables: [{ name: 'GREETING', value: 'from-the-task' }] } },
        container: image('test/entrypoint'),
      });
      await framework.waitForState('arguments', 'TASK_FINISHED', 30_000);
      assert.equal(stdoutOf('arguments').trim(), 'args: from-the-task');
    }));

  it('fails a task over its memory limit with REASON_CONTAINER_LIMITATION_MEMORY from the agent', async (t) =>
    withClusterLogs(cluster, t, async () => {
      // 32 MB for the task (+32 MB of command executor overhead, as Mesos adds): tail buffers 200 MB.
      await framework.launch('oom', { command: { value: 'dd if=/dev/zero bs=1M count=200 | tail -n1 >/dev/null; sleep 30' }, container: image('test/busybox') }, scalars(0.1, 32));
      const failed = await framework.waitForState('oom', 'TASK_FAILED', 30_000);
      assert.equal(failed.reason, 'REASON_CONTAINER_LIMITATION_MEMORY');
      assert.equal(failed.source, 'SOURCE_AGENT');
      assert.match(failed.message, /^Memory limit exceeded: Requested: 64MB Maximum Used: \d+MB/);
    }));

  it('runs the task as PID 1 of its own pid namespace, blind to host files', async (t) =>
    withClusterLogs(cluster, t, async () => {
      await framework.launch('pidns', {
        command: { value: `echo "pid=$$"; if [ -e ${marker} ]; then echo marker-visible; else echo marker-invisible; fi; echo "procs=$(ls -d /proc/[0-9]* | wc -l)"` },
        container: image('test/busybox'),
      });
      await framework.waitForState('pidns', 'TASK_FINISHED', 30_000);
      const out = stdoutOf('pidns');
      assert.match(out, /^pid=1$/m);
      assert.match(out, /^marker-invisible$/m);
      assert.ok(existsSync(marker), 'the marker exists on the host');
      // sh, ls and wc, maybe a subshell: nothing of the host.
      assert.ok(Number(/procs=(\d+)/.exec(out)?.[1]) <= 4, out);
    }));

  it('sets cpu.shares and the CFS quota from the task cpus, and shows the container in /monitor/statistics and /containers', async (t) =>
    withClusterLogs(cluster, t, async () => {
      await framework.launch('cpu', { command: { value: 'while :; do :; done' }, container: image('test/busybox') }, scalars(0.5, 64));
      await framework.waitForState('cpu', 'TASK_RUNNING', 30_000);
      const containers = await getJson<any[]>(`${agent.url}/containers?executor_id=cpu`);
      assert.equal(containers.length, 1, JSON.stringify(containers));
      const containerId: string = containers[0].container_id;
      assert.equal(containers[0].status.container_id.value, containerId);
      // 0.5 cpus for the task + 0.1 for the command executor.
      const cgroup = join('/sys/fs/cgroup/cpu', cgroupsRoot, containerId);
      assert.equal(readFileSync(join(cgroup, 'cpu.shares'), 'utf8').trim(), String(Math.floor(1024 * 0.6)));
      assert.equal(readFileSync(join(cgroup, 'cpu.cfs_period_us'), 'utf8').trim(), '100000');
      assert.equal(readFileSync(join(cgroup, 'cpu.cfs_quota_us'), 'utf8').trim(), '60000');
      const entry = await waitFor('CPU time in /monitor/statistics', async () => {
        const stats = await getJson<any[]>(`${agent.url}/monitor/statistics`);
        const e = stats.find((s) => s.executor_id === 'cpu');
        return e !== undefined && e.statistics.cpus_user_time_secs + e.statistics.cpus_system_time_secs > 0.2 ? e : undefined;
      }, { timeoutMs: 10_000 });
      assert.equal(entry.framework_id, framework.id);
      assert.equal(entry.source, 'cpu');
      assert.equal(entry.statistics.cpus_limit, 0.6);
      assert.equal(entry.statistics.mem_limit_bytes, 96 * 1024 * 1024);
      assert.ok(entry.statistics.mem_rss_bytes > 0, JSON.stringify(entry.statistics));
      assert.ok(entry.statistics.cpus_nr_periods > 0, JSON.stringify(entry.statistics));
      assert.ok(entry.statistics.timestamp > 0);
      assert.equal((await getJson<any[]>(`${agent.url}/slave(1)/monitor/statistics.json`)).length, 1);
      await framework.kill('cpu', agentId, 500);
      await framework.waitForState('cpu', 'TASK_KILLED', 15_000);
      await waitFor('the container cgroup to go', async () => (existsSync(cgroup) ? undefined : true), { timeoutMs: 10_000 });
      assert.deepEqual(await getJson<any[]>(`${agent.url}/containers`), []);
    }));

  it('fails a task whose image does not exist with REASON_CONTAINER_LAUNCH_FAILED naming the image', async (t) =>
    withClusterLogs(cluster, t, async () => {
      await framework.launch('badimage', { command: { value: 'true' }, container: image('test/no-such-image:1.0') });
      const failed = await framework.waitForState('badimage', 'TASK_FAILED', 30_000);
      assert.equal(failed.reason, 'REASON_CONTAINER_LAUNCH_FAILED');
      assert.equal(failed.source, 'SOURCE_AGENT');
      assert.match(failed.message, /Failed to provision image 'test\/no-such-image:1\.0'/);
      framework.assertAcksAccepted();
    }));
});
