import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, toBinary } from '@bufbuild/protobuf';
import { FrameworkInfoSchema, TaskStatusSchema, TaskState, CommandInfoSchema, TimeInfoSchema } from '../gen/mesos/v1/mesos_pb.js';
import { CallSchema, Call_Type } from '../gen/mesos/v1/scheduler/scheduler_pb.js';
import { fromMesosJson, toMesosJson, DecodeError } from './json.js';
import { decodeMessage, encodeMessage, MediaType, requestMediaType, responseMediaType } from './media.js';

test('writes proto field names, enum names and explicit defaults like stout', () => {
  const info = create(FrameworkInfoSchema, { user: 'root', name: 'fw' });
  assert.deepEqual(toMesosJson(FrameworkInfoSchema, info), {
    user: 'root',
    name: 'fw',
    failover_timeout: 0,
    checkpoint: false,
  });
  const cmd = create(CommandInfoSchema, { value: 'true', uris: [{ value: '/x' }] });
  assert.deepEqual(toMesosJson(CommandInfoSchema, cmd), { uris: [{ value: '/x', extract: true }], shell: true, value: 'true' });
});

test('writes int64 as a number and bytes as base64', () => {
  assert.deepEqual(toMesosJson(TimeInfoSchema, create(TimeInfoSchema, { nanoseconds: 1500n })), { nanoseconds: 1500 });
  const status = create(TaskStatusSchema, { taskId: { value: 't' }, state: TaskState.TASK_RUNNING, uuid: new Uint8Array(16).fill(255) });
  const json = toMesosJson(TaskStatusSchema, status);
  assert.equal(json.state, 'TASK_RUNNING');
  assert.equal(json.uuid, '/////////////////////w==');
});

test('reads snake_case keys, numeric strings, bool strings and lone values for repeated fields', () => {
  const call = fromMesosJson(CallSchema, {
    type: 'SUBSCRIBE',
    subscribe: { framework_info: { user: 'u', name: 'n', failover_timeout: '5', checkpoint: 'true', roles: 'web' } },
    unknown_key: 1,
  });
  assert.equal(call.type, Call_Type.SUBSCRIBE);
  assert.equal(call.subscribe?.frameworkInfo?.failoverTimeout, 5);
  assert.equal(call.subscribe?.frameworkInfo?.checkpoint, true);
  assert.deepEqual(call.subscribe?.frameworkInfo?.roles, ['web']);
});

test('an unknown enum name leaves the optional field unset; numeric enums are rejected', () => {
  const call = fromMesosJson(CallSchema, { type: 'NOT_A_TYPE' });
  assert.equal(call.type, Call_Type.UNKNOWN);
  assert.throws(() => fromMesosJson(CallSchema, { type: 1 }), DecodeError);
});

test('missing required fields are listed', () => {
  assert.throws(
    () => fromMesosJson(CallSchema, { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u' } } }),
    (err: unknown) => err instanceof DecodeError && /Missing required fields: subscribe.framework_info.name/.test(err.message),
  );
});

test('round trips through both codecs', () => {
  const call = create(CallSchema, {
    type: Call_Type.ACKNOWLEDGE,
    frameworkId: { value: 'f' },
    acknowledge: { agentId: { value: 'a' }, taskId: { value: 't' }, uuid: new Uint8Array([1, 2, 3]) },
  });
  for (const media of [MediaType.JSON, MediaType.PROTOBUF] as const) {
    const back = decodeMessage(CallSchema, media, encodeMessage(CallSchema, call, media));
    assert.deepEqual(toBinary(CallSchema, back), toBinary(CallSchema, call));
  }
});

test('truncated protobuf and invalid JSON are decode errors', () => {
  const bytes = toBinary(CallSchema, create(CallSchema, { type: Call_Type.SUBSCRIBE, subscribe: { frameworkInfo: { user: 'u', name: 'n' } } }));
  assert.throws(() => decodeMessage(CallSchema, MediaType.PROTOBUF, bytes.subarray(0, bytes.length - 3)), DecodeError);
  assert.throws(() => decodeMessage(CallSchema, MediaType.JSON, Buffer.from('{"type":')), DecodeError);
  assert.throws(() => decodeMessage(CallSchema, MediaType.JSON, Buffer.from('[1]')), DecodeError);
});

test('content negotiation', () => {
  assert.equal(requestMediaType('application/json'), MediaType.JSON);
  assert.equal(requestMediaType('application/x-protobuf'), MediaType.PROTOBUF);
  assert.throws(() => requestMediaType(undefined), (e: any) => e.httpStatus === 400);
  assert.throws(() => requestMediaType('text/plain'), (e: any) => e.httpStatus === 415);
  assert.equal(responseMediaType(undefined), MediaType.JSON);
  assert.equal(responseMediaType('application/x-protobuf'), MediaType.PROTOBUF);
  assert.equal(responseMediaType('*/*'), MediaType.JSON);
  assert.throws(() => responseMediaType('text/html'), (e: any) => e.httpStatus === 406);
});
