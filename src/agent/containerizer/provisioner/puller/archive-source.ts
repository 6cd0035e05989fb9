/**
 * Images from a local archive: `docker save` output (manifest.json +
 * <id>/layer.tar) or an OCI image layout tarball (oci-layout, index.json,
 * blobs/sha256/...). The archive is itself untrusted: it is unpacked into
 * store staging through the same validating extractor as layers, and every
 * blob read back from it is digest-checked like a registry download.
 *
 * Also the local puller: with `--docker_registry=<directory>`, image
 * `repo:tag` is read from `<directory>/<repo>:<tag>.tar`, as Mesos does.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { access, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { ImageNotFoundError, UnsupportedImageError } from '../errors.js';
import { HashingStream, sha256Digest, verifyDigest, digestHex, isDigest } from '../digest.js';
import { DigestMismatchError } from '../errors.js';
import { extractLayer } from '../extract/layer-extractor.js';
import { type Descriptor, type ImageManifest, MediaType, parseManifestDocument, selectPlatform } from '../manifest.js';
import { canonicalName, type ImageReference, parseImageReference } from '../reference.js';
import type { ImageSource, ResolvedManifest } from './image-source.js';

const OCI_REF_NAME = 'org.opencontainers.image.ref.name';

interface DockerArchiveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

export class ArchiveSource implements ImageSource {
  readonly description: string;
  readonly #root: string;
  /** Blob digest → path inside the unpacked archive. */
  readonly #blobs = new Map<string, string>();
  readonly #format: 'docker' | 'oci';

  private constructor(archive: string, root: string, format: 'docker' | 'oci') {
    this.description = `archive ${archive}`;
    this.#root = root;
    this.#format = format;
  }

  /** Unpacks `archive` (tar or tar.gz) into `workDir` (an empty staging dir) and detects its format. */
  static async open(archive: string, workDir: string): Promise<ArchiveSource> {
    const root = join(workDir, 'archive');
    await extractLayer({ layer: `archive ${archive}`, blobPath: archive, compression: await isGzip(archive) ? 'gzip' : 'none', expectedDiffId: undefined, destination: root });
    if (await exists(join(root, 'index.json'))) return new ArchiveSource(archive, root, 'oci');
    if (await exists(join(root, 'manifest.json'))) return new ArchiveSource(archive, root, 'docker');
    throw new UnsupportedImageError(archive, 'the archive has neither index.json (OCI layout) nor manifest.json (docker save)');
  }

  /** Image names the archive declares (docker RepoTags, OCI ref.name annotations). */
  async names(): Promise<string[]> {
    if (this.#format === 'docker') return (await this.#dockerEntries()).flatMap((e) => e.RepoTags ?? []);
    const index = JSON.parse(await readFile(join(this.#root, 'index.json'), 'utf8')) as { manifests?: Array<{ annotations?: Record<string, string> }> };
    return (index.manifests ?? []).map((m) => m.annotations?.[OCI_REF_NAME]).filter((n): n is string => n !== undefined);
  }

  async resolveManifest(ref: ImageReference): Promise<ResolvedManifest> {
    return this.#format === 'oci' ? this.#resolveOci(ref) : this.#resolveDocker(ref);
  }

  async #resolveOci(ref: ImageReference): Promise<ResolvedManifest> {
    const bytes = await readFile(join(this.#root, 'index.json'));
    const index = parseManifestDocument(ref.original, bytes, MediaType.ociIndex);
    if (index.kind !== 'index') throw new UnsupportedImageError(ref.original, 'index.json is not an image index');
    const wanted = new Set([ref.original, ref.tag, canonicalName(ref)]);
    const named = index.manifests.filter((m) => wanted.has(m.annotations?.[OCI_REF_NAME] ?? ''));
    const candidates = named.length > 0 ? named : index.manifests.length === 1 ? index.manifests : [];
    if (candidates.length === 0) throw new ImageNotFoundError(ref.original, this.description, `it holds ${index.manifests.length} images; name one of: ${(await this.names()).join(', ') || '(none named)'}`);
    let descriptor: Descriptor = candidates.length === 1 ? candidates[0]! : selectPlatform(ref.original, { ...index, manifests: candidates });
    for (let depth = 0; depth < 4; depth++) {
      const doc = parseManifestDocument(ref.original, await this.#readVerified(descriptor.digest), descriptor.mediaType || undefined);
      if (doc.kind === 'manifest') return { manifest: doc, digest: descriptor.digest };
      descriptor = selectPlatform(ref.original, doc);
    }
    throw new UnsupportedImageError(ref.original, 'indexes nest too deeply');
  }

  async #resolveDocker(ref: ImageReference): Promise<ResolvedManifest> {
    const entries = await this.#dockerEntries();
    const wanted = canonicalName(ref);
    const entry = entries.find((e) => (e.RepoTags ?? []).some((t) => safeCanonical(t) === wanted)) ?? (entries.length === 1 ? entries[0] : undefined);
    if (entry === undefined) throw new ImageNotFoundError(ref.original, this.description, `it holds: ${entries.flatMap((e) => e.RepoTags ?? []).join(', ')}`);
    // docker save names files by content; we hash them anyway, and synthesise the
    // OCI manifest a registry would serve, so the store sees one shape.
    const configPath = this.#inside(entry.Config);
    const configBytes = await readFile(configPath);
    const configDigest = sha256Digest(configBytes);
    const nameHex = /([a-f0-9]{64})(\.json)?$/.exec(entry.Config)?.[1];
    if (nameHex !== undefined && `sha256:${nameHex}` !== configDigest) throw new DigestMismatchError(`config ${entry.Config} of ${this.description}`, `sha256:${nameHex}`, configDigest);
    this.#blobs.set(configDigest, configPath);
    const layers = [];
    for (const layerPath of entry.Layers) {
      const path = this.#inside(layerPath);
      const hashing = new HashingStream();
      await pipeline(createReadStream(path), hashing, async function* (source) {
        for await (const _ of source) void _;
      });
      const digest = hashing.digest();
      this.#blobs.set(digest, path);
      const gzip = await isGzip(path);
      layers.push({ mediaType: gzip ? MediaType.dockerLayerGzip : MediaType.ociLayer, digest, size: hashing.bytes, compression: gzip ? 'gzip' as const : 'none' as const });
    }
    const manifest: ImageManifest = { kind: 'manifest', mediaType: MediaType.ociManifest, config: { mediaType: MediaType.ociConfig, digest: configDigest, size: configBytes.length }, layers };
    const manifestJson = JSON.stringify({ schemaVersion: 2, mediaType: manifest.mediaType, config: manifest.config, layers: layers.map(({ compression: _c, ...d }) => d) });
    return { manifest, digest: sha256Digest(manifestJson) };
  }

  async fetchBlob(_ref: ImageReference, descriptor: Descriptor): Promise<Uint8Array> {
    return this.#readVerified(descriptor.digest);
  }

  async fetchBlobToFile(_ref: ImageReference, descriptor: Descriptor, path: string, onBytes: (received: number) => void): Promise<void> {
    const hashing = new HashingStream();
    hashing.on('data', () => onBytes(hashing.bytes));
    await pipeline(createReadStream(this.#blobPath(descriptor.digest)), hashing, createWriteStream(path));
    if (hashing.digest() !== descriptor.digest) throw new DigestMismatchError(`blob ${descriptor.digest} in ${this.description}`, descriptor.digest, hashing.digest());
  }

  async #readVerified(digest: string): Promise<Buffer> {
    const bytes = await readFile(this.#blobPath(digest));
    verifyDigest(`blob ${digest} in ${this.description}`, bytes, digest);
    return bytes;
  }

  #blobPath(digest: string): string {
    if (!isDigest(digest)) throw new UnsupportedImageError(this.description, `'${digest}' is not a sha256 digest`);
    return this.#blobs.get(digest) ?? join(this.#root, 'blobs', 'sha256', digestHex(digest));
  }

  async #dockerEntries(): Promise<DockerArchiveEntry[]> {
    const doc = JSON.parse(await readFile(join(this.#root, 'manifest.json'), 'utf8')) as unknown;
    if (!Array.isArray(doc) || doc.length === 0) throw new UnsupportedImageError(this.description, 'manifest.json lists no images');
    return doc as DockerArchiveEntry[];
  }

  /** A path named by the archive's JSON, kept inside the unpacked archive. */
  #inside(relative: string): string {
    const parts = relative.split('/').filter((p) => p !== '' && p !== '.');
    if (relative.startsWith('/') || parts.includes('..')) throw new UnsupportedImageError(this.description, `manifest.json names '${relative}', outside the archive`);
    return join(this.#root, ...parts);
  }
}

/** Mesos' local puller file name: `<dir>/<repo>:<tag>.tar`, trying the name as written, then with `library/`. */
export async function findLocalArchive(directory: string, ref: ImageReference): Promise<string> {
  const written = ref.original.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  const candidates = [...new Set([`${written}:${ref.tag}.tar`, `${ref.repository}:${ref.tag}.tar`, `${ref.repository.replace(/^library\//, '')}:${ref.tag}.tar`])];
  for (const candidate of candidates) {
    const path = join(directory, candidate);
    if (await exists(path)) return path;
  }
  throw new ImageNotFoundError(ref.original, `local image directory ${directory}`, `looked for ${candidates.join(', ')}`);
}

function safeCanonical(name: string): string | undefined {
  try {
    return canonicalName(parseImageReference(name));
  } catch {
    return undefined;
  }
}

async function isGzip(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await file.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

