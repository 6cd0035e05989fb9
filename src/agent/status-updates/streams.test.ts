import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { create } from '@bufbuild/protobuf';

import { ManualClock } from '../../lib/clock.js';
import { randomUuidBytes } from '../../lib/uuid.js';
import { TaskState } from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { type StatusUpdate, StatusUpdateSchema } from '../../protocol/gen/mesoscale/internal/agent_link_pb.js';
import { StatusUpdateStreams } from './streams.js';

function update(taskId: string, state: TaskState, frameworkId = 'F1'): StatusUpdate {
  return create(StatusUpdateSchema, {
    frameworkId: { value: frameworkId },
    status: { taskId: { value: taskId }, state, uuid: randomUuidBytes() },
  });
}

function running(clock = new ManualClock()): { clock: ManualClock; streams: StatusUpdateStreams } {
  const streams = new StatusUpdateStreams(clock);
  streams.resume();
  return { clock, streams };
}

describe('StatusUpdateStreams', () => {
  it('forwards only the oldest unacknowledged update of a task, the next after its ack', () => {
    const { streams } = running();
    const starting = update('t1', TaskState.TASK_STARTING);
    const runningUpdate = update('t1', TaskState.TASK_RUNNING);
    const first = streams.update(starting);
    assert.equal(first.kind, 'accepted');
    assert.equal(first.kind === 'accepted' && first.forward?.update.status?.state, TaskState.TASK_STARTING);
    const second = streams.update(runningUpdate);
    assert.deepEqual(second, { kind: 'accepted', forward: undefined });

    const ack = streams.acknowledge('F1', 't1', starting.status!.uuid);
    assert.equal(ack.kind, 'acknowledged');
    assert.equal(ack.kind === 'acknowledged' && ack.forward?.update.status?.state, TaskState.TASK_RUNNING);
  });

  it('tells the master the latest state while older updates wait', () => {
    const { streams } = running();
    const starting = update('t1', TaskState.TASK_STARTING);
    const first = streams.update(starting);
    streams.update(update('t1', TaskState.TASK_FINISHED));
    // The first send happened before FINISHED arrived; a retry carries the news.
    assert.equal(first.kind === 'accepted' && first.forward?.update.latestState, TaskState.TASK_STARTING);
    const resent = streams.resume();
    assert.equal(resent[0]!.update.status?.state, TaskState.TASK_STARTING);
    assert.equal(resent[0]!.update.latestState, TaskState.TASK_FINISHED);
  });

  it('ignores duplicate updates and duplicate or stale acks', () => {
    const { streams } = running();
    const u = update('t1', TaskState.TASK_RUNNING);
    streams.update(u);
    assert.deepEqual(streams.update(u), { kind: 'duplicate' });
    assert.equal(streams.acknowledge('F1', 't1', randomUuidBytes()).kind, 'unexpected');
    assert.equal(streams.acknowledge('F1', 't1', u.status!.uuid).kind, 'acknowledged');
    assert.deepEqual(streams.acknowledge('F1', 't1', u.status!.uuid), { kind: 'duplicate' });
    assert.deepEqual(streams.update(u), { kind: 'duplicate' }, 'an update whose ack was seen is a duplicate');
    assert.deepEqual(streams.acknowledge('F9', 't1', u.status!.uuid), { kind: 'unknown-stream' });
  });

  it('retries after 10s, doubling, capped at 10 minutes', () => {
    const { clock, streams } = running();
    streams.update(update('t1', TaskState.TASK_RUNNING));
    const start = clock.now();
    const retriesAt: number[] = [];
    for (let i = 0; i < 9; i++) {
      const at = streams.nextRetryAt()!;
      clock.advance(at - clock.now() - 1);
      assert.deepEqual(streams.dueRetries(), [], 'nothing is due a millisecond early');
      clock.advance(1);
      const due = streams.dueRetries();
      assert.equal(due.length, 1);
      assert.equal(due[0]!.attempt, i + 1);
      retriesAt.push((clock.now() - start) / 1000);
    }
    // 10, +20, +40, +80, +160, +320, +600 (cap), +600, +600
    assert.deepEqual(retriesAt, [10, 30, 70, 150, 310, 630, 1230, 1830, 2430]);
  });

  it('closes the stream once the terminal update is acknowledged and refuses updates after a terminal one', () => {
    const { streams } = running();
    const done = update('t1', TaskState.TASK_FINISHED);
    streams.update(done);
    const late = streams.update(update('t1', TaskState.TASK_RUNNING));
    assert.equal(late.kind, 'rejected');
    const ack = streams.acknowledge('F1', 't1', done.status!.uuid);
    assert.equal(ack.kind === 'acknowledged' && ack.terminal, true);
    assert.equal(streams.hasPending('F1', 't1'), false);
    assert.equal(streams.nextRetryAt(), undefined);
  });

  it('holds updates while paused and sends every head on resume', () => {
    const clock = new ManualClock();
    const streams = new StatusUpdateStreams(clock);
    const a = streams.update(update('a', TaskState.TASK_RUNNING));
    const b = streams.update(update('b', TaskState.TASK_RUNNING, 'F2'));
    assert.equal(a.kind === 'accepted' && a.forward, undefined);
    assert.equal(b.kind === 'accepted' && b.forward, undefined);
    clock.advance(3_600_000);
    assert.deepEqual(streams.dueRetries(), []);
    const sent = streams.resume();
    assert.deepEqual(sent.map((f) => f.taskId), ['a', 'b']);
    assert.equal(streams.nextRetryAt(), clock.now() + 10_000);
    streams.pause();
    assert.equal(streams.nextRetryAt(), undefined);
  });

  it('forgets a framework on cleanup', () => {
    const { streams } = running();
    streams.update(update('t1', TaskState.TASK_RUNNING));
    streams.cleanupFramework('F1');
    assert.equal(streams.hasPending('F1', 't1'), false);
  });
});
