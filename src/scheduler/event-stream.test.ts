import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { create } from '@bufbuild/protobuf';

import { encodeMessage, MediaType, type MessageMediaType } from '../protocol/codec/media.js';
import { encodeRecords } from '../protocol/codec/recordio.js';
import { EventSchema, Event_Type, type Event } from '../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';
import { SchedulerProtocolError } from './errors.js';
import { decodeEventStream } from './event-stream.js';

const events = [
  create(EventSchema, { type: Event_Type.SUBSCRIBED, subscribed: { frameworkId: { value: 'fw-1' }, heartbeatIntervalSeconds: 15 } }),
  create(EventSchema, { type: Event_Type.HEARTBEAT }),
  create(EventSchema, { type: Event_Type.ERROR, error: { message: 'Framework failed over (ünïcode)' } }),
];

function streamOf(bytes: Uint8Array, chunkSizes: () => number): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (let at = 0; at < bytes.length; ) {
      const size = Math.max(1, chunkSizes());
      yield bytes.subarray(at, at + size);
      at += size;
    }
  })();
}

async function collect(source: AsyncIterable<Event>): Promise<Event[]> {
  const out: Event[] = [];
  for await (const event of source) out.push(event);
  return out;
}

function framed(codec: MessageMediaType): Uint8Array {
  return encodeRecords(events.map((e) => encodeMessage(EventSchema, e, codec)));
}

describe('decodeEventStream', () => {
  for (const codec of [MediaType.JSON, MediaType.PROTOBUF] as const) {
    it(`decodes ${codec} events fed one byte at a time`, async () => {
      const decoded = await collect(decodeEventStream(streamOf(framed(codec), () => 1), codec));
      assert.deepEqual(decoded.map((e) => e.type), [Event_Type.SUBSCRIBED, Event_Type.HEARTBEAT, Event_Type.ERROR]);
      assert.equal(decoded[0]!.subscribed?.frameworkId?.value, 'fw-1');
      assert.equal(decoded[2]!.error?.message, 'Framework failed over (ünïcode)');
    });

    it(`decodes ${codec} events in random chunks`, async () => {
      let seed = 7;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 40) + 1;
      for (let round = 0; round < 20; round++) {
        const decoded = await collect(decodeEventStream(streamOf(framed(codec), random), codec));
        assert.equal(decoded.length, 3);
      }
    });
  }

  it('skips empty records, which Mesos never sends but a tolerant reader accepts', async () => {
    const bytes = Buffer.concat([Buffer.from('0\n'), Buffer.from(framed(MediaType.JSON))]);
    const decoded = await collect(decodeEventStream(streamOf(bytes, () => 5), MediaType.JSON));
    assert.equal(decoded.length, 3);
  });

  it('yields the complete events and then a retryable protocol error when the stream is cut inside a record', async () => {
    const bytes = framed(MediaType.PROTOBUF);
    const cut = bytes.subarray(0, bytes.length - 3);
    const seen: Event[] = [];
    await assert.rejects(
      async () => {
        for await (const event of decodeEventStream(streamOf(cut, () => 4), MediaType.PROTOBUF)) seen.push(event);
      },
      (err: unknown) => err instanceof SchedulerProtocolError && err.retryable && /ended inside a record/.test(err.message),
    );
    assert.equal(seen.length, 2);
  });

  it('rejects a bad length line', async () => {
    await assert.rejects(
      collect(decodeEventStream(streamOf(Buffer.from('12x\n{}'), () => 100), MediaType.JSON)),
      (err: unknown) => err instanceof SchedulerProtocolError && /Invalid RecordIO record length/.test(err.message),
    );
  });

  it('rejects a record that is not an Event', async () => {
    const bytes = encodeRecords([Buffer.from('{"type": 5}')]);
    await assert.rejects(
      collect(decodeEventStream(streamOf(bytes, () => 100), MediaType.JSON)),
      (err: unknown) => err instanceof SchedulerProtocolError && /Undecodable event/.test(err.message),
    );
  });
});
