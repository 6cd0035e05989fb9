/**
 * The real agent process against a stand-in master (fake-master.ts: the real
 * master is being built in parallel; the lead will switch this to it).
 * Command tasks run through the real command executor process.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';

import { create } from '@bufbuild/protobuf';

import { type AgentCall, AgentCall_Type, AgentEventSchema, AgentEvent_Type } from '../../src/protocol/gen/mesoscale/internal/agent_link_pb.js';
import { FrameworkInfo_Capability_Type, TaskState, TaskStatus_Source } from '../../src/protocol/gen/mesos/v1/mesos_pb.js';
import { type AgentProcess, startAgent } from './agent-process.js';
import { FakeMaster } from './fake-master.js';

const FRAMEWORK_ID = 'test-framework-0000';

describe('agent against a stand-in master', () => {
  let master: FakeMaster;
  let agent: AgentProcess;
  let agentId = '';
  let endpoint = '';
  /** Tasks whose updates the test acknowledges itself. */
  const manualAck = new Set<string>();
  const acked = new Set<string>();
  let autoAck: NodeJS.Timeout;

  const updatesOf = (taskId: string): AgentCall[] =>
    master.calls.filter((c) => c.type === AgentCall_Type.STATUS_UPDATE && c.statusUpdate?.status?.taskId?.value === taskId);
  const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');

  function ack(call: AgentCall): void {
    const status = call.statusUpdate!.status!;
    acked.add(hex(status.uuid));
    master.push(create(AgentEventSchema, {
      type: AgentEvent_Type.ACKNOWLEDGE,
      acknowledge: { frameworkId: { value: FRAMEWORK_ID }, taskId: status.taskId!, uuid: status.uuid },
    }));
  }

  function runTask(taskId: string, command: string, extra: { graceMs?: number; capabilities?: FrameworkInfo_Capability_Type[] } = {}): void {
    master.push(create(AgentEventSchema, {
      type: AgentEvent_Type.RUN_TASK,
      runTask: {
        frameworkInfo: {
          id: { value: FRAMEWORK_ID },
          user: 'root',
          name: 'agent-test',
          capabilities: (extra.capabilities ?? []).map((type) => ({ type })),
        },
        task: {
          name: taskId,
          taskId: { value: taskId },
          agentId: { value: agentId },
          resources: [{ name: 'cpus', type: 0, scalar: { value: 0.1 } }],
          command: { value: command },
          ...(extra.graceMs !== undefined ? { killPolicy: { gracePeriod: { nanoseconds: BigInt(extra.graceMs) * 1_000_000n } } } : {}),
        },
      },
    }));
  }

  async function waitForState(taskId: string, state: TaskState, timeoutMs = 15_000): Promise<AgentCall> {
    return master.waitFor((c) => c.type === AgentCall_Type.STATUS_UPDATE && c.statusUpdate?.status?.taskId?.value === taskId && c.statusUpdate.status.state === state, timeoutMs, `${TaskState[state]} of ${taskId}`);
  }

  before(async () => {
    master = await FakeMaster.start();
    agent = await startAgent(master.address, ['--status_update_retry_interval=300ms', '--resources=cpus:4;mem:2048;ports:[31000-31100]']);
    const register = await master.waitFor((c) => c.type === AgentCall_Type.REGISTER, 15_000, 'REGISTER');
    endpoint = register.register!.endpoint;
    await master.waitFor(() => master.connected, 5_000);
    agentId = 'fake-master-S0';
    // Acknowledge every update once, as a scheduler would, except for tasks a test drives by hand.
    autoAck = setInterval(() => {
      for (const call of master.calls) {
        const status = call.statusUpdate?.status;
        if (status === undefined || manualAck.has(status.taskId!.value) || acked.has(hex(status.uuid))) continue;
        ack(call);
      }
    }, 20);
  });

  after(async () => {
    clearInterval(autoAck);
    await agent?.stop();
    await master?.close();
  });

  it('registers with its resources, a disk estimate and its HTTP endpoint', async () => {
    const register = master.calls.find((c) => c.type === AgentCall_Type.REGISTER)!;
    const info = register.register!.agentInfo!;
    const names = info.resources.map((r) => r.name).sort();
    assert.deepEqual(names, ['cpus', 'disk', 'mem', 'ports']);
    assert.equal(info.resources.find((r) => r.name === 'cpus')!.scalar!.value, 4);
    assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${endpoint}/health`);
    assert.equal(health.status, 200);
  });

  it('runs a command task to TASK_FINISHED with its output in the sandbox stdout', async () => {
    runTask('echo-task', 'echo hello-from-the-sandbox');
    const starting = await waitForState('echo-task', TaskState.TASK_STARTING);
    assert.equal(starting.statusUpdate!.status!.source, TaskStatus_Source.EXECUTOR);
    assert.equal(starting.statusUpdate!.status!.uuid.length, 16);
    await waitForState('echo-task', TaskState.TASK_RUNNING);
    const finished = await waitForState('echo-task', TaskState.TASK_FINISHED);
    assert.equal(finished.statusUpdate!.status!.message, 'Command exited with status 0');
    await master.waitFor((c) => c.type === AgentCall_Type.EXECUTOR_EXITED && c.executorExited?.executorId?.value === 'echo-task', 15_000, 'EXECUTOR_EXITED');

    const virtual = `/frameworks/${FRAMEWORK_ID}/executors/echo-task/runs/latest/stdout`;
    const read = (await (await fetch(`${endpoint}/files/read?path=${encodeURIComponent(virtual)}&offset=0`)).json()) as { data: string };
    assert.match(read.data, /hello-from-the-sandbox/);
    const onDisk = await readFile(`${agent.workDir}/slaves/${agentId}/frameworks/${FRAMEWORK_ID}/executors/echo-task/runs/latest/stdout`, 'utf8');
    assert.match(onDisk, /hello-from-the-sandbox/);

    const state = (await (await fetch(`${endpoint}/state`)).json()) as { id: string; frameworks: unknown[]; completed_frameworks: unknown[] };
    assert.equal(state.id, agentId);
  });

  it('reports a failing command as TASK_FAILED with its exit status', async () => {
    runTask('failing-task', 'exit 3');
    const failed = await waitForState('failing-task', TaskState.TASK_FAILED);
    assert.equal(failed.statusUpdate!.status!.message, 'Command exited with status 3');
  });

  it('kills with the grace period: SIGTERM, then SIGKILL for a task that traps it', async () => {
    runTask('stubborn-task', 'trap "echo got-sigterm" TERM; while true; do sleep 0.1; done', {
      graceMs: 1_000,
      capabilities: [FrameworkInfo_Capability_Type.TASK_KILLING_STATE],
    });
    await waitForState('stubborn-task', TaskState.TASK_RUNNING);
    const killedAt = Date.now();
    master.push(create(AgentEventSchema, {
      type: AgentEvent_Type.KILL_TASK,
      killTask: { frameworkId: { value: FRAMEWORK_ID }, taskId: { value: 'stubborn-task' } },
    }));
    await waitForState('stubborn-task', TaskState.TASK_KILLING);
    const killed = await waitForState('stubborn-task', TaskState.TASK_KILLED);
    const elapsed = Date.now() - killedAt;
    assert.ok(elapsed >= 900, `TASK_KILLED came after ${elapsed} ms, before the 1 s grace period ended`);
    assert.equal(killed.statusUpdate!.status!.message, 'Command terminated with signal Killed');
    const stdout = await readFile(`${agent.workDir}/slaves/${agentId}/frameworks/${FRAMEWORK_ID}/executors/stubborn-task/runs/latest/stdout`, 'utf8');
    assert.match(stdout, /got-sigterm/);
  });

  it('retries an unacknowledged status update and sends the next one only after the ack', async () => {
    manualAck.add('patient-task');
    runTask('patient-task', 'sleep 0.2');
    await waitForState('patient-task', TaskState.TASK_STARTING);
    // Retry interval is 300ms: wait for the same update to arrive again.
    await master.waitFor(() => updatesOf('patient-task').length >= 3, 5_000, 'two retries of TASK_STARTING');
    const sent = updatesOf('patient-task');
    assert.ok(sent.every((c) => c.statusUpdate!.status!.state === TaskState.TASK_STARTING), 'nothing after TASK_STARTING before its ack');
    assert.equal(new Set(sent.map((c) => hex(c.statusUpdate!.status!.uuid))).size, 1, 'retries carry the same uuid');
    // The task finished meanwhile: the agent says so in latest_state.
    await master.waitFor(() => updatesOf('patient-task').at(-1)!.statusUpdate!.latestState === TaskState.TASK_FINISHED, 5_000, 'latest_state TASK_FINISHED');
    ack(sent[0]!);
    const runningUpdate = await waitForState('patient-task', TaskState.TASK_RUNNING);
    ack(runningUpdate);
    const finished = await waitForState('patient-task', TaskState.TASK_FINISHED);
    ack(finished);
  });

  it('refuses executor calls for unknown frameworks with Mesos status codes', async () => {
    const url = `${endpoint}/api/v1/executor`;
    const noType = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ executor_id: { value: 'e' }, framework_id: { value: 'f' } }) });
    assert.equal(noType.status, 400);
    assert.match(await noType.text(), /Expecting 'type' to be present/);
    const unknown = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'SUBSCRIBE', executor_id: { value: 'e' }, framework_id: { value: 'f' }, subscribe: {} }) });
    assert.equal(unknown.status, 400);
    assert.equal(await unknown.text(), 'Framework cannot be found');
    const heartbeat = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'HEARTBEAT', executor_id: { value: 'e' }, framework_id: { value: 'f' } }) });
    assert.equal(heartbeat.status, 202);
    const wrongType = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
    assert.equal(wrongType.status, 415);
  });
});
