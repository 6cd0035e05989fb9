import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { create } from '@bufbuild/protobuf';

import { toMesosJson } from '../../protocol/codec/json.js';
import {
  CheckInfoSchema,
  CheckInfo_Type,
  CheckStatusInfoSchema,
  TaskState,
  TaskStatusSchema,
  TaskStatus_Reason,
  TaskStatus_Source,
} from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { checkStatusInfo, checkStatusUpdate, emptyCheckStatus, healthStatusUpdate } from './task-status.js';

const running = create(TaskStatusSchema, {
  taskId: { value: 't1' },
  state: TaskState.TASK_RUNNING,
  source: TaskStatus_Source.EXECUTOR,
  uuid: new Uint8Array(16).fill(1),
  timestamp: 100,
  executorId: { value: 'e1' },
  checkStatus: { type: CheckInfo_Type.COMMAND, command: {} },
});
const fresh = { uuid: new Uint8Array(16).fill(2), timestamp: 200 };

describe('status updates of checks', () => {
  it('a health update is the last status with healthy, the health reason, a new uuid and timestamp', () => {
    const status = healthStatusUpdate(running, false, fresh);
    const json = toMesosJson(TaskStatusSchema, status);
    assert.equal(json.state, 'TASK_RUNNING');
    assert.equal(json.healthy, false, 'healthy=false is written out, not dropped as a default');
    assert.equal(json.reason, 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED');
    assert.equal(status.timestamp, 200);
    assert.deepEqual(status.uuid, fresh.uuid);
    assert.deepEqual(json.check_status, { type: 'COMMAND', command: {} }, 'the check status it had is kept');
    assert.equal(running.timestamp, 100, 'the last status is not modified');
  });

  it('a check update is the last status with the new check_status and the check reason, keeping healthy', () => {
    const healthy = healthStatusUpdate(running, true, fresh);
    const status = checkStatusUpdate(healthy, checkStatusInfo({ kind: 'command', exitCode: 3 }), { uuid: new Uint8Array(16).fill(3), timestamp: 300 });
    const json = toMesosJson(TaskStatusSchema, status);
    assert.equal(json.reason, 'REASON_TASK_CHECK_STATUS_UPDATED');
    assert.deepEqual(json.check_status, { type: 'COMMAND', command: { exit_code: 3 } });
    assert.equal(json.healthy, true);
    assert.equal(status.reason, TaskStatus_Reason.TASK_CHECK_STATUS_UPDATED);
  });

  it('check results become CheckStatusInfo; no answer leaves the value unset', () => {
    const json = (outcome: Parameters<typeof checkStatusInfo>[0]) => toMesosJson(CheckStatusInfoSchema, checkStatusInfo(outcome));
    assert.deepEqual(json({ kind: 'command', exitCode: 0 }), { type: 'COMMAND', command: { exit_code: 0 } });
    assert.deepEqual(json({ kind: 'http', statusCode: 204 }), { type: 'HTTP', http: { status_code: 204 } });
    assert.deepEqual(json({ kind: 'http', statusCode: undefined }), { type: 'HTTP', http: {} });
    assert.deepEqual(json({ kind: 'tcp', succeeded: false }), { type: 'TCP', tcp: { succeeded: false } });
  });

  it('an empty check status has the type of the check', () => {
    const empty = (type: CheckInfo_Type) => {
      const status = emptyCheckStatus(create(CheckInfoSchema, { type }));
      return status === undefined ? undefined : toMesosJson(CheckStatusInfoSchema, status);
    };
    assert.deepEqual(empty(CheckInfo_Type.TCP), { type: 'TCP', tcp: {} });
    assert.deepEqual(empty(CheckInfo_Type.HTTP), { type: 'HTTP', http: {} });
    assert.equal(empty(CheckInfo_Type.UNKNOWN), undefined);
  });
});
