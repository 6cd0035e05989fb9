/**
 * The content-addressed image store (Mesos' docker store + metadata manager):
 * layers by digest, shared between images; image metadata by canonical name;
 * atomic commits (staging → rename); recovery; garbage collection.
 *
 * One ImageStore per store directory per process. Writes of images.json go
 * through a temporary file and rename(), so readers never see half a file.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { Logger } from 'pino';

import { StoreError } from '../errors.js';
import { isDigest } from '../digest.js';
import { run } from '../exec.js';
import { convertWhiteoutsForOverlay } from '../extract/overlay-convert.js';
import { LAYER_OVERLAY_ROOTFS, type LayerRecord, type StoredImage, type StoredImagesFile, storePaths } from './layout.js';

export interface GcResult {
  readonly removedImages: string[];
  readonly removedLayers: string[];
  readonly keptLayers: number;
}

export class ImageStore {
  readonly dir: string;
  readonly #log: Logger;
  #images = new Map<string, StoredImage>();
  /** Serialises images.json writes. */
  #writing: Promise<void> = Promise.resolve();
  readonly #overlayConversions = new Map<string, Promise<string>>();

  private constructor(dir: string, log: Logger) {
    this.dir = dir;
    this.#log = log;
  }

  /** Opens (creating) the store and runs recovery: staging leftovers are removed. */
  static async open(dir: string, log: Logger): Promise<ImageStore> {
    const store = new ImageStore(dir, log);
    await mkdir(storePaths.layers(dir), { recursive: true });
    await store.#recover();
    return store;
  }

  async #recover(): Promise<void> {
    // 1. Anything in staging is a download or extraction a crash interrupted.
    await rm(storePaths.staging(this.dir), { recursive: true, force: true });
    await mkdir(storePaths.staging(this.dir), { recursive: true });
    // 2. Load the image table; drop images whose layers went missing (a later pull refetches them).
    let file: StoredImagesFile | undefined;
    try {
      file = JSON.parse(await readFile(storePaths.images(this.dir), 'utf8')) as StoredImagesFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new StoreError(`${storePaths.images(this.dir)} is unreadable (${(err as Error).message}); move it away to start with an empty image cache`, err);
      }
    }
    if (file !== undefined && file.version !== 1) throw new StoreError(`${storePaths.images(this.dir)} has version ${String(file.version)}; this mesoscale reads version 1`);
    for (const image of Object.values(file?.images ?? {})) {
      const missing = [];
      for (const layer of image.layers) if (!(await this.hasLayer(layer))) missing.push(layer);
      if (missing.length === 0) this.#images.set(image.name, image);
      else this.#log.warn({ image: image.name, missing }, 'dropping cached image whose layers are missing');
    }
  }

  getImage(name: string): StoredImage | undefined {
    return this.#images.get(name);
  }

  listImages(): StoredImage[] {
    return [...this.#images.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async putImage(image: StoredImage): Promise<void> {
    for (const layer of image.layers) {
      if (!(await this.hasLayer(layer))) throw new StoreError(`cannot record image ${image.name}: layer ${layer} is not in the store`);
    }
    this.#images.set(image.name, image);
    await this.#persist();
  }

  async removeImage(name: string): Promise<boolean> {
    const existed = this.#images.delete(name);
    if (existed) await this.#persist();
    return existed;
  }

  #persist(): Promise<void> {
    const next = this.#writing.then(async () => {
      const file: StoredImagesFile = { version: 1, images: Object.fromEntries(this.#images) };
      const temp = `${storePaths.images(this.dir)}.${randomUUID()}.tmp`;
      await writeFile(temp, `${JSON.stringify(file, null, 2)}\n`);
      await rename(temp, storePaths.images(this.dir));
    });
    this.#writing = next.catch(() => undefined);
    return next;
  }

  async hasLayer(digest: string): Promise<boolean> {
    try {
      await stat(storePaths.layerRecord(this.dir, digest));
      return true;
    } catch {
      return false;
    }
  }

  async layerRecord(digest: string): Promise<LayerRecord> {
    try {
      return JSON.parse(await readFile(storePaths.layerRecord(this.dir, digest), 'utf8')) as LayerRecord;
    } catch (err) {
      throw new StoreError(`layer ${digest} is not in the store ${this.dir} (pull the image again)`, err);
    }
  }

  layerRootfs(digest: string): string {
    return storePaths.layerRootfs(this.dir, digest);
  }

  /** A fresh directory under staging/, removed by the caller (or by the next recovery). */
  async createStaging(prefix = 'pull-'): Promise<string> {
    return mkdtemp(join(storePaths.staging(this.dir), prefix));
  }

  /**
   * Moves a complete layer directory (holding `rootfs/`) from staging into
   * place and writes its record last. If another pull committed the same
   * layer first, ours is discarded: both are the same verified content.
   */
  async commitLayer(stagedLayerDir: string, record: LayerRecord): Promise<void> {
    await writeFile(join(stagedLayerDir, 'layer.json'), `${JSON.stringify(record, null, 2)}\n`);
    try {
      await rename(stagedLayerDir, storePaths.layer(this.dir, record.digest));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw new StoreError(`cannot commit layer ${record.digest}`, err);
      await rm(stagedLayerDir, { recursive: true, force: true });
    }
  }

  /**
   * The layer as an overlay lower dir. Layers without whiteouts are used as
   * extracted; the others get a converted copy, made once and kept.
   */
  async overlayRootfs(digest: string): Promise<string> {
    const record = await this.layerRecord(digest);
    if (record.whiteouts === 0 && record.opaqueDirs === 0) return this.layerRootfs(digest);
    const target = storePaths.layerOverlayRootfs(this.dir, digest);
    const pending = this.#overlayConversions.get(digest);
    if (pending !== undefined) return pending;
    const conversion = (async () => {
      try {
        await stat(target);
        return target;
      } catch {
        // Not converted yet.
      }
      const staging = await this.createStaging('overlay-');
      try {
        const copy = join(staging, LAYER_OVERLAY_ROOTFS);
        await run('cp', ['-a', '--reflink=auto', this.layerRootfs(digest), copy]);
        await convertWhiteoutsForOverlay(copy);
        await rename(copy, target);
        return target;
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    })();
    this.#overlayConversions.set(digest, conversion);
    try {
      return await conversion;
    } finally {
      this.#overlayConversions.delete(digest);
    }
  }

  /**
   * Mark and sweep (Mesos' PRUNE_IMAGES): images not named in `keepImages`
   * are forgotten, then every layer that no remaining image and no live
   * container (`inUseLayers`) references is deleted. A layer is first renamed
   * into staging, so a crash mid-delete leaves nothing half-present.
   */
  async gc(keepImages: ReadonlySet<string>, inUseLayers: ReadonlySet<string>): Promise<GcResult> {
    const removedImages = [...this.#images.keys()].filter((name) => !keepImages.has(name));
    for (const name of removedImages) this.#images.delete(name);
    if (removedImages.length > 0) await this.#persist();

    const marked = new Set(inUseLayers);
    for (const image of this.#images.values()) for (const layer of image.layers) marked.add(layer);
    const removedLayers: string[] = [];
    for (const hex of await readdir(storePaths.layers(this.dir))) {
      const digest = `sha256:${hex}`;
      if (!isDigest(digest) || marked.has(digest)) continue;
      const doomed = join(storePaths.staging(this.dir), `gc-${hex}`);
      await rename(storePaths.layer(this.dir, digest), doomed);
      await rm(doomed, { recursive: true, force: true });
      removedLayers.push(digest);
    }
    this.#log.info({ removedImages, removedLayers: removedLayers.length }, 'image garbage collection done');
    return { removedImages, removedLayers, keptLayers: marked.size };
  }
}
