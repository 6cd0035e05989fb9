/**
 * Mesos' scheduler API semantics, asserted on the wire against a real master
 * and agent processes (shared/reference/mesos-http-api.md sections 1 and 3).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, withClusterLogs, type Cluster } from '../support/cluster.js';
import { call, subscribe, type RawSubscription } from './raw-scheduler.js';
import { getJson } from '../support/wait.js';

const FRAMEWORK = { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'root', name: 'wire-test' } } };
const PARTITION_AWARE = {
  type: 'SUBSCRIBE',
  subscribe: { framework_info: { user: 'root', name: 'wire-test-pa', capabilities: [{ type: 'PARTITION_AWARE' }] } },
};

function commandTask(id: string, agentId: string, resources: { cpus: number; mem: number }, command = 'sleep 30') {
  return {
    name: id,
    task_id: { value: id },
    agent_id: { value: agentId },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: resources.cpus } },
      { name: 'mem', type: 'SCALAR', scalar: { value: resources.mem } },
    ],
    command: { value: command },
  };
}

async function subscribed(cluster: Cluster, body: unknown = FRAMEWORK): Promise<{ sub: RawSubscription; frameworkId: string }> {
  const sub = await subscribe(cluster.masterUrl, body);
  assert.equal(sub.status, 200);
  const event = await sub.next((e) => e.type === 'SUBSCRIBED');
  return { sub, frameworkId: event.subscribed.framework_id.value };
}

describe('scheduler API on a real master', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster({ agents: 1, masterFlags: ['--offer_timeout=2secs'] });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('subscribe without an id gets a new one, a Mesos-Stream-Id, SUBSCRIBED then HEARTBEAT', async (t) =>
    withClusterLogs(cluster, t, async () => {
      const { sub, frameworkId } = await subscribed(cluster);
      try {
        assert.match(sub.streamId ?? '', /^[0-9a-f-]{36}$/);
        assert.equal(sub.contentType, 'application/json');
        assert.ok(frameworkId.length > 0);
        const types = sub.events.slice(0, 2).map((e) => e.type);
        assert.deepEqual(types, ['SUBSCRIBED', 'HEARTBEAT']);
        assert.equal(sub.events[0].subscribed.heartbeat_interval_seconds, 15);
      } finally {
        sub.close();
      }
    }));

  it('refuses calls with a missing or wrong Mesos-Stream-Id, and calls for unknown frameworks', async (t) =>
    withClusterLogs(cluster, t, async () => {
      const { sub, frameworkId } = await subscribed(cluster);
      try {
        const revive = { type: 'REVIVE', framework_id: { value: frameworkId } };
        const wrong = await call(cluster.masterUrl, revive, '00000000-0000-4000-8000-000000000000');
        assert.equal(wrong.status, 400);
        assert.match(wrong.text, /didn't match the stream ID/);
        assert.equal((await call(cluster.masterUrl, revive, undefined)).status, 400);
        assert.equal((await call(cluster.masterUrl, revive, sub.streamId)).status, 202);
        const unknown = await call(cluster.masterUrl, { type: 'REVIVE', framework_id: { value: 'nope' } }, sub.streamId);
        assert.equal(unknown.status, 400);
        assert.equal(unknown.text, 'Framework cannot be found');
        const resubscribeWithHeader = await call(cluster.masterUrl, FRAMEWORK, sub.streamId);
        assert.equal(resubscribeWithHeader.status, 400);
      } finally {
        sub.close();
      }
    }));

  it('answers malformed input with the 4xx Mesos gives and keeps serving', async (t) =>
    withClusterLogs(cluster, t, async () => {
      const url = cluster.masterUrl;
      const invalidJson = await call(url, '{"type":', undefined);
      assert.equal(invalidJson.status, 400);
      assert.match(invalidJson.text, /Failed to parse body into JSON/);
      // A SUBSCRIBE Call in protobuf (type=1, subscribe{framework_info{user,name}}), cut short.
      const proto = Buffer.from([0x10, 0x01, 0x1a, 0x0c, 0x0a, 0x0a, 0x0a, 0x01, 0x75, 0x12, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]);
      const truncated = await call(url, proto.subarray(0, 10), undefined, 'application/x-protobuf');
      assert.equal(truncated.status, 400);
      const wrongType = await call(url, '{}', undefined, 'text/plain');
      assert.equal(wrongType.status, 415);
      const noType = await fetch(new URL('/api/v1/scheduler', url), { method: 'POST', body: new Uint8Array([1]) });
      assert.equal(noType.status, 400);
      const huge = await call(url, Buffer.alloc(20 * 1024 * 1024, 0x20), undefined);
      assert.equal(huge.status, 413);
      const get = await fetch(new URL('/api/v1/scheduler', url));
      assert.equal(get.status, 405);
      const notAcceptable = await subscribe(url, FRAMEWORK, { Accept: 'text/html' });
      assert.equal(notAcceptable.status, 406);
      notAcceptable.close();
      const noTypeField = await call(url, { framework_id: { value: 'x' } }, undefined);
      assert.equal(noTypeField.status, 400);
      assert.equal(noTypeField.text, "Failed to validate scheduler::Call: Expecting 'type' to be present");
      assert.equal((await fetch(new URL('/health', url))).status, 200);
    }));

  it('launches on unknown and rescinded offers end TASK_LOST with REASON_INVALID_OFFERS', async (t) =>
    withClusterLogs(cluster, t, async () => {
      const { sub, frameworkId } = await subscribed(cluster);
      try {
        const offers = await sub.next((e) => e.type === 'OFFERS');
        const offer = offers.offers.offers[0];
        const agentId = offer.agent_id.value;
        const accept = (offerId: string, taskId: string) => ({
          type: 'ACCEPT',
          framework_id: { value: frameworkId },
          accept: {
            offer_ids: [{ value: offerId }],
            operations: [{ type: 'LAUNCH', launch: { task_infos: [commandTask(taskId, agentId, { cpus: 0.1, mem: 32 })] } }],
          },
        });
        assert.equal((await call(cluster.masterUrl, accept('no-such-offer', 'ghost-1'), sub.streamId)).status, 202);
        const lost = await sub.next((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'ghost-1');
        assert.equal(lost.update.status.state, 'TASK_LOST');
        assert.equal(lost.update.status.reason, 'REASON_INVALID_OFFERS');
        assert.equal(lost.update.status.source, 'SOURCE_MASTER');
        assert.equal(lost.update.status.uuid, undefined);

        // --offer_timeout=2secs rescinds the offer; accepting it afterwards is invalid.
        await sub.next((e) => e.type === 'RESCIND' && e.rescind.offer_id.value === offer.id.value, 10_000);
        assert.equal((await call(cluster.masterUrl, accept(offer.id.value, 'ghost-2'), sub.streamId)).status, 202);
        const rescinded = await sub.next((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'ghost-2');
        assert.equal(rescinded.update.status.state, 'TASK_LOST');
        assert.equal(rescinded.update.status.reason, 'REASON_INVALID_OFFERS');
      } finally {
        sub.close();
      }
    }));

  it('over-committed resources and duplicate task ids end TASK_ERROR with REASON_TASK_INVALID', async (t) =>
    withClusterLogs(cluster, t, async () => {
      const { sub, frameworkId } = await subscribed(cluster);
      try {
        const nextOffer = async (after: number) => {
          const event = await sub.next((e) => e.type === 'OFFERS' && sub.events.indexOf(e) >= after, 15_000);
          return event.offers.offers[0];
        };
        const launch = (offer: any, task: unknown) => ({
          type: 'ACCEPT',
          framework_id: { value: frameworkId },
          accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [task] } }], filters: { refuse_seconds: 0 } },
        });
        let offer = await nextOffer(0);
        const agentId = offer.agent_id.value;
        let mark = sub.events.length;
        await call(cluster.masterUrl, launch(offer, commandTask('too-big', agentId, { cpus: 64, mem: 32 })), sub.streamId);
        const tooBig = await sub.next((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'too-big');
        assert.equal(tooBig.update.status.state, 'TASK_ERROR');
        assert.equal(tooBig.update.status.reason, 'REASON_TASK_INVALID');
        assert.match(tooBig.update.status.message, /more than available/);

        offer = await nextOffer(mark);
        mark = sub.events.length;
        await call(cluster.masterUrl, launch(offer, commandTask('dup', agentId, { cpus: 0.1, mem: 32 })), sub.streamId);
        offer = await nextOffer(mark);
        await call(cluster.masterUrl, launch(offer, commandTask('dup', agentId, { cpus: 0.1, mem: 32 })), sub.streamId);
        const dup = await sub.next((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'dup' && e.update.status.state === 'TASK_ERROR');
        assert.equal(dup.update.status.reason, 'REASON_TASK_INVALID');
        assert.match(dup.update.status.message, /duplicate ID/);
        await call(cluster.masterUrl, { type: 'TEARDOWN', framework_id: { value: frameworkId } }, sub.streamId);
      } finally {
        sub.close();
      }
    }));

  it('kill of an unknown task and explicit reconciliation of an unknown task are answered', async (t) =>
    withClusterLogs(cluster, t, async () => {
      const { sub, frameworkId } = await subscribed(cluster, PARTITION_AWARE);
      try {
        const kill = { type: 'KILL', framework_id: { value: frameworkId }, kill: { task_id: { value: 'never-launched' } } };
        assert.equal((await call(cluster.masterUrl, kill, sub.streamId)).status, 202);
        const killed = await sub.next((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'never-launched');
        assert.equal(killed.update.status.state, 'TASK_UNKNOWN');
        assert.equal(killed.update.status.reason, 'REASON_RECONCILIATION');

        const state = await getJson<{ slaves: { id: string }[] }>(`${cluster.masterUrl}/state`);
        const agentId = state.slaves[0]!.id;
        const reconcile = {
          type: 'RECONCILE',
          framework_id: { value: frameworkId },
          reconcile: { tasks: [{ task_id: { value: 'unknown-task' }, agent_id: { value: agentId } }] },
        };
        assert.equal((await call(cluster.masterUrl, reconcile, sub.streamId)).status, 202);
        const gone = await sub.next((e) => e.type === 'UPDATE' && e.update.status.task_id.value === 'unknown-task');
        assert.equal(gone.update.status.state, 'TASK_GONE');
        assert.match(gone.update.status.message, /^Reconciliation/);
      } finally {
        sub.close();
      }
    }));

  it('decline with refuse_seconds keeps the agent from the framework for that long', async (t) =>
    withClusterLogs(cluster, t, async () => {
      const { sub, frameworkId } = await subscribed(cluster);
      try {
        const first = await sub.next((e) => e.type === 'OFFERS');
        const declinedAt = Date.now();
        const decline = {
          type: 'DECLINE',
          framework_id: { value: frameworkId },
          decline: { offer_ids: [first.offers.offers[0].id], filters: { refuse_seconds: 4 } },
        };
        assert.equal((await call(cluster.masterUrl, decline, sub.streamId)).status, 202);
        const mark = sub.events.length;
        const again = await sub.next((e) => e.type === 'OFFERS' && sub.events.indexOf(e) >= mark, 15_000);
        const waited = Date.now() - declinedAt;
        assert.ok(waited >= 3_900, `re-offered after ${waited} ms, before refuse_seconds (4 s)`);
        assert.equal(again.offers.offers[0].agent_id.value, first.offers.offers[0].agent_id.value);
      } finally {
        sub.close();
      }
    }));

  it('suppress stops offers until revive', async (t) =>
    withClusterLogs(cluster, t, async () => {
      const { sub, frameworkId } = await subscribed(cluster);
      try {
        const first = await sub.next((e) => e.type === 'OFFERS');
        const suppress = { type: 'SUPPRESS', framework_id: { value: frameworkId }, suppress: {} };
        assert.equal((await call(cluster.masterUrl, suppress, sub.streamId)).status, 202);
        const decline = {
          type: 'DECLINE',
          framework_id: { value: frameworkId },
          decline: { offer_ids: [first.offers.offers[0].id], filters: { refuse_seconds: 0 } },
        };
        await call(cluster.masterUrl, decline, sub.streamId);
        const mark = sub.events.length;
        await new Promise((r) => setTimeout(r, 3_000));
        assert.equal(sub.events.slice(mark).filter((e) => e.type === 'OFFERS').length, 0, 'no offers while suppressed');
        const revive = { type: 'REVIVE', framework_id: { value: frameworkId }, revive: {} };
        assert.equal((await call(cluster.masterUrl, revive, sub.streamId)).status, 202);
        await sub.next((e) => e.type === 'OFFERS' && sub.events.indexOf(e) >= mark, 5_000);
      } finally {
        sub.close();
      }
    }));
});
