/**
 * Custom executors (TaskInfo.executor with a CommandInfo) on the real agent
 * and master: json-executor.ts, a separate process speaking the v1 executor
 * HTTP API in JSON, and executors that misbehave (never subscribe, exit with
 * a running task). Reference: shared/reference/mesos-http-api.md 3.8, 4.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startCluster, withClusterLogs, type Cluster, type ClusterAgent } from '../support/cluster.js';
import { getJson, waitFor } from '../support/wait.js';
import { isGone, processesIn, sandboxOf } from './sandbox-processes.js';
import { base64, fromBase64, scalars, WireFramework } from './wire-framework.js';

const JSON_EXECUTOR = fileURLToPath(new URL('./json-executor.js', import.meta.url));
const REGISTRATION_TIMEOUT_MS = 2_000;
/** Where json-executor.ts logs every event it receives, in its sandbox. */
const EVENTS_FILE = 'executor-events.jsonl';

/** TaskInfo.executor for an executor running `command` in a shell; `extra` adds ExecutorInfo fields. */
function executorInfo(executorId: string, command: string, extra: { env?: Record<string, string>; shutdownGraceMs?: number } = {}): Record<string, unknown> {
  const variables = Object.entries(extra.env ?? {}).map(([name, value]) => ({ name, value }));
  return {
    executor: {
      executor_id: { value: executorId },
      name: `test executor ${executorId}`,
      command: { value: command, ...(variables.length > 0 ? { environment: { variables } } : {}) },
      resources: scalars(0.1, 32),
      ...(extra.shutdownGraceMs !== undefined ? { shutdown_grace_period: { nanoseconds: extra.shutdownGraceMs * 1_000_000 } } : {}),
    },
  };
}

const jsonExecutor = (executorId: string, extra: Parameters<typeof executorInfo>[2] = {}): Record<string, unknown> =>
  executorInfo(executorId, `exec "${process.execPath}" "${JSON_EXECUTOR}"`, extra);

describe('custom executors on a real agent and master', () => {
  let cluster: Cluster;
  let agent: ClusterAgent;
  let framework: WireFramework;
  let agentId = '';
  const sandbox = (executorId: string): string => sandboxOf(agent.workDir, agentId, framework.id, executorId);

  /** The executor's events as it logged them in its sandbox. */
  async function executorEvents(executorId: string): Promise<any[]> {
    const text = await readFile(path.join(sandbox(executorId), EVENTS_FILE), 'utf8').catch(() => '');
    return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line));
  }

  async function waitForExecutorEvent(executorId: string, what: string, pred: (e: any) => boolean): Promise<any> {
    return waitFor(`${executorId} to log ${what}`, async () => (await executorEvents(executorId)).find(pred), { timeoutMs: 10_000 });
  }

  before(async () => {
    cluster = await startCluster({
      agents: 1,
      masterFlags: ['--allocation_interval=100ms'],
      agentFlags: [`--executor_registration_timeout=${REGISTRATION_TIMEOUT_MS / 1000}secs`],
    });
    agent = cluster.agents[0]!;
    framework = await WireFramework.subscribe(cluster.masterUrl, { name: 'custom-executor-test' });
    const state = await getJson<{ slaves: Array<{ id: string }> }>(`${cluster.masterUrl}/state`);
    agentId = state.slaves[0]!.id;
  });

  after(async () => {
    // Executors still subscribed would keep the agent from exiting on SIGTERM
    // (see the report: Agent.stop() waits for their streams), so end them first.
    if (framework !== undefined && agent !== undefined) {
      await framework.call('TEARDOWN', {}).catch(() => undefined);
      await waitFor('every executor to end', () => (processesIn(agent.workDir).length === 0 ? true : undefined), { timeoutMs: 10_000 }).catch(() => undefined);
    }
    framework?.close();
    await cluster?.stop();
  });

  it('gets SUBSCRIBED, then LAUNCH, with the agent\'s environment; its updates reach the scheduler', async (t) =>
    withClusterLogs(cluster, t, async () => {
      await framework.launch('custom-task', jsonExecutor('custom-executor'));
      const running = await framework.waitForState('custom-task', 'TASK_RUNNING');
      assert.equal(running.source, 'SOURCE_EXECUTOR');
      assert.equal(running.executor_id.value, 'custom-executor');
      assert.equal(running.agent_id.value, agentId);
      assert.equal(Buffer.from(running.uuid, 'base64').length, 16);

      const report = JSON.parse(fromBase64(running.data));
      const directory = report.env.MESOS_DIRECTORY as string;
      assert.equal(path.dirname(directory), path.join(agent.workDir, 'slaves', agentId, 'frameworks', framework.id, 'executors', 'custom-executor', 'runs'));
      assert.deepEqual(
        { ...report.env, MESOS_DIRECTORY: '<dir>' },
        {
          MESOS_FRAMEWORK_ID: framework.id,
          MESOS_EXECUTOR_ID: 'custom-executor',
          MESOS_DIRECTORY: '<dir>',
          MESOS_SANDBOX: directory,
          MESOS_AGENT_ENDPOINT: agent.address,
          MESOS_SLAVE_ID: agentId,
          MESOS_SLAVE_PID: `slave(1)@${agent.address}`,
          MESOS_CHECKPOINT: '0',
          MESOS_HTTP_COMMAND_EXECUTOR: '0',
          MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: '5secs',
          LIBPROCESS_PORT: '0',
        },
      );
      assert.equal(report.cwd, directory, 'the executor runs in its sandbox');
      assert.equal(report.subscribed.executor_info.executor_id.value, 'custom-executor');
      assert.equal(report.subscribed.framework_info.id.value, framework.id);
      assert.equal(report.subscribed.agent_info.id.value, agentId);
      assert.equal(report.subscribed.container_id.value, path.basename(directory), 'the run directory is named by the container id');
      assert.equal(report.task.task_id.value, 'custom-task');

      // On disk, the executor's own log of events: SUBSCRIBED first, then LAUNCH,
      // then the agent's ACKNOWLEDGED of the TASK_RUNNING update.
      const acknowledged = await waitForExecutorEvent('custom-executor', 'ACKNOWLEDGED', (e) => e.type === 'ACKNOWLEDGED');
      assert.equal(acknowledged.acknowledged.task_id.value, 'custom-task');
      assert.equal(acknowledged.acknowledged.uuid, running.uuid);
      const types = (await executorEvents('custom-executor')).map((e) => e.type).filter((type) => type !== 'HEARTBEAT');
      assert.deepEqual(types.slice(0, 3), ['SUBSCRIBED', 'LAUNCH', 'ACKNOWLEDGED']);

      // A kill goes to the executor with its kill policy; the executor answers for its task.
      await framework.kill('custom-task', agentId, 2_000);
      const killed = await framework.waitForState('custom-task', 'TASK_KILLED');
      assert.equal(killed.source, 'SOURCE_EXECUTOR');
      const kill = await waitForExecutorEvent('custom-executor', 'KILL', (e) => e.type === 'KILL');
      assert.equal(kill.kill.task_id.value, 'custom-task');
      assert.equal(kill.kill.kill_policy.grace_period.nanoseconds, 2_000_000_000);
      framework.assertAcksAccepted();
    }));

  it('carries framework messages both ways: scheduler MESSAGE → executor, executor MESSAGE → scheduler', async (t) =>
    withClusterLogs(cluster, t, async () => {
      await framework.launch('chatty-task', jsonExecutor('chatty-executor'));
      await framework.waitForState('chatty-task', 'TASK_RUNNING');
      await framework.call('MESSAGE', { message: { agent_id: { value: agentId }, executor_id: { value: 'chatty-executor' }, data: base64('ping') } });

      const received = await waitForExecutorEvent('chatty-executor', 'MESSAGE', (e) => e.type === 'MESSAGE');
      assert.equal(fromBase64(received.message.data), 'ping');
      assert.deepEqual(Object.keys(received.message), ['data'], 'the executor gets the data only');

      const echoed = await framework.sub.next((e) => e.type === 'MESSAGE' && e.message.executor_id.value === 'chatty-executor');
      assert.equal(fromBase64(echoed.message.data), 'echo:ping');
      assert.equal(echoed.message.agent_id.value, agentId);
    }));

  it('SHUTDOWN of an executor ends its task with TASK_KILLED and the executor process', async (t) =>
    withClusterLogs(cluster, t, async () => {
      await framework.launch('shutdown-task', jsonExecutor('shutdown-executor'));
      await framework.waitForState('shutdown-task', 'TASK_RUNNING');
      assert.ok(processesIn(sandbox('shutdown-executor')).length > 0, 'the executor runs in its sandbox');

      await framework.call('SHUTDOWN', { shutdown: { executor_id: { value: 'shutdown-executor' }, agent_id: { value: agentId } } });
      const killed = await framework.waitForState('shutdown-task', 'TASK_KILLED');
      assert.equal(killed.source, 'SOURCE_EXECUTOR');
      await waitForExecutorEvent('shutdown-executor', 'SHUTDOWN', (e) => e.type === 'SHUTDOWN');
      const failure = await framework.sub.next((e) => e.type === 'FAILURE' && e.failure.executor_id?.value === 'shutdown-executor');
      assert.equal(failure.failure.agent_id.value, agentId);
      assert.equal(failure.failure.status, 0, 'the executor exited 0 on its own');
      assert.deepEqual(processesIn(sandbox('shutdown-executor')), []);
    }));

  it('an executor that ignores SHUTDOWN is destroyed after its shutdown_grace_period; the agent fails its task', async (t) =>
    withClusterLogs(cluster, t, async () => {
      await framework.launch('stuck-task', jsonExecutor('deaf-executor', { env: { IGNORE_SHUTDOWN: '1' }, shutdownGraceMs: 1_000 }));
      const running = await framework.waitForState('stuck-task', 'TASK_RUNNING');
      assert.equal(JSON.parse(fromBase64(running.data)).env.MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD, '1secs');

      const shutdownAt = Date.now();
      await framework.call('SHUTDOWN', { shutdown: { executor_id: { value: 'deaf-executor' }, agent_id: { value: agentId } } });
      await waitForExecutorEvent('deaf-executor', 'SHUTDOWN', (e) => e.type === 'SHUTDOWN');
      const failed = await framework.waitForState('stuck-task', 'TASK_FAILED');
      const elapsed = Date.now() - shutdownAt;
      assert.ok(elapsed >= 900, `TASK_FAILED after ${elapsed} ms, before the 1 s shutdown grace period ended`);
      assert.equal(failed.source, 'SOURCE_AGENT');
      assert.equal(failed.reason, 'REASON_EXECUTOR_TERMINATED');
      const failure = await framework.sub.next((e) => e.type === 'FAILURE' && e.failure.executor_id?.value === 'deaf-executor');
      assert.equal(failure.failure.agent_id.value, agentId);
      assert.deepEqual(processesIn(sandbox('deaf-executor')), []);
    }));

  it('an executor that exits with a running task: TASK_FAILED from the agent, FAILURE to the scheduler', async (t) =>
    withClusterLogs(cluster, t, async () => {
      await framework.launch('orphaned-task', jsonExecutor('quitting-executor'));
      await framework.waitForState('orphaned-task', 'TASK_RUNNING');
      // json-executor.ts exits with status 3 on this message, its task still running.
      await framework.call('MESSAGE', { message: { agent_id: { value: agentId }, executor_id: { value: 'quitting-executor' }, data: base64('exit') } });

      const failed = await framework.waitForState('orphaned-task', 'TASK_FAILED');
      assert.equal(failed.source, 'SOURCE_AGENT');
      assert.equal(failed.reason, 'REASON_EXECUTOR_TERMINATED');
      assert.equal(failed.executor_id.value, 'quitting-executor');
      assert.equal(Buffer.from(failed.uuid, 'base64').length, 16, 'an agent update is reliable: it has a uuid');
      const failure = await framework.sub.next((e) => e.type === 'FAILURE' && e.failure.executor_id?.value === 'quitting-executor');
      assert.equal(failure.failure.agent_id.value, agentId);
      assert.equal(failure.failure.status, 3 << 8, 'the wait status of exit(3)');
    }));

  it('a task killed before its executor subscribes: TASK_KILLED, REASON_TASK_KILLED_DURING_LAUNCH; 403 for the executor\'s calls', async (t) =>
    withClusterLogs(cluster, t, async () => {
      await framework.launch('early-kill-task', executorInfo('slow-executor', 'exec sleep 60'));
      await waitFor('the executor to start', () => (processesIn(sandbox('slow-executor')).length > 0 ? true : undefined), { timeoutMs: 5_000 });
      // Known framework and executor, but not subscribed (reference 1.4, executor endpoint).
      const message = await fetch(`${agent.url}/api/v1/executor`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'MESSAGE', framework_id: { value: framework.id }, executor_id: { value: 'slow-executor' }, message: { data: base64('hi') } }),
      });
      assert.equal(message.status, 403);
      assert.equal(await message.text(), 'Executor is not subscribed');

      await framework.kill('early-kill-task', agentId);
      const killed = await framework.waitForState('early-kill-task', 'TASK_KILLED');
      assert.equal(killed.source, 'SOURCE_AGENT');
      assert.equal(killed.reason, 'REASON_TASK_KILLED_DURING_LAUNCH');
      // The executor, left without tasks, goes too; the task gets no other update.
      await framework.sub.next((e) => e.type === 'FAILURE' && e.failure.executor_id?.value === 'slow-executor', REGISTRATION_TIMEOUT_MS + 10_000);
      assert.deepEqual(framework.statuses('early-kill-task').map((s) => s.state), ['TASK_KILLED']);
      assert.deepEqual(processesIn(sandbox('slow-executor')), []);
    }));

  it('an executor whose only task was killed before delivery is shut down, even if it subscribes later', async (t) =>
    withClusterLogs(cluster, t, async () => {
      // Subscribes after ~1 s: after the kill, before the 2 s registration timeout.
      await framework.launch('killed-queued-task', executorInfo('late-executor', `sleep 1; exec "${process.execPath}" "${JSON_EXECUTOR}"`));
      await framework.kill('killed-queued-task', agentId);
      const killed = await framework.waitForState('killed-queued-task', 'TASK_KILLED');
      assert.equal(killed.reason, 'REASON_TASK_KILLED_DURING_LAUNCH');
      // Mesos: shut down at the kill; if it subscribes meanwhile it is told SHUTDOWN. Either way it ends.
      await framework.sub.next((e) => e.type === 'FAILURE' && e.failure.executor_id?.value === 'late-executor', REGISTRATION_TIMEOUT_MS + 1_000);
      assert.deepEqual(processesIn(sandbox('late-executor')), []);
    }));

  it(`an executor that never subscribes is destroyed after --executor_registration_timeout; its task fails`, async (t) =>
    withClusterLogs(cluster, t, async () => {
      const launchedAt = Date.now();
      await framework.launch('unregistered-task', executorInfo('silent-executor', 'echo $$ > executor.pid; exec sleep 60'));
      const pidFile = path.join(sandbox('silent-executor'), 'executor.pid');
      const pid = await waitFor('the executor to write its pid', async () => Number((await readFile(pidFile, 'utf8')).trim()) || undefined, { timeoutMs: 5_000 });

      const failed = await framework.waitForState('unregistered-task', 'TASK_FAILED', REGISTRATION_TIMEOUT_MS + 10_000);
      const elapsed = Date.now() - launchedAt;
      assert.ok(elapsed >= REGISTRATION_TIMEOUT_MS - 100, `TASK_FAILED after ${elapsed} ms, before the registration timeout`);
      assert.equal(failed.source, 'SOURCE_AGENT');
      assert.equal(failed.reason, 'REASON_EXECUTOR_REGISTRATION_TIMEOUT');
      assert.deepEqual(framework.statuses('unregistered-task').map((s) => s.state), ['TASK_FAILED']);
      await waitFor(`executor process ${pid} to be destroyed`, () => (isGone(pid) ? true : undefined), { timeoutMs: 5_000 });
      await framework.sub.next((e) => e.type === 'FAILURE' && e.failure.executor_id?.value === 'silent-executor');
    }));
});
