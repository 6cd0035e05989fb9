/**
 * launch.json: what the runtime checkpoints per container so that a restarted
 * agent can find it again (recover) or destroy it as an orphan.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import type { ContainerConfig } from '../isolators/isolator.js';
import type { RuntimePaths } from './paths.js';

export type LaunchKind = 'oci' | 'host';

export interface LaunchRecord {
  readonly version: 1;
  readonly config: ContainerConfig;
  readonly kind: LaunchKind;
  readonly wrapperPid: number | undefined;
  readonly wrapperStartTime: string | undefined;
}

export function writeLaunchRecord(paths: RuntimePaths, record: LaunchRecord): void {
  const file = paths.launchRecord(record.config.containerId);
  mkdirSync(dirname(file), { recursive: true });
  // Rename so a crash never leaves half a record behind.
  writeFileSync(`${file}.tmp`, JSON.stringify(record));
  renameSync(`${file}.tmp`, file);
}

/** Every readable record under the runtime dir; unreadable ones are returned as bare ids. */
export function readLaunchRecords(paths: RuntimePaths): { records: LaunchRecord[]; unreadable: string[] } {
  const records: LaunchRecord[] = [];
  const unreadable: string[] = [];
  let ids: string[];
  try {
    ids = readdirSync(paths.containers);
  } catch {
    return { records, unreadable };
  }
  for (const id of ids) {
    try {
      const record = JSON.parse(readFileSync(paths.launchRecord(id), 'utf8')) as LaunchRecord;
      if (record.version === 1 && record.config.containerId === id) records.push(record);
      else unreadable.push(id);
    } catch {
      unreadable.push(id);
    }
  }
  return { records, unreadable };
}

/** The pid runc wrote (`--pid-file`), or undefined while it has not. */
export function readPidFile(file: string): number | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}
