/**
 * Turns the bytes of a SUBSCRIBE response into scheduler Events: RecordIO
 * framing (chunk boundaries unrelated to records) then one Event per record in
 * the negotiated codec. No sockets here; any async byte source will do, which
 * is how the unit tests feed it split and cut streams.
 */
import { decodeMessage, type MessageMediaType } from '../protocol/codec/media.js';
import { readRecords, RecordIoError } from '../protocol/codec/recordio.js';
import { EventSchema, type Event } from '../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';
import { SchedulerProtocolError } from './errors.js';

/**
 * Yields each Event as soon as its record is complete. Throws
 * SchedulerProtocolError (retryable: a fresh subscription may be fine) when
 * the framing is broken, the stream stops inside a record, or a record is not
 * an Event; errors of the byte source itself (socket reset) pass through.
 */
export async function* decodeEventStream(
  body: AsyncIterable<Uint8Array>,
  codec: MessageMediaType,
): AsyncGenerator<Event, void, undefined> {
  const records = readRecords(body);
  try {
    while (true) {
      let next: IteratorResult<Uint8Array, void>;
      try {
        next = await records.next();
      } catch (err) {
        if (err instanceof RecordIoError) {
          throw new SchedulerProtocolError(`Broken event stream: ${err.message}`, { retryable: true, cause: err });
        }
        throw err;
      }
      if (next.done === true) return;
      // Mesos never sends empty records; a tolerant reader skips them.
      if (next.value.length === 0) continue;
      yield decodeEvent(next.value, codec);
    }
  } finally {
    // Stops the source (destroys a socket) when the consumer leaves early.
    await records.return();
  }
}

function decodeEvent(record: Uint8Array, codec: MessageMediaType): Event {
  try {
    return decodeMessage(EventSchema, codec, record);
  } catch (err) {
    throw new SchedulerProtocolError(
      `Undecodable event in the ${codec} stream: ${err instanceof Error ? err.message : String(err)}`,
      { retryable: true, cause: err },
    );
  }
}
