/**
 * On-disk checkpoints of the agent (paths in ../paths.ts):
 *
 * - `task.updates`: an append-only log per task of what the status update
 *   manager received and what was acknowledged, fsync'd before the update is
 *   acknowledged to the executor or forwarded. Replaying it (readUpdateLog)
 *   gives the stream back after an agent restart. Each entry is one RecordIO
 *   record (the same framing as our HTTP streams) whose first byte says what
 *   follows:
 *       0x01 UPDATE  + binary mesoscale.internal.StatusUpdate
 *       0x02 ACK     + the 16 uuid bytes
 *   A torn last record (crash during a write) is ignored on replay, as Mesos
 *   ignores a partial trailing StatusUpdateRecord.
 * - `*.info` / `forked.pid`: whole files written atomically (temp + rename).
 */
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

import { fromBinary, toBinary } from '@bufbuild/protobuf';

import { encodeRecord, RecordIoDecoder } from '../../protocol/codec/recordio.js';
import { type StatusUpdate, StatusUpdateSchema } from '../../protocol/gen/mesoscale/internal/agent_link_pb.js';
import { CheckpointError } from '../errors.js';

const KIND_UPDATE = 0x01;
const KIND_ACK = 0x02;

/** Appends to per-task logs; appends to one file are serialised, so the log keeps their order. */
export class UpdateLog {
  readonly #tails = new Map<string, Promise<void>>();

  appendUpdate(path: string, update: StatusUpdate): Promise<void> {
    return this.#append(path, KIND_UPDATE, toBinary(StatusUpdateSchema, update));
  }

  appendAck(path: string, uuid: Uint8Array): Promise<void> {
    return this.#append(path, KIND_ACK, uuid);
  }

  #append(path: string, kind: number, payload: Uint8Array): Promise<void> {
    const record = new Uint8Array(payload.length + 1);
    record[0] = kind;
    record.set(payload, 1);
    const previous = this.#tails.get(path) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => appendSynced(path, encodeRecord(record)));
    this.#tails.set(path, next);
    void next.finally(() => {
      if (this.#tails.get(path) === next) this.#tails.delete(path);
    }).catch(() => undefined);
    return next;
  }
}

async function appendSynced(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const file = await open(path, 'a');
  try {
    await file.write(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** What a task's log says: updates received, oldest first, and acknowledged uuids. */
export interface UpdateLogContents {
  readonly updates: StatusUpdate[];
  readonly acknowledged: Uint8Array[];
}

/** Replays a task log (for recovery). Throws CheckpointError on a corrupt record. */
export async function readUpdateLog(path: string): Promise<UpdateLogContents> {
  const bytes = await readFile(path);
  const decoder = new RecordIoDecoder();
  let records: Uint8Array[];
  try {
    records = decoder.decode(bytes);
  } catch (err) {
    throw new CheckpointError(path, (err as Error).message, err);
  }
  // No decoder.end(): an unfinished last record is a torn write and is dropped.
  const updates: StatusUpdate[] = [];
  const acknowledged: Uint8Array[] = [];
  for (const [i, record] of records.entries()) {
    const body = record.subarray(1);
    if (record[0] === KIND_UPDATE) {
      try {
        updates.push(fromBinary(StatusUpdateSchema, body));
      } catch (err) {
        throw new CheckpointError(path, `record ${i} is not a StatusUpdate: ${(err as Error).message}`, err);
      }
    } else if (record[0] === KIND_ACK && body.length === 16) {
      acknowledged.push(body);
    } else {
      throw new CheckpointError(path, `record ${i} has unknown kind ${record[0]}`);
    }
  }
  return { updates, acknowledged };
}

/** Writes a whole file atomically and durably (temp file, fsync, rename). */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  const file = await open(temp, 'w');
  try {
    await file.write(typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}
