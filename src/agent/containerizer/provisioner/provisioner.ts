/**
 * The provisioner the containerizer calls: image (mesos.v1.Image) in, root
 * filesystem and runtime config out. provision() steps:
 *   1. resolve the image in the store (or pull it: registry, or a local
 *      archive directory; `Image.cached=false` always asks the source);
 *   2. write the container record (image, backend, layer list), so a crash
 *      from here on leaves something recover() can clean up;
 *   3. hand the layers to the backend, which builds the rootfs.
 * destroy() and recover() are idempotent and accept unknown containers.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Logger } from 'pino';

import { type Image, Image_Type } from '../../../protocol/gen/mesos/v1/mesos_pb.js';
import type { Backend, BackendLayer, BackendName } from './backends/backend.js';
import { CopyBackend } from './backends/copy.js';
import { mountsUnder, unmount } from './backends/mounts.js';
import { OverlayBackend } from './backends/overlay.js';
import { BackendError, UnsupportedImageError } from './errors.js';
import { type ContainerPath, type ContainerRecord, CONTAINERS_DIR, containerDir, containerKey, containerRecordPath, rootfsDir, scratchDir } from './paths.js';
import { type ImagePuller, type PullEvent } from './puller/image-pull.js';
import { canonicalName, parseImageReference } from './reference.js';
import type { GcResult, ImageStore } from './store/image-store.js';
import type { StoredImage } from './store/layout.js';

export interface ProvisionedRootfs {
  readonly rootfs: string;
  readonly image: StoredImage;
  /** From the image config, for the docker/runtime isolator. */
  readonly config: StoredImage['config'];
}

export interface ProvisionOptions {
  readonly onProgress?: ((event: PullEvent) => void) | undefined;
}

/** What pulls an image into the store (wired in create.ts: registry or local directory). */
export interface ImageFetcher {
  fetch(reference: string, options: ProvisionOptions): Promise<StoredImage>;
}

export class Provisioner {
  readonly store: ImageStore;
  readonly backend: Backend;
  readonly #dir: string;
  readonly #fetcher: ImageFetcher;
  readonly #log: Logger;

  constructor(options: { dir: string; store: ImageStore; backend: Backend; fetcher: ImageFetcher; log: Logger }) {
    this.#dir = options.dir;
    this.store = options.store;
    this.backend = options.backend;
    this.#fetcher = options.fetcher;
    this.#log = options.log;
  }

  /** The store's image for `image`, pulling it when missing or when `cached` is false. */
  async image(image: Image, options: ProvisionOptions = {}): Promise<StoredImage> {
    if (image.type !== Image_Type.DOCKER || image.docker === undefined) {
      throw new UnsupportedImageError(image.appc?.name ?? '(appc)', 'only DOCKER images are supported (--image_providers=docker)');
    }
    const name = canonicalName(parseImageReference(image.docker.name));
    const stored = this.store.getImage(name);
    if (stored !== undefined && image.cached !== false) return stored;
    return this.#fetcher.fetch(image.docker.name, options);
  }

  async provision(containerId: ContainerPath, image: Image, options: ProvisionOptions = {}): Promise<ProvisionedRootfs> {
    const stored = await this.image(image, options);
    const uuid = randomUUID();
    const record: ContainerRecord = {
      image: stored.name,
      backend: this.backend.name,
      rootfs: rootfsDir(this.#dir, containerId, this.backend.name, uuid),
      scratch: scratchDir(this.#dir, containerId, this.backend.name, uuid),
      layers: stored.layers,
    };
    await mkdir(containerDir(this.#dir, containerId), { recursive: true });
    await writeFile(containerRecordPath(this.#dir, containerId), `${JSON.stringify(record, null, 2)}\n`);
    await mkdir(record.rootfs, { recursive: true });
    await mkdir(record.scratch, { recursive: true });
    const layers: BackendLayer[] = [];
    for (const digest of stored.layers) {
      layers.push({ digest, path: this.backend.layerForm === 'overlay' ? await this.store.overlayRootfs(digest) : this.store.layerRootfs(digest) });
    }
    const started = performance.now();
    try {
      await this.backend.provision(containerKey(containerId), layers, record.rootfs, record.scratch);
    } catch (err) {
      await this.destroy(containerId).catch(() => undefined);
      throw err;
    }
    this.#log.info({ containerId: containerKey(containerId), image: stored.name, backend: this.backend.name, ms: performance.now() - started }, 'provisioned rootfs');
    return { rootfs: record.rootfs, image: stored, config: stored.config };
  }

  /** Removes the container's rootfs (nested containers first). False if there was nothing. */
  async destroy(containerId: ContainerPath): Promise<boolean> {
    const dir = containerDir(this.#dir, containerId);
    const children = await readdir(join(dir, CONTAINERS_DIR)).catch(() => [] as string[]);
    for (const child of children) await this.destroy([...(typeof containerId === 'string' ? [containerId] : containerId), child]);
    const record = await readRecord(containerRecordPath(this.#dir, containerId));
    if (record === undefined && children.length === 0 && (await readdir(dir).catch(() => undefined)) === undefined) return false;
    if (record !== undefined) {
      const backend = record.backend === this.backend.name ? this.backend : createBackend(record.backend);
      await backend.destroy(containerKey(containerId), record.rootfs, record.scratch);
    }
    // Whatever else is mounted below (a record lost in a crash): unmount before removing.
    for (const mount of await mountsUnder(dir)) await unmount(mount);
    await rm(dir, { recursive: true, force: true });
    return true;
  }

  /**
   * Destroys the rootfs of every top-level container not in `known`
   * (Mesos: after an agent restart, orphans are cleaned). Returns their ids.
   */
  async recover(known: Iterable<string>): Promise<string[]> {
    const keep = new Set(known);
    const orphans = (await readdir(join(this.#dir, CONTAINERS_DIR)).catch(() => [] as string[])).filter((id) => !keep.has(id));
    for (const id of orphans) {
      try {
        await this.destroy(id);
      } catch (err) {
        throw new BackendError(this.backend.name, id, `cannot clean up the orphan rootfs: ${(err as Error).message}`, err);
      }
    }
    if (orphans.length > 0) this.#log.info({ orphans }, 'removed orphan container root filesystems');
    return orphans;
  }

  /** Layers that live containers use (GC must keep them). */
  async layersInUse(): Promise<Set<string>> {
    const inUse = new Set<string>();
    const walk = async (dir: string): Promise<void> => {
      for (const id of await readdir(join(dir, CONTAINERS_DIR)).catch(() => [] as string[])) {
        const child = join(dir, CONTAINERS_DIR, id);
        for (const layer of (await readRecord(join(child, 'layers')))?.layers ?? []) inUse.add(layer);
        await walk(child);
      }
    };
    await walk(this.#dir);
    return inUse;
  }

  /**
   * PRUNE_IMAGES: forgets every cached image except `excluded` (and those live
   * containers run) and deletes the layers nothing references any more.
   */
  async prune(excluded: readonly Image[] = []): Promise<GcResult> {
    const keep = new Set(excluded.filter((i) => i.docker !== undefined).map((i) => canonicalName(parseImageReference(i.docker!.name))));
    return this.store.gc(keep, await this.layersInUse());
  }
}

export function createBackend(name: BackendName): Backend {
  return name === 'overlay' ? new OverlayBackend() : new CopyBackend();
}

async function readRecord(path: string): Promise<ContainerRecord | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ContainerRecord;
  } catch {
    return undefined;
  }
}
