import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import { FrameworkInfo_Capability_Type, Offer_Operation_Type, TaskState, TaskStatus_Reason } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { Call_AcceptSchema, Call_DeclineSchema, Event_Type } from '../../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';
import { AgentEvent_Type } from '../../protocol/gen/mesoscale/internal/agent_link_pb.js';
import { MasterHarness } from '../../testing/master-harness.js';

function launch(h: MasterHarness, frameworkId: string, offerId: string, agentId: string, taskId: string, resources = 'cpus:1;mem:128', refuse?: number) {
  const scalar = (name: string, value: number) => ({ name, type: 0, scalar: { value } });
  const res = resources.split(';').map((p) => p.split(':')).map(([n, v]) => scalar(n!, Number(v)));
  h.core.accept(
    frameworkId,
    create(Call_AcceptSchema, {
      offerIds: [{ value: offerId }],
      operations: [
        {
          type: Offer_Operation_Type.LAUNCH,
          launch: { taskInfos: [{ name: taskId, taskId: { value: taskId }, agentId: { value: agentId }, resources: res, command: { value: 'true' } }] },
        },
      ],
      ...(refuse !== undefined ? { filters: { refuseSeconds: refuse } } : {}),
    } as never),
  );
  h.flush();
}

test('subscribe without an id gets a new framework id, SUBSCRIBED then HEARTBEAT', () => {
  const h = new MasterHarness();
  const { frameworkId } = h.subscribe();
  assert.equal(frameworkId, 'M-0000');
  const types = h.events(frameworkId).map((e) => e.type);
  assert.deepEqual(types, [Event_Type.SUBSCRIBED, Event_Type.HEARTBEAT]);
  assert.equal(h.subscribe().frameworkId, 'M-0001');
});

test('an agent is offered to a framework, and a launch sends RUN_TASK to that agent', () => {
  const h = new MasterHarness();
  const agentId = h.addAgent('cpus:2;mem:1024');
  const { frameworkId } = h.subscribe();
  h.allocate();
  const [offer] = h.offers(frameworkId);
  assert.ok(offer);
  assert.equal(offer.agentId?.value, agentId);
  launch(h, frameworkId, offer.id!.value, agentId, 't1');
  const run = h.agentEventsOf(agentId, AgentEvent_Type.RUN_TASK);
  assert.equal(run.length, 1);
  assert.equal(run[0]!.runTask!.task!.taskId!.value, 't1');
  assert.equal(h.core.frameworks.get(frameworkId)!.tasks.get('t1')!.state, TaskState.TASK_STAGING);
});

test('a launch on an unknown or already used offer is TASK_LOST with REASON_INVALID_OFFERS (TASK_DROPPED if partition-aware)', () => {
  const h = new MasterHarness();
  const agentId = h.addAgent();
  const { frameworkId } = h.subscribe();
  launch(h, frameworkId, 'no-such-offer', agentId, 't1');
  const [lost] = h.updates(frameworkId);
  assert.equal(lost!.state, TaskState.TASK_LOST);
  assert.equal(lost!.reason, TaskStatus_Reason.INVALID_OFFERS);
  assert.equal(lost!.uuid.length, 0, 'master-generated updates carry no uuid');

  const aware = h.subscribe({ capabilities: [{ type: FrameworkInfo_Capability_Type.PARTITION_AWARE }] });
  launch(h, aware.frameworkId, 'no-such-offer', agentId, 't2');
  assert.equal(h.updates(aware.frameworkId)[0]!.state, TaskState.TASK_DROPPED);
});

test('over-committed resources and duplicate task ids are TASK_ERROR with REASON_TASK_INVALID', () => {
  const h = new MasterHarness();
  const agentId = h.addAgent('cpus:2;mem:1024');
  const { frameworkId } = h.subscribe();
  h.allocate();
  launch(h, frameworkId, h.offers(frameworkId)[0]!.id!.value, agentId, 'big', 'cpus:3;mem:128', 0);
  const [err] = h.updates(frameworkId);
  assert.equal(err!.state, TaskState.TASK_ERROR);
  assert.equal(err!.reason, TaskStatus_Reason.TASK_INVALID);
  assert.match(err!.message, /more than available/);

  h.allocate();
  launch(h, frameworkId, h.offers(frameworkId).at(-1)!.id!.value, agentId, 'a', 'cpus:0.5;mem:64', 0);
  h.allocate();
  launch(h, frameworkId, h.offers(frameworkId).at(-1)!.id!.value, agentId, 'a', 'cpus:0.5;mem:64', 0);
  const dup = h.updates(frameworkId).at(-1)!;
  assert.equal(dup.state, TaskState.TASK_ERROR);
  assert.match(dup.message, /duplicate ID/);
});

test('kill of an unknown task and explicit reconciliation of an unknown task answer as Mesos does', () => {
  const h = new MasterHarness();
  const agentId = h.addAgent();
  const { frameworkId } = h.subscribe();
  h.core.kill(frameworkId, { taskId: { value: 'ghost' } } as never);
  h.flush();
  const killed = h.updates(frameworkId).at(-1)!;
  assert.equal(killed.state, TaskState.TASK_LOST);
  assert.equal(killed.reason, TaskStatus_Reason.RECONCILIATION);

  const aware = h.subscribe({ capabilities: [{ type: FrameworkInfo_Capability_Type.PARTITION_AWARE }] });
  h.core.reconcile(aware.frameworkId, { tasks: [{ taskId: { value: 'ghost' }, agentId: { value: agentId } }, { taskId: { value: 'ghost2' } }] } as never);
  h.flush();
  const [gone, unknown] = h.updates(aware.frameworkId);
  assert.equal(gone!.state, TaskState.TASK_GONE);
  assert.equal(unknown!.state, TaskState.TASK_UNKNOWN);
});

test('decline with refuse_seconds keeps that agent from the framework for that long', () => {
  const h = new MasterHarness();
  h.addAgent();
  const { frameworkId } = h.subscribe();
  h.allocate();
  const offer = h.offers(frameworkId)[0]!;
  h.core.decline(frameworkId, create(Call_DeclineSchema, { offerIds: [offer.id!], filters: { refuseSeconds: 10 } }));
  h.flush();
  const before = h.offers(frameworkId).length;
  h.clock.advance(9_000);
  h.allocate();
  assert.equal(h.offers(frameworkId).length, before, 'no offer while the filter lasts');
  h.clock.advance(1_500);
  h.allocate();
  assert.equal(h.offers(frameworkId).length, before + 1, 'offered again once the filter expired');
});

test('suppress stops offers until revive', () => {
  const h = new MasterHarness();
  h.addAgent();
  const { frameworkId } = h.subscribe();
  h.core.suppress(frameworkId, []);
  h.allocate();
  h.clock.advance(60_000);
  h.allocate();
  assert.equal(h.offers(frameworkId).length, 0);
  h.core.revive(frameworkId, []);
  h.allocate();
  assert.equal(h.offers(frameworkId).length, 1);
});

test('a terminal update releases resources; its acknowledgement completes the task', () => {
  const h = new MasterHarness();
  const agentId = h.addAgent('cpus:1;mem:256');
  const { frameworkId } = h.subscribe();
  h.allocate();
  launch(h, frameworkId, h.offers(frameworkId)[0]!.id!.value, agentId, 't', 'cpus:1;mem:256', 0);
  h.agentUpdate(agentId, frameworkId, 't', TaskState.TASK_RUNNING);
  const finished = h.agentUpdate(agentId, frameworkId, 't', TaskState.TASK_FINISHED);
  h.allocate();
  assert.equal(h.offers(frameworkId).length, 2, 'the task resources came back as a new offer');
  const framework = h.core.frameworks.get(frameworkId)!;
  assert.ok(framework.tasks.has('t'), 'kept until acknowledged');
  h.core.acknowledge(frameworkId, { agentId: { value: agentId }, taskId: { value: 't' }, uuid: finished.uuid } as never);
  h.flush();
  assert.ok(!framework.tasks.has('t'));
  assert.equal(framework.completedTasks.length, 1);
  assert.equal(h.agentEventsOf(agentId, AgentEvent_Type.ACKNOWLEDGE).length, 1);
});

test('an agent that misses pings becomes unreachable: TASK_UNREACHABLE for partition-aware, TASK_LOST otherwise', () => {
  const h = new MasterHarness({ agentPingTimeoutMs: 1000, maxAgentPingTimeouts: 3 });
  const agentId = h.addAgent('cpus:4;mem:1024');
  const plain = h.subscribe();
  const aware = h.subscribe({ capabilities: [{ type: FrameworkInfo_Capability_Type.PARTITION_AWARE }] });
  h.allocate();
  for (const fw of [plain, aware]) {
    const offer = h.offers(fw.frameworkId)[0];
    if (offer) launch(h, fw.frameworkId, offer.id!.value, agentId, `t-${fw.frameworkId}`, 'cpus:1;mem:128', 0);
  }
  h.allocate();
  for (const fw of [plain, aware]) {
    if (!h.core.frameworks.get(fw.frameworkId)!.tasks.size) {
      launch(h, fw.frameworkId, h.offers(fw.frameworkId).at(-1)!.id!.value, agentId, `t-${fw.frameworkId}`, 'cpus:1;mem:128', 0);
    }
  }
  for (let i = 0; i < 5; i++) {
    h.clock.advance(1000);
    h.core.tick();
    h.flush();
  }
  assert.equal(h.core.agents.size, 0);
  assert.ok(h.core.unreachableAgents.has(agentId));
  assert.equal(h.updates(plain.frameworkId).at(-1)!.state, TaskState.TASK_LOST);
  const unreachable = h.updates(aware.frameworkId).at(-1)!;
  assert.equal(unreachable.state, TaskState.TASK_UNREACHABLE);
  assert.equal(unreachable.reason, TaskStatus_Reason.AGENT_REMOVED);
  assert.ok(unreachable.unreachableTime !== undefined);
  assert.ok(h.events(plain.frameworkId, Event_Type.FAILURE).length >= 1);
});

test('re-subscribing replaces the old stream with an ERROR on it', () => {
  const h = new MasterHarness();
  const first = h.subscribe({ failoverTimeout: 60 });
  const second = h.subscribe({ id: { value: first.frameworkId }, failoverTimeout: 60 });
  assert.equal(second.frameworkId, first.frameworkId);
  assert.ok(h.closedFrameworkStreams.includes(first.streamId));
  assert.ok(h.events(first.frameworkId, Event_Type.ERROR).some((e) => e.error!.message === 'Framework failed over'));
  assert.deepEqual(h.core.checkCall(first.frameworkId, first.streamId)?.status, 400, 'the old stream id is refused');
  assert.equal(h.core.checkCall(first.frameworkId, second.streamId), undefined);
});

test('a disconnected framework is removed after its failover timeout', () => {
  const h = new MasterHarness();
  const { frameworkId, streamId } = h.subscribe({ failoverTimeout: 5 });
  h.core.frameworkDisconnected(frameworkId, streamId);
  assert.equal(h.core.checkCall(frameworkId, streamId)?.status, 403);
  h.clock.advance(4_000);
  h.core.tick();
  assert.ok(h.core.frameworks.has(frameworkId));
  h.clock.advance(2_000);
  h.core.tick();
  assert.ok(!h.core.frameworks.has(frameworkId));
  assert.equal(h.core.completedFrameworks.length, 1);
});

test('a task with an invalid health check is TASK_ERROR with the health check problem', () => {
  const h = new MasterHarness();
  const agentId = h.addAgent();
  const { frameworkId } = h.subscribe();
  h.allocate();
  const offer = h.offers(frameworkId)[0]!;
  h.core.accept(
    frameworkId,
    create(Call_AcceptSchema, {
      offerIds: [offer.id!],
      operations: [
        {
          type: Offer_Operation_Type.LAUNCH,
          launch: {
            taskInfos: [
              {
                name: 'hc',
                taskId: { value: 'hc' },
                agentId: { value: agentId },
                resources: [{ name: 'cpus', type: 0, scalar: { value: 0.1 } }],
                command: { value: 'true' },
                healthCheck: { type: 2 /* HTTP */ },
              },
            ],
          },
        },
      ],
    } as never),
  );
  h.flush();
  const [err] = h.updates(frameworkId);
  assert.equal(err!.state, TaskState.TASK_ERROR);
  assert.match(err!.message, /invalid health check/);
});

test('event-triggered rounds consider only changed agents; expired filters wait for the full round', () => {
  const h = new MasterHarness();
  h.addAgent();
  const { frameworkId } = h.subscribe();
  h.allocate();
  const offer = h.offers(frameworkId)[0]!;
  h.core.decline(frameworkId, create(Call_DeclineSchema, { offerIds: [offer.id!], filters: { refuseSeconds: 1 } }));
  h.flush();
  h.core.allocate(false);
  h.flush();
  assert.equal(h.offers(frameworkId).length, 1, 'the declined agent is filtered');
  h.clock.advance(2_000);
  h.core.allocate(false);
  h.flush();
  assert.equal(h.offers(frameworkId).length, 1, 'nothing changed since the last round: no work, no offer');
  h.core.allocate(true);
  h.flush();
  assert.equal(h.offers(frameworkId).length, 2, 'the full round sees the expired filter');
});
