/**
 * The image store on disk (`--docker_store_dir`). Everything the store
 * writes is named here.
 *
 *   <store_dir>/
 *   ├── staging/<random>/            downloads and extractions in progress;
 *   │                                emptied by recover() (a crash leaves only these)
 *   ├── layers/<digest hex>/         one per layer blob digest, shared by images
 *   │   ├── layer.json               LayerRecord
 *   │   ├── rootfs/                  the extracted layer, AUFS whiteouts as shipped
 *   │   └── rootfs.overlay/          whiteouts converted for overlayfs; only for
 *   │                                layers that have whiteouts, made on first use
 *   └── images.json                  StoredImages: image name → manifest, config, layers
 *
 * A layer directory appears only by rename() from staging, after its blob
 * digest and diff_id were verified, so a layer that exists is complete.
 */
import { join } from 'node:path';

import { digestHex } from '../digest.js';

export const STAGING_DIR = 'staging';
export const LAYERS_DIR = 'layers';
export const IMAGES_FILE = 'images.json';
export const LAYER_RECORD_FILE = 'layer.json';
export const LAYER_ROOTFS = 'rootfs';
export const LAYER_OVERLAY_ROOTFS = 'rootfs.overlay';

export const storePaths = {
  staging: (store: string) => join(store, STAGING_DIR),
  layers: (store: string) => join(store, LAYERS_DIR),
  images: (store: string) => join(store, IMAGES_FILE),
  layer: (store: string, digest: string) => join(store, LAYERS_DIR, digestHex(digest)),
  layerRecord: (store: string, digest: string) => join(store, LAYERS_DIR, digestHex(digest), LAYER_RECORD_FILE),
  layerRootfs: (store: string, digest: string) => join(store, LAYERS_DIR, digestHex(digest), LAYER_ROOTFS),
  layerOverlayRootfs: (store: string, digest: string) => join(store, LAYERS_DIR, digestHex(digest), LAYER_OVERLAY_ROOTFS),
};

/** Persisted in layer.json. */
export interface LayerRecord {
  readonly digest: string;
  readonly diffId: string;
  readonly mediaType: string;
  /** Blob (compressed) size. */
  readonly size: number;
  readonly uncompressedBytes: number;
  readonly whiteouts: number;
  readonly opaqueDirs: number;
}

/** One cached image, by canonical name. */
export interface StoredImage {
  readonly name: string;
  readonly manifestDigest: string;
  readonly configDigest: string;
  /** Layer digests, bottom (base) layer first. */
  readonly layers: readonly string[];
  readonly config: {
    readonly entrypoint: readonly string[] | undefined;
    readonly cmd: readonly string[] | undefined;
    readonly env: readonly string[];
    readonly workingDir: string | undefined;
    readonly user: string | undefined;
  };
  /** Sum of the layer blob sizes. */
  readonly size: number;
  readonly storedAt: string;
}

export interface StoredImagesFile {
  readonly version: 1;
  readonly images: Record<string, StoredImage>;
}
