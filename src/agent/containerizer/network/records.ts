/**
 * Reading and writing the JSON records of the network/cni tree (see paths.ts).
 * Writes go to a temporary file renamed into place, so a record is either
 * absent or whole, even if the agent dies mid-write: recovery must be able to
 * trust every attachment.json it finds.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

import type { Attachment } from './cni-network.js';
import type { CniPaths } from './paths.js';
import type { ContainerNetworkRequest } from './request.js';

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** One attachment on disk: what ADD was given and, when ADD finished, its result. */
export interface AttachmentRecord {
  readonly dir: string;
  readonly attachment: Attachment | undefined;
  readonly result: Readonly<Record<string, unknown>> | undefined;
}

/** The interface index of `eth3` (3), for ordering; unknown names sort first. */
function ifIndex(ifName: string): number {
  const match = /(\d+)$/.exec(ifName);
  return match ? Number(match[1]) : -1;
}

/**
 * Every attachment recorded for a container, in ADD order (by interface
 * index). A record without attachment.json is a directory made just before
 * the agent died: nothing was run for it.
 */
export function readAttachments(paths: CniPaths, containerId: string): AttachmentRecord[] {
  const root = paths.networks(containerId);
  if (!existsSync(root)) return [];
  const records: (AttachmentRecord & { ifName: string })[] = [];
  for (const network of readdirSync(root)) {
    for (const ifName of readdirSync(paths.network(containerId, network))) {
      const attachmentPath = paths.attachment(containerId, network, ifName);
      const resultPath = paths.result(containerId, network, ifName);
      records.push({
        ifName,
        dir: paths.attachmentDir(containerId, network, ifName),
        attachment: existsSync(attachmentPath) ? readJson<Attachment>(attachmentPath) : undefined,
        result: existsSync(resultPath) ? readJson<Record<string, unknown>>(resultPath) : undefined,
      });
    }
  }
  return records.sort((a, b) => ifIndex(a.ifName) - ifIndex(b.ifName));
}

export function readRequest(paths: CniPaths, containerId: string): ContainerNetworkRequest {
  return readJson<ContainerNetworkRequest>(paths.request(containerId));
}

/** Container ids with a directory in the tree (stray files are ignored). */
export function listContainers(paths: CniPaths): string[] {
  if (!existsSync(paths.root)) return [];
  return readdirSync(paths.root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}
