/**
 * DefaultExecutor over an in-memory agent (executor API) and in-memory nested
 * containers. Both stand in for the agent, whose nested-container support is
 * being built; the shared cases in testing/task-group-scenarios.ts are meant
 * to be re-run against the real agent end to end. The cases below them need
 * the simulation's hooks (agent restarts, memory limitation, no acks).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { create } from '@bufbuild/protobuf';

import { HealthCheckSchema, HealthCheck_Type, TaskState, type TaskStatus, TaskStatus_Reason } from '../../../protocol/gen/mesos/v1/mesos_pb.js';
import type { ExecutorEnvironment } from '../executor-client.js';
import { DefaultExecutor } from './default-executor.js';
import { EXECUTOR_CONTAINER_ID, InMemoryExecutorAgent } from './testing/in-memory-executor-agent.js';
import { InMemoryNestedContainers } from './testing/in-memory-nested-containers.js';
import { commandTask, type TaskGroupHarness, taskGroupScenarios } from './testing/task-group-scenarios.js';

interface Rig extends TaskGroupHarness {
  readonly agent: InMemoryExecutorAgent;
  readonly containers: InMemoryNestedContainers;
  readonly executor: DefaultExecutor;
  readonly logs: string[];
  waitForState(taskId: string, state: TaskState, timeoutMs?: number): Promise<TaskStatus>;
}

function startRig(options: { taskKillingState?: boolean; ackTimeoutMs?: number; checkpoint?: boolean } = {}): Rig {
  const env: ExecutorEnvironment = {
    frameworkId: 'framework-1',
    executorId: 'default-executor-1',
    agentEndpoint: '127.0.0.1:0',
    directory: mkdtempSync(join(tmpdir(), 'default-executor-')),
    checkpoint: options.checkpoint ?? true,
    shutdownGracePeriodMs: 1_000,
    recoveryTimeoutMs: 10_000,
    subscriptionBackoffMaxMs: 50,
  };
  const agent = new InMemoryExecutorAgent(env, { taskKillingState: options.taskKillingState ?? false });
  const containers = new InMemoryNestedContainers();
  const logs: string[] = [];
  const executor = new DefaultExecutor({
    env,
    client: agent,
    containers,
    log: (line) => {
      logs.push(line);
      if (process.env.DEFAULT_EXECUTOR_TEST_LOGS === '1') console.error(`[default-executor] ${line}`);
    },
    ackTimeoutMs: options.ackTimeoutMs ?? 2_000,
    retryIntervalMs: 20,
    containerIp: '10.0.0.7',
  });
  const executorExited = executor.run().finally(() => containers.destroyAll());
  return {
    agent,
    containers,
    executor,
    logs,
    executorExited,
    launchGroup: (tasks) => agent.launchGroup(tasks),
    kill: (taskId, graceMs) => agent.kill(taskId, graceMs),
    waitForState: (taskId, state, timeoutMs) => agent.waitForState(taskId, state, timeoutMs),
    states: (taskId) => agent.states(taskId),
  };
}

/** SUBSCRIBED has been handled once the first SUBSCRIBE was recorded and the event loop turned. */
async function subscribed(rig: Rig): Promise<void> {
  while (rig.agent.subscribes.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('DefaultExecutor: task group scenarios (in-memory agent)', () => {
  for (const [name, scenario] of Object.entries(taskGroupScenarios)) {
    it(name, async () => {
      const rig = startRig();
      await subscribed(rig);
      await scenario(rig);
    });
  }
});

describe('DefaultExecutor: with the simulated agent', () => {
  it('launches child containers of its own container, with MESOS_CONTAINER_IP', async () => {
    const rig = startRig();
    await subscribed(rig);
    rig.launchGroup([commandTask('a', 'sleep 0.05'), commandTask('b', 'sleep 0.05')]);
    const running = await rig.waitForState('a', TaskState.TASK_RUNNING);
    assert.equal(rig.containers.launches.length, 2);
    for (const launch of rig.containers.launches) {
      assert.equal(launch.containerId.parent.value, EXECUTOR_CONTAINER_ID);
      assert.equal(launch.env.MESOS_CONTAINER_IP, '10.0.0.7');
    }
    assert.equal(running.containerStatus?.containerId?.parent?.value, EXECUTOR_CONTAINER_ID);
    assert.equal(await rig.executorExited, 0);
  });

  it('sends TASK_KILLING first when the framework has TASK_KILLING_STATE', async () => {
    const rig = startRig({ taskKillingState: true });
    await subscribed(rig);
    rig.launchGroup([commandTask('a', 'sleep 30'), commandTask('b', 'sleep 30')]);
    await rig.waitForState('b', TaskState.TASK_RUNNING);
    rig.kill('a');
    await rig.waitForState('b', TaskState.TASK_KILLED);
    await rig.waitForState('a', TaskState.TASK_KILLED);
    for (const id of ['a', 'b']) assert.deepEqual(rig.states(id), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED']);
    assert.equal(await rig.executorExited, 0);
  });

  it('reports a memory limitation as TASK_FAILED with its reason, and kills the group', async () => {
    const rig = startRig();
    await subscribed(rig);
    rig.launchGroup([commandTask('hog', 'sleep 30'), commandTask('peer', 'sleep 30')]);
    await rig.waitForState('hog', TaskState.TASK_RUNNING);
    const hog = rig.containers.launches.find((l) => l.command?.value === 'sleep 30')!;
    rig.containers.exceedMemory(hog.containerId.value);
    const failed = await rig.waitForState('hog', TaskState.TASK_FAILED);
    assert.equal(failed.reason, TaskStatus_Reason.CONTAINER_LIMITATION_MEMORY);
    assert.match(failed.message, /Command terminated with signal Killed: Memory limit exceeded/);
    await rig.waitForState('peer', TaskState.TASK_KILLED);
    assert.equal(await rig.executorExited, 0);
  });

  it('SHUTDOWN kills every group and exits', async () => {
    const rig = startRig();
    await subscribed(rig);
    rig.launchGroup([commandTask('a', 'sleep 30')]);
    rig.launchGroup([commandTask('b', "trap '' TERM; sleep 30", { killGraceMs: 60_000 })]);
    await rig.waitForState('b', TaskState.TASK_RUNNING);
    await rig.waitForState('a', TaskState.TASK_RUNNING);
    const start = Date.now();
    rig.agent.shutdown();
    await rig.waitForState('a', TaskState.TASK_KILLED);
    await rig.waitForState('b', TaskState.TASK_KILLED);
    assert.ok(Date.now() - start < 3_000, 'the grace is capped by the shutdown grace period (1 s)');
    assert.equal(await rig.executorExited, 0);
  });

  it('kills the group of a task that fails its health check, with healthy=false', async () => {
    const rig = startRig();
    await subscribed(rig);
    const web = commandTask('web', 'sleep 30');
    // Nothing listens on port 1: every TCP probe fails at once.
    web.healthCheck = create(HealthCheckSchema, {
      type: HealthCheck_Type.TCP,
      tcp: { port: 1 },
      delaySeconds: 0,
      intervalSeconds: 0.05,
      timeoutSeconds: 1,
      consecutiveFailures: 2,
      gracePeriodSeconds: 0,
    });
    rig.launchGroup([web, commandTask('sidecar', 'sleep 30')]);
    const killed = await rig.waitForState('web', TaskState.TASK_KILLED);
    assert.equal(killed.healthy, false);
    await rig.waitForState('sidecar', TaskState.TASK_KILLED);
    assert.ok(rig.agent.statuses.some((s) => s.taskId?.value === 'web' && s.reason === TaskStatus_Reason.TASK_HEALTH_CHECK_STATUS_UPDATED && s.healthy === false));
    assert.equal(await rig.executorExited, 0);
  });

  it('resumes waiting after re-subscribing, and resends unacknowledged updates', async () => {
    const rig = startRig();
    await subscribed(rig);
    rig.agent.acknowledge = false;
    rig.launchGroup([commandTask('a', 'sleep 0.3')]);
    await rig.waitForState('a', TaskState.TASK_RUNNING);
    // The agent restarts: the stream and the pending wait break; the task ends meanwhile.
    rig.containers.agentDown();
    rig.agent.reachable = false;
    rig.agent.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 400));
    rig.containers.agentUp();
    rig.agent.acknowledge = true;
    rig.agent.reachable = true;
    await rig.waitForState('a', TaskState.TASK_FINISHED);
    const resubscribe = rig.agent.subscribes.at(-1)!;
    assert.ok(rig.agent.subscribes.length >= 2);
    assert.deepEqual(
      resubscribe.unacknowledgedUpdates.map((u) => TaskState[u.status!.state]),
      ['TASK_STARTING', 'TASK_RUNNING'],
    );
    assert.deepEqual(resubscribe.unacknowledgedTasks.map((t) => t.taskId?.value), ['a']);
    assert.equal(await rig.executorExited, 0);
  });

  it('drops a wait result that arrives on a stale connection and waits again', async () => {
    const rig = startRig();
    await subscribed(rig);
    rig.launchGroup([commandTask('a', 'sleep 0.2')]);
    await rig.waitForState('a', TaskState.TASK_RUNNING);
    // Only the executor's stream breaks; the nested-container call still answers, under the old connection id.
    rig.agent.reachable = false;
    rig.agent.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(rig.states('a'), ['TASK_STARTING', 'TASK_RUNNING']);
    rig.agent.reachable = true;
    await rig.waitForState('a', TaskState.TASK_FINISHED);
    assert.ok(rig.logs.some((line) => line.includes('stale connection')));
    assert.equal(await rig.executorExited, 0);
  });

  it('exits after the acknowledgement timeout when the agent never acknowledges', async () => {
    const rig = startRig({ ackTimeoutMs: 200 });
    await subscribed(rig);
    rig.agent.acknowledge = false;
    rig.launchGroup([commandTask('a', 'exit 0')]);
    await rig.waitForState('a', TaskState.TASK_FINISHED);
    assert.equal(await rig.executorExited, 0);
  });

  it('a KILL during the launch kills the group once it runs', async () => {
    const rig = startRig();
    await subscribed(rig);
    rig.launchGroup([commandTask('a', 'sleep 30'), commandTask('b', 'sleep 30')]);
    rig.kill('a');
    await rig.waitForState('a', TaskState.TASK_KILLED);
    await rig.waitForState('b', TaskState.TASK_KILLED);
    assert.equal(await rig.executorExited, 0);
  });

  it('without checkpointing, exits when the agent goes away', async () => {
    const rig = startRig({ checkpoint: false });
    await subscribed(rig);
    rig.launchGroup([commandTask('a', 'sleep 30')]);
    await rig.waitForState('a', TaskState.TASK_RUNNING);
    rig.agent.disconnect();
    assert.equal(await rig.executorExited, 1);
  });
});
