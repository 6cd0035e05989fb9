/**
 * Task groups whose tasks run in Docker images, each a nested container of
 * the agent's runtime (own rootfs, own cgroup sized from the task's
 * resources), on a real master and agent with
 * `--isolation=filesystem/linux,docker/runtime,cgroups/cpu,cgroups/mem,namespaces/pid`.
 * Needs root, crun, cgroup v1 memory, busybox-static and docker-registry;
 * otherwise skipped with the reason.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

describe('task groups in Docker images on a real agent (nested runtime containers)', { skip }, () => {
  let registry: TestRegistry;
  let cluster: Cluster;
  let agent: ClusterAgent;
  let framework: WireFramework;
  let agentId = '';
  let seq = 0;
  const usedOffers = new Set<string>();
  const cgroupsRoot = `mesoscale-test-groups-${process.pid}`;
  const storeDir = mkdtempSync(join(tmpdir(), 'mesoscale-groups-store-'));

  before(async () => {
    registry = await startRegistry();
    await pushImage(registry.url, 'test/busybox', 'latest', busyboxImage());
    await pushImage(registry.url, 'test/other', 'latest', busyboxImage({ ...DEFAULT_TEST_CONFIG, env: ['PATH=/bin', 'WHICH=the-other-image'] }));
    cluster = await startCluster({
      agents: 1,
      masterFlags: ['--allocation_interval=100ms'],
      agentFlags: [
        `--isolation=${ISOLATION}`, '--image_providers=docker', `--docker_registry=${registry.url}`,
        `--cgroups_root=${cgroupsRoot}`, `--docker_store_dir=${storeDir}`, '--status_update_retry_interval=300ms',
      ],
    });
    agent = cluster.agents[0]!;
    framework = await WireFramework.subscribe(cluster.masterUrl, { name: 'task-groups-images' });
    agentId = (await getJson<{ id: string }>(`${agent.url}/state`)).id;
  });

  after(async () => {
    framework?.close();
    const mounts = cluster === undefined ? [] : mountsUnder(cluster.rootDir);
    await cluster?.stop();
    await registry?.stop();
    const cgroups = leftoverCgroups(cgroupsRoot);
    removeCgroupRoot(cgroupsRoot);
    rmSync(storeDir, { recursive: true, force: true });
    assert.deepEqual(mounts, [], 'mounts left under the cluster dir');
    assert.deepEqual(cgroups, [], 'container cgroups left');
  });

  async function launchGroup(executorId: string, tasks: Record<string, unknown>[]): Promise<void> {
    const event = await framework.sub.next((e) => e.type === 'OFFERS' && e.offers.offers.some((o: any) => !usedOffers.has(o.id.value)), 10_000);
    const offers = framework.sub.events.filter((e) => e.type === 'OFFERS').flatMap((e) => e.offers.offers).filter((o: any) => !usedOffers.has(o.id.value));
    for (const o of offers) usedOffers.add(o.id.value);
    const agentValue = event.offers.offers[0].agent_id.value;
    const executor = { type: 'DEFAULT', executor_id: { value: executorId }, framework_id: { value: framework.id }, resources: scalars(0.1, 32) };
    await framework.call('ACCEPT', {
      accept: {
        offer_ids: offers.map((o: any) => o.id),
        operations: [{ type: 'LAUNCH_GROUP', launch_group: { executor, task_group: { tasks: tasks.map((t) => ({ ...t, agent_id: { value: agentValue } })) } } }],
        filters: { refuse_seconds: 0 },
      },
    });
  }

  /** The executor ended and the agent moved it to the completed ones (its children are gone with it). */
  const executorCompleted = (executorId: string) =>
    waitFor(`executor ${executorId} to complete`, async () => {
      const state = await getJson<any>(`${agent.url}/state`);
      // A framework left without executors is completed; it may be there more than once.
      const runs = [...state.frameworks, ...state.completed_frameworks].filter((f: any) => f.id === framework.id);
      return runs.some((f: any) => f.completed_executors.some((e: any) => e.id === executorId)) ? true : undefined;
    }, { timeoutMs: 20_000 }).catch(async (err: Error) => {
      const state = await getJson<any>(`${agent.url}/state`);
      throw new Error(`${err.message}; agent frameworks: ${JSON.stringify(state.frameworks.map((f: any) => ({ executors: f.executors.map((e: any) => ({ id: e.id, tasks: e.tasks.map((t: any) => t.state), completed: e.completed_tasks.length })) })))}`);
    });

  const task = (id: string, command: string, imageName: string, mem = 32): Record<string, unknown> =>
    ({ name: id, task_id: { value: id }, resources: scalars(0.1, mem), command: { shell: true, value: command }, container: image(imageName) });

  const childDir = (executorId: string, status: any): string =>
    join(sandboxOf(agent.workDir, agentId, framework.id, executorId), 'containers', status.container_status.container_id.value);

  it('runs each task in its own image and cgroup, with its own sandbox', async (t) =>
    withClusterLogs(cluster, t, async () => {
      const executorId = `img-exec-${++seq}`;
      await launchGroup(executorId, [
        task('img-a', 'echo "a sandbox=$MESOS_SANDBOX"; cat /proc/self/cgroup | grep memory; sleep 0.5', 'test/busybox', 48),
        task('img-b', 'echo "b $WHICH"; sleep 0.5', 'test/other', 40),
      ]);
      const running = await framework.waitForState('img-a', 'TASK_RUNNING', 30_000);
      const child = running.container_status.container_id;
      const cgroup = join('/sys/fs/cgroup/memory', cgroupsRoot, `${child.parent.value}.${child.value}`);
      assert.ok(existsSync(cgroup), `the child has its own memory cgroup ${cgroup}`);
      assert.equal(readFileSync(join(cgroup, 'memory.limit_in_bytes'), 'utf8').trim(), String(48 * 1024 * 1024));
      const a = await framework.waitForState('img-a', 'TASK_FINISHED', 30_000);
      const b = await framework.waitForState('img-b', 'TASK_FINISHED', 30_000);
      const outA = readFileSync(join(childDir(executorId, a), 'stdout'), 'utf8');
      assert.match(outA, /^a sandbox=\/mnt\/mesos\/sandbox$/m);
      assert.equal(readFileSync(join(childDir(executorId, b), 'stdout'), 'utf8'), 'b the-other-image\n');
      await waitFor('the child cgroup to go', async () => (existsSync(cgroup) ? undefined : true), { timeoutMs: 10_000 });
      await executorCompleted(executorId);
    }));

  it('a task over its memory limit fails with REASON_CONTAINER_LIMITATION_MEMORY and its sibling is killed', async (t) =>
    withClusterLogs(cluster, t, async () => {
      const executorId = `img-exec-${++seq}`;
      await launchGroup(executorId, [
        task('hog', 'sleep 0.3; dd if=/dev/zero bs=1M count=200 | tail -n1 >/dev/null; sleep 30', 'test/busybox', 32),
        task('calm', 'sleep 30', 'test/busybox', 32),
      ]);
      const failed = await framework.waitForState('hog', 'TASK_FAILED', 30_000);
      assert.equal(failed.reason, 'REASON_CONTAINER_LIMITATION_MEMORY');
      assert.match(failed.message, /Memory limit exceeded/);
      await framework.waitForState('calm', 'TASK_KILLED', 30_000);
      await executorCompleted(executorId);
    }));
});
