/**
 * Task groups on a real master and agent: ACCEPT(LAUNCH_GROUP) with an
 * ExecutorInfo of type DEFAULT runs the default executor inside the agent,
 * one nested container per task (each with its own sandbox
 * `<executor sandbox>/containers/<child id>`), with Mesos' group semantics.
 * Then the default executor's shared scenarios (testing/task-group-scenarios.ts)
 * through the same cluster. Posix isolation (the agent's default flags).
 * Reference: shared/reference/mesos-http-api.md 3.8, 4.3, 6.2.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { fromJson, toJson } from '@bufbuild/protobuf';

import { type TaskInfo, TaskInfoSchema, TaskState, TaskStatusSchema } from '../../src/protocol/gen/mesos/v1/mesos_pb.js';
import { type TaskGroupHarness, taskGroupScenarios } from '../../src/agent/executors/default-executor/testing/task-group-scenarios.js';
import { sandboxOf, processesIn } from '../agent/sandbox-processes.js';
import { scalars, WireFramework } from '../agent/wire-framework.js';
import { startCluster, withClusterLogs, type Cluster, type ClusterAgent } from '../support/cluster.js';
import { getJson, waitFor } from '../support/wait.js';

function sumScalars(resources: readonly any[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const r of resources) if (r.type === 'SCALAR') sums.set(r.name, (sums.get(r.name) ?? 0) + r.scalar.value);
  return sums;
}

describe('task groups on a real agent and master (default executor, posix)', () => {
  let cluster: Cluster;
  let agent: ClusterAgent;
  let framework: WireFramework;
  let agentId = '';
  const usedOffers = new Set<string>();
  let executorSeq = 0;
  const sandbox = (executorId: string): string => sandboxOf(agent.workDir, agentId, framework.id, executorId);

  before(async () => {
    cluster = await startCluster({
      agents: 1,
      masterFlags: ['--allocation_interval=100ms'],
      agentFlags: ['--status_update_retry_interval=300ms'],
    });
    agent = cluster.agents[0]!;
    framework = await WireFramework.subscribe(cluster.masterUrl, { name: 'task-groups' });
    const state = await getJson<{ slaves: Array<{ id: string }> }>(`${cluster.masterUrl}/state`);
    agentId = state.slaves[0]!.id;
  });

  after(async () => {
    framework?.close();
    await cluster?.stop();
  });

  /**
   * Unused, unrescinded offers (all from the one agent) that together have
   * room for `needed`: resources recovered from ended executors come back as
   * small offers of their own, so one offer alone may not be enough.
   */
  async function nextOffers(needed: readonly any[]): Promise<any[]> {
    const need = sumScalars(needed);
    const rescinded = (id: string): boolean => framework.sub.events.some((e) => e.type === 'RESCIND' && e.rescind.offer_id.value === id);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const offers = framework.sub.events
        .filter((e) => e.type === 'OFFERS')
        .flatMap((e) => e.offers.offers)
        .filter((o: any) => !usedOffers.has(o.id.value) && !rescinded(o.id.value));
      const has = sumScalars(offers.flatMap((o: any) => o.resources));
      if ([...need].every(([name, amount]) => (has.get(name) ?? 0) >= amount - 1e-9)) {
        for (const o of offers) usedOffers.add(o.id.value);
        return offers;
      }
      const seen = new Set(offers.map((o: any) => o.id.value));
      await framework.sub.next((e) => e.type === 'OFFERS' && e.offers.offers.some((o: any) => !seen.has(o.id.value) && !usedOffers.has(o.id.value)), Math.max(1, deadline - Date.now()));
    }
  }

  function defaultExecutor(executorId: string): Record<string, unknown> {
    return { type: 'DEFAULT', executor_id: { value: executorId }, framework_id: { value: framework.id }, resources: scalars(0.1, 32) };
  }

  /** ACCEPT(LAUNCH_GROUP) of JSON tasks (ids, command...) on the next offer; agent_id filled in. */
  async function launchGroup(executor: Record<string, unknown>, tasks: Record<string, unknown>[], withExecutorResources = true): Promise<void> {
    const needed = [...tasks.flatMap((t) => (t.resources as any[]) ?? []), ...(withExecutorResources ? (executor.resources as any[]) : [])];
    const offers = await nextOffers(needed);
    const agent = offers[0].agent_id.value;
    await framework.call('ACCEPT', {
      accept: {
        offer_ids: offers.map((o) => o.id),
        operations: [{ type: 'LAUNCH_GROUP', launch_group: { executor, task_group: { tasks: tasks.map((t) => ({ ...t, agent_id: { value: agent } })) } } }],
        filters: { refuse_seconds: 0 },
      },
    });
  }

  function shellTask(id: string, command: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { name: id, task_id: { value: id }, resources: scalars(0.1, 32), command: { shell: true, value: command }, ...extra };
  }

  /** The task's states in order, repeats collapsed. */
  function states(taskId: string): string[] {
    const out: string[] = [];
    for (const s of framework.statuses(taskId)) if (out[out.length - 1] !== s.state) out.push(s.state);
    return out;
  }

  const childSandbox = (executorId: string, status: any): string => {
    const child = status.container_status?.container_id;
    assert.ok(child?.value, `the status names the task's nested container: ${JSON.stringify(status.container_status)}`);
    assert.ok(child.parent?.value, 'the nested container id has its parent');
    return join(sandbox(executorId), 'containers', child.value);
  };

  it('runs each task of a group in its own nested container: STARTING, RUNNING, FINISHED, output in its sandbox', async (t) =>
    withClusterLogs(cluster, t, async () => {
      const executorId = `group-exec-${++executorSeq}`;
      await launchGroup(defaultExecutor(executorId), [shellTask('one', 'echo one'), shellTask('two', 'echo two; sleep 0.2')]);
      for (const [id, text] of [['one', 'one'], ['two', 'two']] as const) {
        const finished = await framework.waitForState(id, 'TASK_FINISHED');
        assert.deepEqual(states(id), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED'], `states of ${id}`);
        assert.equal(finished.executor_id?.value, executorId);
        const dir = childSandbox(executorId, finished);
        assert.equal(await readFile(join(dir, 'stdout'), 'utf8'), `${text}\n`, `stdout of ${id}`);
        assert.ok(existsSync(join(dir, 'stderr')), `stderr of ${id}`);
      }
      // Both children are distinct containers of the same parent.
      const [a, b] = ['one', 'two'].map((id) => framework.statuses(id).at(-1).container_status.container_id);
      assert.notEqual(a.value, b.value);
      assert.equal(a.parent.value, b.parent.value);
      // The executor ends once no task remains; the agent shows it completed, with the tasks.
      await waitFor('the default executor completes', async () => {
        const state = await getJson<any>(`${agent.url}/state`);
        // A framework left without executors is completed; it may be there more than once.
        const runs = [...state.frameworks, ...state.completed_frameworks].filter((f: any) => f.id === framework.id);
        const done = runs.flatMap((f: any) => f.completed_executors).find((e: any) => e.id === executorId);
        return done !== undefined && done.completed_tasks.length === 2 ? true : undefined;
      }, { timeoutMs: 20_000 });
      framework.assertAcksAccepted();
    }));

  it('a task that fails gets the rest of its group killed', async (t) =>
    withClusterLogs(cluster, t, async () => {
      const executorId = `group-exec-${++executorSeq}`;
      await launchGroup(defaultExecutor(executorId), [shellTask('bad', 'exit 1'), shellTask('long', 'sleep 30')]);
      const failed = await framework.waitForState('bad', 'TASK_FAILED');
      assert.match(failed.message ?? '', /exited with status 1/);
      const killed = await framework.waitForState('long', 'TASK_KILLED');
      assert.equal(killed.source, 'SOURCE_EXECUTOR');
      assert.deepEqual(states('long'), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLED']);
      await waitFor('nothing runs in the sandbox any more', () => (processesIn(sandbox(executorId)).length === 0 ? true : undefined), { timeoutMs: 10_000 });
    }));

  it('killing one task of a group kills the whole group', async (t) =>
    withClusterLogs(cluster, t, async () => {
      const executorId = `group-exec-${++executorSeq}`;
      await launchGroup(defaultExecutor(executorId), [shellTask('kill-me', 'sleep 30'), shellTask('sibling', 'sleep 30')]);
      await framework.waitForState('kill-me', 'TASK_RUNNING');
      const running = await framework.waitForState('sibling', 'TASK_RUNNING');
      assert.ok(processesIn(childSandbox(executorId, running)).length > 0, 'the sibling runs in its own sandbox');
      await framework.kill('kill-me', agentId, 500);
      for (const id of ['kill-me', 'sibling']) {
        await framework.waitForState(id, 'TASK_KILLED');
        assert.deepEqual(states(id), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLED'], `states of ${id}`);
      }
      await waitFor('nothing runs in the sandbox any more', () => (processesIn(sandbox(executorId)).length === 0 ? true : undefined), { timeoutMs: 10_000 });
    }));

  it('a group with an executor type other than DEFAULT is refused by the master', async (t) =>
    withClusterLogs(cluster, t, async () => {
      const executor = { type: 'CUSTOM', executor_id: { value: 'custom-group' }, framework_id: { value: framework.id }, command: { value: 'true' }, resources: scalars(0.1, 32) };
      await launchGroup(executor, [shellTask('custom-a', 'true')]);
      const status = await framework.waitForState('custom-a', 'TASK_ERROR');
      assert.match(status.message ?? '', /DEFAULT/);
    }));

  // The default executor's own scenarios (run in-memory by default-executor.test.ts), end to end.
  describe('the default executor scenarios', () => {
    for (const [name, scenario] of Object.entries(taskGroupScenarios)) {
      it(name, async (t) =>
        withClusterLogs(cluster, t, async () => {
          const executorId = `scenario-exec-${++executorSeq}`;
          const prefix = `s${executorSeq}-`;
          const executor = defaultExecutor(executorId);
          let launches = Promise.resolve();
          let first = true;
          const pending: Promise<unknown>[] = [];
          const harness: TaskGroupHarness = {
            launchGroup(tasks: TaskInfo[]) {
              const json = tasks.map((task) => {
                const j = toJson(TaskInfoSchema, task) as Record<string, any>;
                j.task_id = { value: prefix + task.taskId!.value };
                // The master wants memory on every task's offer check; the scenarios give cpus only.
                j.resources = [...(j.resources ?? []), { name: 'mem', type: 'SCALAR', scalar: { value: 16 } }];
                delete j.agent_id;
                return j;
              });
              const withExecutor = first;
              first = false;
              launches = launches.then(() => launchGroup(executor, json, withExecutor));
              pending.push(launches);
            },
            kill(taskId, graceMs) {
              launches = launches.then(() => framework.kill(prefix + taskId, agentId, graceMs));
              pending.push(launches);
            },
            async waitForState(taskId, state, timeoutMs = 15_000) {
              await launches;
              const status = await framework.waitForState(prefix + taskId, TaskState[state], timeoutMs);
              const parsed = fromJson(TaskStatusSchema, status, { ignoreUnknownFields: true });
              return { message: parsed.message, reason: parsed.reason };
            },
            states(taskId) {
              return states(prefix + taskId);
            },
            executorExited: framework.sub
              .next((e) => e.type === 'FAILURE' && e.failure.executor_id?.value === executorId, 30_000)
              .then((e) => ((e.failure.status ?? 0) >> 8) & 0xff),
          };
          await scenario(harness);
          await Promise.all(pending);
        }));
    }
  });

  // Last: the framework goes away.
  it('tearing the framework down ends its groups and their nested containers', async (t) =>
    withClusterLogs(cluster, t, async () => {
      const executorId = `group-exec-${++executorSeq}`;
      await launchGroup(defaultExecutor(executorId), [shellTask('td-a', 'sleep 30'), shellTask('td-b', 'sleep 30')]);
      await framework.waitForState('td-a', 'TASK_RUNNING');
      await framework.waitForState('td-b', 'TASK_RUNNING');
      const dir = sandbox(executorId);
      assert.ok(processesIn(dir).length >= 2, 'both tasks run');
      await framework.call('TEARDOWN', {});
      await waitFor('nothing runs in the torn-down sandbox', () => (processesIn(dir).length === 0 ? true : undefined), { timeoutMs: 15_000 });
      await waitFor('the agent forgets the framework', async () => {
        const state = await getJson<any>(`${agent.url}/state`);
        return state.frameworks.some((f: any) => f.id === framework.id) ? undefined : true;
      }, { timeoutMs: 15_000 });
    }));
});
