/**
 * Builds images in memory (layers, config, manifest) and writes them as an
 * OCI image layout, an OCI archive or a `docker save` archive, with no
 * network and no external tool. Used for the project's test image, the
 * fixtures of the provisioner tests and the pull benchmark.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { sha256Digest } from '../digest.js';
import { MediaType } from '../manifest.js';
import { tarArchive, type TarWriterEntry } from './tar-writer.js';

export interface BuiltLayer {
  readonly digest: string;
  readonly diffId: string;
  readonly gz: Buffer;
  readonly size: number;
}

export interface RuntimeConfigInput {
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly env?: readonly string[];
  readonly workingDir?: string;
  readonly user?: string;
}

export interface BuiltImage {
  readonly manifest: Buffer;
  readonly manifestDigest: string;
  readonly mediaType: string;
  readonly config: Buffer;
  readonly configDigest: string;
  readonly layers: readonly BuiltLayer[];
  /** Every blob (config + layers) by digest. */
  readonly blobs: ReadonlyMap<string, Buffer>;
}

export function buildLayer(entries: readonly TarWriterEntry[], gzipLevel = 6): BuiltLayer {
  const tar = tarArchive(entries);
  const gz = gzipSync(tar, { level: gzipLevel });
  return { digest: sha256Digest(gz), diffId: sha256Digest(tar), gz, size: gz.length };
}

export function buildImage(layers: readonly BuiltLayer[], runtime: RuntimeConfigInput, format: 'oci' | 'docker' = 'oci', architecture = 'amd64'): BuiltImage {
  const config = Buffer.from(JSON.stringify({
    architecture,
    os: 'linux',
    config: {
      ...(runtime.entrypoint ? { Entrypoint: runtime.entrypoint } : {}),
      ...(runtime.cmd ? { Cmd: runtime.cmd } : {}),
      Env: runtime.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ...(runtime.workingDir ? { WorkingDir: runtime.workingDir } : {}),
      ...(runtime.user ? { User: runtime.user } : {}),
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({ created_by: 'mesoscale image-builder' })),
  }));
  const oci = format === 'oci';
  const mediaType = oci ? MediaType.ociManifest : MediaType.dockerManifest;
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType,
    config: { mediaType: oci ? MediaType.ociConfig : MediaType.dockerConfig, digest: sha256Digest(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: oci ? MediaType.ociLayerGzip : MediaType.dockerLayerGzip, digest: l.digest, size: l.size })),
  }));
  const blobs = new Map<string, Buffer>([[sha256Digest(config), config], ...layers.map((l) => [l.digest, l.gz] as [string, Buffer])]);
  return { manifest, manifestDigest: sha256Digest(manifest), mediaType, config, configDigest: sha256Digest(config), layers, blobs };
}

/** An OCI index (or Docker manifest list) over platform images. */
export function buildIndex(entries: ReadonlyArray<{ image: BuiltImage; architecture: string }>, format: 'oci' | 'docker' = 'oci'): { bytes: Buffer; digest: string; mediaType: string } {
  const mediaType = format === 'oci' ? MediaType.ociIndex : MediaType.dockerList;
  const bytes = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType,
    manifests: entries.map(({ image, architecture }) => ({ mediaType: image.mediaType, digest: image.manifestDigest, size: image.manifest.length, platform: { os: 'linux', architecture } })),
  }));
  return { bytes, digest: sha256Digest(bytes), mediaType };
}

/** Files of an OCI image layout holding `images` under their ref names (the tag, as skopeo writes it). */
export function ociLayoutFiles(images: ReadonlyArray<{ image: BuiltImage; refName: string }>): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  const manifests = images.map(({ image, refName }) => ({ mediaType: image.mediaType, digest: image.manifestDigest, size: image.manifest.length, annotations: { 'org.opencontainers.image.ref.name': refName } }));
  files.set('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests })));
  for (const { image } of images) {
    files.set(blobPath(image.manifestDigest), image.manifest);
    for (const [digest, blob] of image.blobs) files.set(blobPath(digest), blob);
  }
  return files;
}

export async function writeOciLayout(dir: string, images: ReadonlyArray<{ image: BuiltImage; refName: string }>): Promise<void> {
  for (const [path, content] of ociLayoutFiles(images)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** An OCI layout as one tar (what `mesoscale image import` and skopeo's oci-archive take). */
export async function writeOciArchive(file: string, images: ReadonlyArray<{ image: BuiltImage; refName: string }>): Promise<void> {
  await writeFile(file, filesToTar(ociLayoutFiles(images)));
}

/** `docker save` layout: manifest.json, <config hex>.json, <n>/layer.tar (uncompressed, as docker writes them). */
export async function writeDockerArchive(file: string, image: BuiltImage, repoTag: string, uncompressedLayers: readonly Buffer[]): Promise<void> {
  const files = new Map<string, Buffer>();
  const configName = `${image.configDigest.slice(7)}.json`;
  files.set(configName, image.config);
  const layerNames = uncompressedLayers.map((_, i) => `${i}/layer.tar`);
  uncompressedLayers.forEach((tar, i) => files.set(layerNames[i]!, tar));
  files.set('manifest.json', Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: layerNames }])));
  await writeFile(file, filesToTar(files));
}

function filesToTar(files: ReadonlyMap<string, Buffer>): Buffer {
  const dirs = new Set<string>();
  const entries: TarWriterEntry[] = [];
  for (const path of files.keys()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  for (const dir of [...dirs].sort()) entries.push({ type: 'directory', path: `${dir}/` });
  for (const [path, content] of files) entries.push({ type: 'file', path, content });
  return tarArchive(entries);
}

function blobPath(digest: string): string {
  return `blobs/sha256/${digest.slice(7)}`;
}
