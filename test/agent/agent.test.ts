/**
 * Command tasks on the real agent, driven through the real master by a
 * framework on the wire (wire-framework.ts), in both command-executor modes:
 * built into the agent (default) and a separate executor process speaking
 * the v1 executor HTTP API (--http_command_executor).
 * Reference: shared/reference/mesos-http-api.md 3.6, 3.8, 4.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';

import { startCluster, withClusterLogs, type Cluster, type ClusterAgent } from '../support/cluster.js';
import { getJson, waitFor } from '../support/wait.js';
import { isGone, processesIn, sandboxOf } from './sandbox-processes.js';
import { WireFramework } from './wire-framework.js';

const MODES = [
  { name: 'built-in command executor', agentFlags: [] as string[], http: false },
  { name: 'HTTP command executor process', agentFlags: ['--http_command_executor'], http: true },
];

for (const mode of MODES) {
  describe(`command tasks on a real agent and master (${mode.name})`, () => {
    let cluster: Cluster;
    let agent: ClusterAgent;
    let framework: WireFramework;
    let agentId = '';
    const sandbox = (executorId: string): string => sandboxOf(agent.workDir, agentId, framework.id, executorId);

    before(async () => {
      cluster = await startCluster({
        agents: 1,
        masterFlags: ['--allocation_interval=100ms'],
        agentFlags: ['--status_update_retry_interval=300ms', ...mode.agentFlags],
      });
      agent = cluster.agents[0]!;
      framework = await WireFramework.subscribe(cluster.masterUrl, { capabilities: ['TASK_KILLING_STATE'] });
      const state = await getJson<{ slaves: Array<{ id: string }> }>(`${cluster.masterUrl}/state`);
      agentId = state.slaves[0]!.id;
    });

    after(async () => {
      framework?.close();
      await cluster?.stop();
    });

    it('registers with the master: one active agent with its resources and endpoint', async (t) =>
      withClusterLogs(cluster, t, async () => {
        const master = await getJson<{ slaves: any[] }>(`${cluster.masterUrl}/state`);
        assert.equal(master.slaves.length, 1);
        const slave = master.slaves[0];
        assert.equal(slave.active, true);
        assert.equal(slave.resources.cpus, 2);
        assert.equal(slave.resources.mem, 2048);
        assert.equal(slave.resources.disk, 4096);
        assert.equal(slave.resources.ports, '[31000-31999]');
        const own = await getJson<{ id: string; flags: Record<string, string> }>(`${agent.url}/state`);
        assert.equal(own.id, agentId);
        assert.equal(own.flags.http_command_executor, String(mode.http));
      }));

    it('runs a command task to TASK_FINISHED with its output in the sandbox stdout', async (t) =>
      withClusterLogs(cluster, t, async () => {
        await framework.launch('echo-task', { command: { value: 'echo hello-from-the-sandbox' } });
        const starting = await framework.waitForState('echo-task', 'TASK_STARTING');
        assert.equal(starting.source, 'SOURCE_EXECUTOR');
        assert.equal(Buffer.from(starting.uuid, 'base64').length, 16);
        assert.equal(starting.agent_id.value, agentId);
        assert.equal(starting.executor_id.value, 'echo-task');
        await framework.waitForState('echo-task', 'TASK_RUNNING');
        const finished = await framework.waitForState('echo-task', 'TASK_FINISHED');
        assert.equal(finished.message, 'Command exited with status 0');
        assert.deepEqual(framework.statuses('echo-task').map((s) => s.state), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);

        // The executor ends with its only task; the scheduler hears of it.
        const failure = await framework.sub.next((e) => e.type === 'FAILURE' && e.failure.executor_id?.value === 'echo-task');
        assert.equal(failure.failure.agent_id.value, agentId);
        assert.equal(failure.failure.status, 0);

        const virtual = `/frameworks/${framework.id}/executors/echo-task/runs/latest/stdout`;
        const read = await getJson<{ data: string }>(`${agent.url}/files/read?path=${encodeURIComponent(virtual)}&offset=0`);
        assert.match(read.data, /hello-from-the-sandbox/);
        const onDisk = await readFile(`${sandbox('echo-task')}/stdout`, 'utf8');
        assert.match(onDisk, /hello-from-the-sandbox/);
        framework.assertAcksAccepted();
      }));

    it('reports a failing command as TASK_FAILED with its exit status', async (t) =>
      withClusterLogs(cluster, t, async () => {
        await framework.launch('failing-task', { command: { value: 'exit 3' } });
        const failed = await framework.waitForState('failing-task', 'TASK_FAILED');
        assert.equal(failed.message, 'Command exited with status 3');
        assert.equal(failed.source, 'SOURCE_EXECUTOR');
      }));

    it('kills with the KILL call\'s grace period: TASK_KILLING, SIGTERM, then SIGKILL for a task that traps it', async (t) =>
      withClusterLogs(cluster, t, async () => {
        await framework.launch('stubborn-task', { command: { value: 'trap "echo got-sigterm" TERM; echo trap-set; while true; do sleep 0.1; done' } });
        await framework.waitForState('stubborn-task', 'TASK_RUNNING');
        // The kill must not overtake the shell installing its trap.
        const stdout = `${sandbox('stubborn-task')}/stdout`;
        await waitFor('the task to trap SIGTERM', async () => ((await readFile(stdout, 'utf8')).includes('trap-set') ? true : undefined), { timeoutMs: 5_000 });
        const killedAt = Date.now();
        await framework.kill('stubborn-task', agentId, 1_000);
        await framework.waitForState('stubborn-task', 'TASK_KILLING');
        const killed = await framework.waitForState('stubborn-task', 'TASK_KILLED');
        const elapsed = Date.now() - killedAt;
        assert.ok(elapsed >= 900, `TASK_KILLED came after ${elapsed} ms, before the 1 s grace period ended`);
        assert.equal(killed.message, 'Command terminated with signal Killed');
        assert.match(await readFile(stdout, 'utf8'), /got-sigterm/);
      }));

    it('resends an unacknowledged update with the same uuid and nothing newer before the ack', async (t) =>
      withClusterLogs(cluster, t, async () => {
        framework.manualAck.add('patient-task');
        await framework.launch('patient-task', { command: { value: 'sleep 0.2' } });
        await framework.waitForState('patient-task', 'TASK_STARTING');
        // --status_update_retry_interval=300ms: the same update comes again (at ~300 and ~900 ms).
        await waitFor('two resends of TASK_STARTING', () => (framework.statuses('patient-task').length >= 3 ? true : undefined), { timeoutMs: 5_000 });
        // The task has finished meanwhile: the master follows the agent's latest state ...
        await waitFor('the master to show patient-task TASK_FINISHED', async () => {
          const state = await getJson<{ frameworks: any[] }>(`${cluster.masterUrl}/state`);
          const task = state.frameworks.find((f) => f.id === framework.id)?.tasks.find((x: any) => x.id === 'patient-task');
          return task?.state === 'TASK_FINISHED' ? true : undefined;
        }, { timeoutMs: 5_000 });
        // ... but the scheduler still only gets the oldest unacknowledged update.
        const sent = framework.statuses('patient-task');
        assert.deepEqual([...new Set(sent.map((s) => s.state))], ['TASK_STARTING'], 'nothing after TASK_STARTING before its ack');
        assert.equal(new Set(sent.map((s) => s.uuid)).size, 1, 'resends carry the same uuid');

        await framework.acknowledge(sent[0]);
        const running = await framework.waitForState('patient-task', 'TASK_RUNNING');
        await framework.acknowledge(running);
        const finished = await framework.waitForState('patient-task', 'TASK_FINISHED');
        await framework.acknowledge(finished);
        assert.deepEqual([...new Set(framework.statuses('patient-task').map((s) => s.state))], ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
      }));

    it('answers executor calls with Mesos status codes', async (t) =>
      withClusterLogs(cluster, t, async () => {
        const url = `${agent.url}/api/v1/executor`;
        const post = (body: unknown, contentType = 'application/json'): Promise<Response> =>
          fetch(url, { method: 'POST', headers: { 'Content-Type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });

        const noType = await post({ executor_id: { value: 'e' }, framework_id: { value: 'f' } });
        assert.equal(noType.status, 400);
        assert.equal(await noType.text(), "Failed to validate executor::Call: Expecting 'type' to be present");
        const unknownFramework = await post({ type: 'SUBSCRIBE', executor_id: { value: 'e' }, framework_id: { value: 'f' }, subscribe: {} });
        assert.equal(unknownFramework.status, 400);
        assert.equal(await unknownFramework.text(), 'Framework cannot be found');
        const heartbeat = await post({ type: 'HEARTBEAT', executor_id: { value: 'e' }, framework_id: { value: 'f' } });
        assert.equal(heartbeat.status, 202);
        const wrongType = await post('x', 'text/plain');
        assert.equal(wrongType.status, 415);

        // A framework the agent knows (a task of it runs there), an executor it does not.
        await framework.launch('sleeper', { command: { value: 'sleep 30' } });
        await framework.waitForState('sleeper', 'TASK_RUNNING');
        const unknownExecutor = await post({ type: 'SUBSCRIBE', executor_id: { value: 'nope' }, framework_id: { value: framework.id }, subscribe: {} });
        assert.equal(unknownExecutor.status, 400);
        assert.equal(await unknownExecutor.text(), 'Executor cannot be found');
      }));

    // Last: it removes the framework.
    it('TEARDOWN kills the framework\'s tasks on the agent', async (t) =>
      withClusterLogs(cluster, t, async () => {
        await framework.launch('doomed-task', { command: { value: 'echo $$ > task.pid; exec sleep 300' } });
        await framework.waitForState('doomed-task', 'TASK_RUNNING');
        const pidFile = `${sandbox('doomed-task')}/task.pid`;
        const pid = await waitFor('the task to write its pid', async () => Number((await readFile(pidFile, 'utf8')).trim()) || undefined, { timeoutMs: 5_000 });
        assert.equal(isGone(pid), false);

        await framework.call('TEARDOWN', {});
        await waitFor(`task process ${pid} to end`, () => (isGone(pid) ? true : undefined), { timeoutMs: 10_000 });
        for (const executorId of ['doomed-task', 'sleeper']) {
          await waitFor(`nothing left running in ${executorId}'s sandbox`, () => (processesIn(sandbox(executorId)).length === 0 ? true : undefined), { timeoutMs: 10_000 });
        }
        const master = await getJson<{ frameworks: any[]; completed_frameworks: any[] }>(`${cluster.masterUrl}/state`);
        assert.equal(master.frameworks.some((f) => f.id === framework.id), false);
        assert.equal(master.completed_frameworks.some((f) => f.id === framework.id), true);
        await waitFor('the agent to list the framework as completed', async () => {
          const own = await getJson<{ frameworks: any[]; completed_frameworks: any[] }>(`${agent.url}/state`);
          return !own.frameworks.some((f) => f.id === framework.id) && own.completed_frameworks.some((f) => f.id === framework.id) ? true : undefined;
        }, { timeoutMs: 10_000 });
      }));
  });
}
