/**
 * The provisioner's per-container tree (Mesos' provisioner/paths.hpp):
 *
 *   <provisioner_dir>/containers/<container_id>/
 *   ├── layers                                  ContainerRecord (JSON), written
 *   │                                           BEFORE the backend runs
 *   ├── backends/<backend>/rootfses/<uuid>/     the root filesystem
 *   ├── backends/<backend>/scratch/<uuid>/      overlay: upperdir, workdir, links/
 *   └── containers/<child_id>/...               nested containers, same shape
 *
 * recover() lists this tree: whatever the agent no longer knows is unmounted
 * and removed, and the layers of what it knows stay safe from image GC.
 */
import { join } from 'node:path';

import { component } from '../../paths.js';
import type { BackendName } from './backends/backend.js';

export const CONTAINERS_DIR = 'containers';
export const CONTAINER_RECORD_FILE = 'layers';

/** A top-level container id, or the path of ids from the top-level container down to a nested one. */
export type ContainerPath = string | readonly string[];

export function containerIds(id: ContainerPath): readonly string[] {
  return typeof id === 'string' ? [id] : id;
}

export function containerKey(id: ContainerPath): string {
  return containerIds(id).join('.');
}

export function containerDir(provisionerDir: string, id: ContainerPath): string {
  const ids = containerIds(id);
  if (ids.length === 0) throw new Error('empty container path');
  return join(provisionerDir, ...ids.flatMap((c) => [CONTAINERS_DIR, component('container id', c)]));
}

export function containerRecordPath(provisionerDir: string, id: ContainerPath): string {
  return join(containerDir(provisionerDir, id), CONTAINER_RECORD_FILE);
}

export function rootfsDir(provisionerDir: string, id: ContainerPath, backend: BackendName, uuid: string): string {
  return join(containerDir(provisionerDir, id), 'backends', backend, 'rootfses', uuid);
}

export function scratchDir(provisionerDir: string, id: ContainerPath, backend: BackendName, uuid: string): string {
  return join(containerDir(provisionerDir, id), 'backends', backend, 'scratch', uuid);
}

/** Persisted in `layers`; enough to destroy the rootfs after an agent restart. */
export interface ContainerRecord {
  readonly image: string;
  readonly backend: BackendName;
  readonly rootfs: string;
  readonly scratch: string;
  readonly layers: readonly string[];
}
