import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { create, fromBinary, toBinary } from '@bufbuild/protobuf';

import { toMesosJson } from '../protocol/codec/json.js';
import { TaskState, TaskStatusSchema } from '../protocol/gen/mesos/v1/mesos_pb.js';
import { CallSchema, Call_Type } from '../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';
import { acknowledgeCall, declineCall, killCall, launchCall, reconcileCall, reviveCall, suppressCall, teardownCall } from './calls.js';

const UUID = new Uint8Array([0x9f, 0x2a, 0xd0, 0xa5, 0x7c, 0x40, 0x4f, 0x9f, 0xa2, 0xd4, 0x0b, 0x6b, 0x7c, 0x3a, 0x1e, 0x55]);

describe('scheduler call builders', () => {
  it('launchCall builds ACCEPT with one LAUNCH, in Mesos JSON', () => {
    const call = launchCall([{ value: 'O-1' }], [
      {
        name: 't',
        taskId: { value: 't1' },
        agentId: { value: 'S-1' },
        command: { value: 'echo hi' },
        resources: [{ name: 'cpus', type: 0, scalar: { value: 0.1 } }],
      },
    ]);
    const json = toMesosJson(CallSchema, call) as Record<string, any>;
    assert.equal(json.type, 'ACCEPT');
    assert.deepEqual(json.accept.offer_ids, [{ value: 'O-1' }]);
    assert.equal(json.accept.operations[0].type, 'LAUNCH');
    assert.equal(json.accept.operations[0].launch.task_infos[0].command.value, 'echo hi');
    assert.equal(json.accept.filters, undefined, 'no filters unless asked: the master applies its 5 s default');
  });

  it('declineCall keeps refuse_seconds = 0 on the wire (0 means "no filter", not "default")', () => {
    const call = declineCall(['O-1', { value: 'O-2' }], { refuseSeconds: 0 });
    const back = fromBinary(CallSchema, toBinary(CallSchema, call));
    assert.equal(back.decline?.offerIds.length, 2);
    assert.ok(back.decline?.filters !== undefined);
    assert.equal((toMesosJson(CallSchema, call) as any).decline.filters.refuse_seconds, 0);
  });

  it('acknowledgeCall uses the status uuid and refuses updates without one', () => {
    const reliable = create(TaskStatusSchema, {
      taskId: { value: 't1' },
      agentId: { value: 'S-1' },
      state: TaskState.TASK_RUNNING,
      uuid: UUID,
    });
    const call = acknowledgeCall(reliable);
    assert.equal(call?.type, Call_Type.ACKNOWLEDGE);
    assert.deepEqual(call?.acknowledge?.uuid, UUID);
    assert.equal((toMesosJson(CallSchema, call!) as any).acknowledge.uuid, Buffer.from(UUID).toString('base64'));

    const fromMaster = create(TaskStatusSchema, { taskId: { value: 't1' }, agentId: { value: 'S-1' }, state: TaskState.TASK_LOST });
    assert.equal(acknowledgeCall(fromMaster), undefined);
  });

  it('builds the other common calls', () => {
    assert.equal(reviveCall(['a']).revive?.roles[0], 'a');
    assert.deepEqual(suppressCall().suppress?.roles, []);
    assert.equal(killCall('t1', 'S-1').kill?.agentId?.value, 'S-1');
    assert.equal(killCall('t1').kill?.agentId, undefined);
    assert.deepEqual(reconcileCall().reconcile?.tasks, []);
    assert.equal(reconcileCall([{ taskId: 't1' }]).reconcile?.tasks[0]?.taskId?.value, 't1');
    assert.equal(teardownCall().type, Call_Type.TEARDOWN);
  });
});
