/**
 * Wiring: flags in, a ready Provisioner out (or a typed error). Mirrors the
 * agent flags `--docker_store_dir`, `--image_provisioner_backend` and
 * `--docker_registry` (a registry URL, or a directory of image tarballs).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { Logger } from 'pino';

import { BACKEND_NAMES, type BackendName } from './backends/backend.js';
import { StoreError } from './errors.js';
import { ArchiveSource, findLocalArchive } from './puller/archive-source.js';
import type { Credentials } from './puller/auth.js';
import { ImagePuller } from './puller/image-pull.js';
import { RegistrySource } from './puller/registry-source.js';
import { createBackend, type ImageFetcher, Provisioner, type ProvisionOptions } from './provisioner.js';
import { parseImageReference } from './reference.js';
import { ImageStore } from './store/image-store.js';
import { rm } from 'node:fs/promises';

export interface ProvisionerConfig {
  /** `--docker_store_dir`. */
  readonly storeDir: string;
  /** `<work_dir>/provisioner`. */
  readonly provisionerDir: string;
  /** `--image_provisioner_backend` (default overlay). */
  readonly backend?: BackendName;
  /** `--docker_registry`: `http(s)://host[:port]` or an absolute directory. */
  readonly dockerRegistry?: string;
  /** By registry host[:port] (`--docker_config`). */
  readonly credentials?: ReadonlyMap<string, Credentials>;
  readonly log: Logger;
}

export async function createProvisioner(config: ProvisionerConfig): Promise<Provisioner> {
  const backendName = config.backend ?? 'overlay';
  if (!BACKEND_NAMES.includes(backendName)) throw new StoreError(`--image_provisioner_backend must be one of ${BACKEND_NAMES.join(', ')}, not '${backendName}'`);
  const store = await ImageStore.open(config.storeDir, config.log);
  const puller = new ImagePuller(store, config.log);
  const fetcher = await createFetcher(config.dockerRegistry, store, puller, config.credentials);
  return new Provisioner({ dir: config.provisionerDir, store, backend: createBackend(backendName), fetcher, log: config.log });
}

/** Registry URL → registry puller; directory → local archive puller. */
export async function createFetcher(registry: string | undefined, store: ImageStore, puller: ImagePuller, credentials?: ReadonlyMap<string, Credentials>): Promise<ImageFetcher> {
  if (registry !== undefined && !/^https?:\/\//.test(registry)) {
    const isDir = await stat(registry).then((s) => s.isDirectory(), () => false);
    if (!isDir) throw new StoreError(`--docker_registry '${registry}' is neither an http(s) URL nor a directory of image archives`);
    return localDirectoryFetcher(registry, store, puller);
  }
  const source = new RegistrySource({ defaultRegistry: registry, credentials });
  return {
    fetch: (reference: string, options: ProvisionOptions) => puller.pull(parseImageReference(reference), source, { onProgress: options.onProgress }),
  };
}

function localDirectoryFetcher(directory: string, store: ImageStore, puller: ImagePuller): ImageFetcher {
  return {
    async fetch(reference: string, options: ProvisionOptions) {
      const ref = parseImageReference(reference);
      const archive = await findLocalArchive(directory, ref);
      return importArchive(store, puller, archive, ref.original, options);
    },
  };
}

/** `mesoscale image import` and the local puller: one archive into the store, under `name`. */
export async function importArchive(store: ImageStore, puller: ImagePuller, archive: string, name: string | undefined, options: ProvisionOptions = {}) {
  const work = await store.createStaging('archive-');
  try {
    const source = await ArchiveSource.open(archive, work);
    const declared = await source.names();
    const chosen = name ?? declared.find((n) => n.includes('/') || n.includes(':')) ?? declared[0];
    if (chosen === undefined) throw new StoreError(`${archive} names no image; give one with --name`);
    const ref = parseImageReference(chosen.includes(':') || chosen.includes('@') || chosen.includes('/') ? chosen : `${chosen}`);
    return await puller.pull(ref, source, { onProgress: options.onProgress });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export function defaultStoreDir(workDir: string): string {
  return join(workDir, 'store', 'docker');
}
