/**
 * Pulls an image from any ImageSource into the store:
 *
 *   1. resolve the manifest (index → linux/amd64), digest-checked by the source;
 *   2. fetch and parse the config (digest-checked); one diff_id per layer;
 *   3. per layer not yet in the store (up to 3 at a time): download the blob
 *      into staging (digest-checked), extract it (diff_id-checked, validated
 *      entry by entry), and commit it by rename;
 *   4. record the image (name → manifest, config, layers).
 *
 * Concurrent pulls of one image share one pull; concurrent pulls of
 * different images share the download of a layer they have in common.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { Logger } from 'pino';

import { UnsupportedImageError } from '../errors.js';
import { extractLayer } from '../extract/layer-extractor.js';
import { type LayerDescriptor, parseImageConfig } from '../manifest.js';
import { canonicalName, type ImageReference } from '../reference.js';
import type { ImageStore } from '../store/image-store.js';
import { LAYER_ROOTFS, type StoredImage } from '../store/layout.js';
import type { ImageSource } from './image-source.js';

export type PullEvent =
  | { readonly type: 'resolved'; readonly image: string; readonly manifestDigest: string; readonly layers: number; readonly bytes: number }
  | { readonly type: 'layer'; readonly image: string; readonly layer: string; readonly state: 'cached' | 'downloading' | 'extracting' | 'done'; readonly received: number; readonly size: number }
  | { readonly type: 'done'; readonly image: string; readonly seconds: number };

export interface PullOptions {
  readonly onProgress?: ((event: PullEvent) => void) | undefined;
  /** Store the image under this name instead of the reference's canonical name. */
  readonly name?: string | undefined;
}

const LAYER_CONCURRENCY = 3;

export class ImagePuller {
  readonly #store: ImageStore;
  readonly #log: Logger;
  readonly #pulls = new Map<string, { promise: Promise<StoredImage>; listeners: Set<(e: PullEvent) => void> }>();
  readonly #layers = new Map<string, Promise<void>>();

  constructor(store: ImageStore, log: Logger) {
    this.#store = store;
    this.#log = log;
  }

  /** Number of pulls in flight (tests check that concurrent pulls share one). */
  get activePulls(): number {
    return this.#pulls.size;
  }

  pull(ref: ImageReference, source: ImageSource, options: PullOptions = {}): Promise<StoredImage> {
    const name = options.name ?? canonicalName(ref);
    const existing = this.#pulls.get(name);
    if (existing !== undefined) {
      if (options.onProgress) existing.listeners.add(options.onProgress);
      return existing.promise;
    }
    const listeners = new Set<(e: PullEvent) => void>(options.onProgress ? [options.onProgress] : []);
    const emit = (event: PullEvent) => {
      for (const listener of listeners) listener(event);
    };
    const promise = this.#pull(ref, name, source, emit).finally(() => this.#pulls.delete(name));
    this.#pulls.set(name, { promise, listeners });
    return promise;
  }

  async #pull(ref: ImageReference, name: string, source: ImageSource, emit: (e: PullEvent) => void): Promise<StoredImage> {
    const started = performance.now();
    const { manifest, digest } = await source.resolveManifest(ref);
    const total = manifest.layers.reduce((sum, l) => sum + l.size, 0);
    emit({ type: 'resolved', image: name, manifestDigest: digest, layers: manifest.layers.length, bytes: total });

    const config = parseImageConfig(ref.original, await source.fetchBlob(ref, manifest.config));
    if (config.diffIds.length !== manifest.layers.length) {
      throw new UnsupportedImageError(ref.original, `the config lists ${config.diffIds.length} diff_ids for ${manifest.layers.length} layers`);
    }
    if (config.os !== undefined && config.os !== 'linux') throw new UnsupportedImageError(ref.original, `it is built for os '${config.os}', not linux`);

    const queue = manifest.layers.map((layer, i) => ({ layer, diffId: config.diffIds[i]! }));
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        try {
          await this.#ensureLayer(ref, name, source, next.layer, next.diffId, emit);
        } catch (err) {
          queue.length = 0; // start no more layers; the others finish and clean up
          throw err;
        }
      }
    };
    // allSettled: the pull fails only after every worker has removed its staging files.
    const outcomes = await Promise.allSettled(Array.from({ length: Math.min(LAYER_CONCURRENCY, queue.length) }, worker));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed !== undefined) throw failed.reason;

    const image: StoredImage = {
      name,
      manifestDigest: digest,
      configDigest: manifest.config.digest,
      layers: manifest.layers.map((l) => l.digest),
      config: config.runtime,
      size: total,
      storedAt: new Date().toISOString(),
    };
    await this.#store.putImage(image);
    const seconds = (performance.now() - started) / 1000;
    this.#log.info({ image: name, manifestDigest: digest, layers: image.layers.length, bytes: total, seconds }, 'image pulled');
    emit({ type: 'done', image: name, seconds });
    return image;
  }

  async #ensureLayer(ref: ImageReference, name: string, source: ImageSource, layer: LayerDescriptor, diffId: string, emit: (e: PullEvent) => void): Promise<void> {
    const progress = (state: 'cached' | 'downloading' | 'extracting' | 'done', received: number) =>
      emit({ type: 'layer', image: name, layer: layer.digest, state, received, size: layer.size });
    if (await this.#store.hasLayer(layer.digest)) {
      progress('cached', layer.size);
      return;
    }
    let pending = this.#layers.get(layer.digest);
    if (pending === undefined) {
      pending = this.#fetchLayer(ref, source, layer, diffId, progress).finally(() => this.#layers.delete(layer.digest));
      this.#layers.set(layer.digest, pending);
    }
    await pending;
    progress('done', layer.size);
  }

  async #fetchLayer(ref: ImageReference, source: ImageSource, layer: LayerDescriptor, diffId: string, progress: (state: 'downloading' | 'extracting', received: number) => void): Promise<void> {
    const staging = await this.#store.createStaging('layer-');
    try {
      const blob = join(staging, 'blob');
      progress('downloading', 0);
      await source.fetchBlobToFile(ref, layer, blob, (received) => progress('downloading', received));
      progress('extracting', layer.size);
      const layerDir = join(staging, 'layer');
      await mkdir(layerDir);
      const extracted = await extractLayer({
        layer: layer.digest,
        blobPath: blob,
        compression: layer.compression,
        expectedDiffId: diffId,
        destination: join(layerDir, LAYER_ROOTFS),
      });
      await rm(blob);
      await this.#store.commitLayer(layerDir, {
        digest: layer.digest,
        diffId: extracted.diffId,
        mediaType: layer.mediaType,
        size: layer.size,
        uncompressedBytes: extracted.uncompressedBytes,
        whiteouts: extracted.summary.whiteouts,
        opaqueDirs: extracted.summary.opaqueDirs,
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}
