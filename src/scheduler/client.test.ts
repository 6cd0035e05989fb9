/**
 * SchedulerClient against a stand-in master (node:http in this process). The
 * stand-in is for protocol edge cases the real master cannot be made to
 * produce on demand (a stream cut mid-record, a silent master, redirects,
 * scripted error answers); the client against the real master is covered by
 * test/compat and the execute command's tests.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { create } from '@bufbuild/protobuf';

import { TaskState, TaskStatusSchema } from '../protocol/gen/mesos/v1/mesos_pb.js';
import { Call_Type, Event_Type, type Event } from '../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';
import { reviveCall } from './calls.js';
import { SchedulerClient, type SchedulerClientOptions } from './client.js';
import { ConnectionState } from './connection-state.js';
import { NotSubscribedError, SchedulerCallError, SchedulerClosedError } from './errors.js';
import { StandInMaster } from './testing/stand-in-master.js';

const FAST_BACKOFF = { initialMs: 10, maxMs: 50, jitter: 0 };

let master: StandInMaster;
const clients: SchedulerClient[] = [];

function connect(overrides: Partial<SchedulerClientOptions> = {}): SchedulerClient {
  const client = new SchedulerClient({
    master: master.address,
    frameworkInfo: { user: 'tester', name: 'client-test' },
    backoff: FAST_BACKOFF,
    ...overrides,
  });
  clients.push(client);
  return client;
}

/** The next event of a type, skipping others. */
async function nextOfType(events: AsyncIterator<Event>, type: Event_Type): Promise<Event> {
  for (;;) {
    const next = await events.next();
    assert.ok(next.done !== true, `stream ended while waiting for ${Event_Type[type]}`);
    if (next.value.type === type) return next.value;
  }
}

async function waitForState(client: SchedulerClient, state: ConnectionState, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (client.state !== state) {
    if (Date.now() > deadline) throw new Error(`client stayed ${client.state}, expected ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

beforeEach(async () => {
  master = await StandInMaster.start();
});

afterEach(async () => {
  for (const client of clients.splice(0)) {
    client.close();
    await client.done;
  }
  await master.stop();
});

describe('SchedulerClient subscription', () => {
  for (const codec of ['json', 'protobuf'] as const) {
    it(`subscribes with ${codec} and sends calls with framework_id and Mesos-Stream-Id`, async () => {
      const client = connect({ codec });
      const events = client.events();
      const subscribed = await nextOfType(events, Event_Type.SUBSCRIBED);
      assert.equal(subscribed.subscribed?.frameworkId?.value, 'framework-1');
      assert.equal(client.state, ConnectionState.subscribed);
      assert.equal(client.frameworkId, 'framework-1');

      const subscribe = master.callsOfType(Call_Type.SUBSCRIBE)[0]!;
      const mediaType = codec === 'json' ? 'application/json' : 'application/x-protobuf';
      assert.equal(subscribe.headers['content-type'], mediaType);
      assert.equal(subscribe.headers.accept, mediaType);
      assert.equal(subscribe.headers['mesos-stream-id'], undefined, 'SUBSCRIBE must not carry a stream id');
      assert.equal(subscribe.call.subscribe?.frameworkInfo?.name, 'client-test');

      await client.revive();
      const revive = master.callsOfType(Call_Type.REVIVE)[0]!;
      assert.equal(revive.headers['mesos-stream-id'], 'stream-1');
      assert.equal(revive.call.frameworkId?.value, 'framework-1');
    });
  }

  it('refuses calls before SUBSCRIBED with a retryable NotSubscribedError', async () => {
    master.onSubscribe = () => {}; // Stream opens, SUBSCRIBED never comes.
    const client = connect();
    await assert.rejects(client.revive(), (err: unknown) => err instanceof NotSubscribedError && err.retryable);
  });

  it('re-subscribes with the framework id after the stream is cut inside a record', async () => {
    const states: ConnectionState[] = [];
    const client = connect({ frameworkInfo: { user: 'tester', name: 'x', failoverTimeout: 60 } });
    client.onStateChange((state) => states.push(state));
    const events = client.events();
    await nextOfType(events, Event_Type.SUBSCRIBED);

    const first = master.streams[0]!;
    first.writeRaw('120\n{"type":"HEART'); // Half a record, then the connection dies.
    first.cut();

    const again = await nextOfType(events, Event_Type.SUBSCRIBED);
    assert.equal(again.subscribed?.frameworkId?.value, 'framework-1');
    const resubscribe = master.callsOfType(Call_Type.SUBSCRIBE)[1]!;
    assert.equal(resubscribe.call.frameworkId?.value, 'framework-1');
    assert.equal(resubscribe.call.subscribe?.frameworkInfo?.id?.value, 'framework-1');
    assert.equal(client.subscription?.streamId, 'stream-2');
    assert.equal(client.subscription?.generation, 2);
    assert.deepEqual(states, [
      ConnectionState.subscribing,
      ConnectionState.subscribed,
      ConnectionState.disconnected,
      ConnectionState.subscribing,
      ConnectionState.subscribed,
    ]);

    await client.suppress();
    assert.equal(master.callsOfType(Call_Type.SUPPRESS)[0]!.headers['mesos-stream-id'], 'stream-2');
  });

  it('re-subscribes when the master goes silent for 5 heartbeat intervals', async () => {
    master.onSubscribe = (stream) => stream.sendSubscribed('fw-silent', 0.02); // 20 ms heartbeats, never sent.
    const client = connect();
    const events = client.events();
    await nextOfType(events, Event_Type.SUBSCRIBED);
    const startedAt = Date.now();
    await nextOfType(events, Event_Type.SUBSCRIBED);
    assert.ok(Date.now() - startedAt >= 90, 'not before 5 intervals of 20 ms');
    assert.equal(master.streams.length, 2);
    assert.ok(master.streams[0]!.closed, 'the silent stream was dropped');
  });

  it('backs off and retries while the master answers 503', async () => {
    let refusals = 2;
    master.acceptSubscribe = (_req, res) => {
      if (refusals-- <= 0) return true;
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end('No leader elected');
      return false;
    };
    const client = connect();
    await nextOfType(client.events(), Event_Type.SUBSCRIBED);
    assert.equal(master.callsOfType(Call_Type.SUBSCRIBE).length, 3);
    assert.equal(client.subscription?.generation, 3);
  });

  it('follows a protocol-relative 307 to the leader, for the stream and for calls', async () => {
    const leader = await StandInMaster.start();
    try {
      master.acceptSubscribe = (_req, res) => {
        res.writeHead(307, { Location: `//${leader.address}/api/v1/scheduler` }).end();
        return false;
      };
      const client = connect();
      await nextOfType(client.events(), Event_Type.SUBSCRIBED);
      assert.equal(client.masterUrl, `http://${leader.address}`);
      await client.reconcile();
      assert.equal(leader.callsOfType(Call_Type.RECONCILE).length, 1);
      assert.equal(master.callsOfType(Call_Type.RECONCILE).length, 0);
      client.close();
      await client.done;
    } finally {
      await leader.stop();
    }
  });

  it('gives up on a SUBSCRIBE the master refuses with 4xx and throws it from events()', async () => {
    master.acceptSubscribe = (_req, res) => {
      res.writeHead(400, { 'Content-Type': 'text/plain' }).end("Failed to validate scheduler::Call: Expecting 'user' to be present");
      return false;
    };
    const client = connect();
    await assert.rejects(
      client.events().next(),
      (err: unknown) =>
        err instanceof SchedulerCallError &&
        err.status === 400 &&
        err.callType === 'SUBSCRIBE' &&
        err.mesosMessage === "Failed to validate scheduler::Call: Expecting 'user' to be present",
    );
    assert.equal(client.state, ConnectionState.closed);
    assert.equal(master.callsOfType(Call_Type.SUBSCRIBE).length, 1);
  });

  it('delivers an ERROR event, then closes and throws instead of reconnecting', async () => {
    master.onSubscribe = (stream) => {
      stream.sendSubscribed('fw-1');
      stream.send({ type: Event_Type.ERROR, error: { message: 'Framework has been removed' } });
    };
    const client = connect();
    const events = client.events();
    await nextOfType(events, Event_Type.SUBSCRIBED);
    const error = await nextOfType(events, Event_Type.ERROR);
    assert.equal(error.error?.message, 'Framework has been removed');
    await assert.rejects(events.next(), (err: unknown) => err instanceof SchedulerClosedError && /Framework has been removed/.test(err.message));
    assert.equal(client.state, ConnectionState.closed);
    assert.equal(master.callsOfType(Call_Type.SUBSCRIBE).length, 1);
  });
});

describe('SchedulerClient calls', () => {
  it('turns a 4xx answer into SchedulerCallError with the master message', async () => {
    master.onCall = (_recorded, res) => {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Failed to validate scheduler::Call: Not a valid UUID');
    };
    const client = connect({ codec: 'json' });
    await nextOfType(client.events(), Event_Type.SUBSCRIBED);
    await assert.rejects(client.kill('t1'), (err: unknown) => {
      assert.ok(err instanceof SchedulerCallError);
      assert.equal(err.status, 400);
      assert.equal(err.callType, 'KILL');
      assert.equal(err.mesosMessage, 'Failed to validate scheduler::Call: Not a valid UUID');
      assert.equal(err.retryable, false);
      return true;
    });
    assert.equal(client.state, ConnectionState.subscribed, 'a bad call does not cost the subscription');
  });

  it('re-subscribes at once when a call is answered 403 (the master lost our stream)', async () => {
    master.onCall = (_recorded, res) => {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('Framework is not subscribed');
    };
    const client = connect({ frameworkInfo: { user: 'u', name: 'n', failoverTimeout: 10 } });
    const events = client.events();
    await nextOfType(events, Event_Type.SUBSCRIBED);
    await assert.rejects(client.revive(), (err: unknown) => err instanceof SchedulerCallError && err.indicatesSubscriptionLoss);
    await nextOfType(events, Event_Type.SUBSCRIBED);
    assert.equal(client.subscription?.streamId, 'stream-2');
  });

  it('acknowledges only updates that carry a uuid', async () => {
    const client = connect();
    await nextOfType(client.events(), Event_Type.SUBSCRIBED);
    const uuid = new Uint8Array(16).fill(7);
    const base = { taskId: { value: 't1' }, agentId: { value: 'S1' }, state: TaskState.TASK_RUNNING };
    assert.equal(await client.acknowledge(create(TaskStatusSchema, base)), false);
    assert.equal(await client.acknowledge(create(TaskStatusSchema, { ...base, uuid })), true);
    const acks = master.callsOfType(Call_Type.ACKNOWLEDGE);
    assert.equal(acks.length, 1);
    assert.deepEqual(Uint8Array.from(acks[0]!.call.acknowledge?.uuid ?? []), uuid);
  });

  it('teardown() sends TEARDOWN and ends events() normally', async () => {
    const client = connect();
    const events = client.events();
    await nextOfType(events, Event_Type.SUBSCRIBED);
    await client.teardown();
    assert.equal(master.callsOfType(Call_Type.TEARDOWN).length, 1);
    for (;;) if ((await events.next()).done === true) break;
    assert.equal(client.state, ConnectionState.closed);
    assert.equal(client.closeReason, undefined);
    await assert.rejects(client.revive(), SchedulerClosedError);
  });

  it('teardown() survives the master closing the stream before it answers 202', async () => {
    master.onCall = (recorded, res) => {
      if (recorded.call.type === Call_Type.TEARDOWN) master.streams.at(-1)!.end();
      setTimeout(() => res.writeHead(202).end(), 30);
    };
    const client = connect();
    const events = client.events();
    await nextOfType(events, Event_Type.SUBSCRIBED);
    await client.teardown();
    for (;;) if ((await events.next()).done === true) break;
    assert.equal(client.closeReason, undefined);
    assert.equal(master.callsOfType(Call_Type.SUBSCRIBE).length, 1, 'no re-subscription after TEARDOWN');
  });
});

describe('SchedulerClient cancellation', () => {
  it('closes on its AbortSignal: events() finishes and no reconnect follows', async () => {
    const abort = new AbortController();
    const client = connect({ signal: abort.signal });
    const events = client.events();
    await nextOfType(events, Event_Type.SUBSCRIBED);
    abort.abort();
    for (;;) if ((await events.next()).done === true) break;
    await client.done;
    assert.equal(client.state, ConnectionState.closed);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(master.callsOfType(Call_Type.SUBSCRIBE).length, 1);
  });

  it('aborts a call in flight with the call signal', async () => {
    master.onCall = () => {}; // Never answers.
    const client = connect();
    await nextOfType(client.events(), Event_Type.SUBSCRIBED);
    const abort = new AbortController();
    const call = client.send(reviveCall(), { signal: abort.signal });
    setTimeout(() => abort.abort(new Error('user gave up')), 20);
    await assert.rejects(call, /user gave up/);
  });

  it('stops reading when the consumer leaves the loop', async () => {
    const client = connect();
    for await (const event of client.events()) {
      if (event.type === Event_Type.SUBSCRIBED) break;
    }
    await client.done;
    assert.equal(client.state, ConnectionState.closed);
    await master.waitFor(() => master.streams[0]!.closed, 'the stream to close');
  });
});
