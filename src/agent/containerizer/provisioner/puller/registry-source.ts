/**
 * Images from a registry (Registry HTTP API V2). Which registry: the one in
 * the image name if it has one, else `--docker_registry`. Plain http is used
 * for the configured registry when its URL says so, and for loopback hosts
 * (as docker treats them as insecure registries); https otherwise.
 */
import { DigestMismatchError, UnsupportedImageError } from '../errors.js';
import { sha256Digest, verifyDigest } from '../digest.js';
import { type Descriptor, MANIFEST_ACCEPT, parseManifestDocument, selectPlatform } from '../manifest.js';
import { DEFAULT_REGISTRY, DEFAULT_REGISTRY_ENDPOINT, type ImageReference, manifestSelector } from '../reference.js';
import type { Credentials } from './auth.js';
import type { ImageSource, ResolvedManifest } from './image-source.js';
import { RegistryClient } from './registry-client.js';

export interface RegistrySourceOptions {
  /** `--docker_registry` as a URL; default https://registry-1.docker.io. */
  readonly defaultRegistry?: string;
  /** By registry `host[:port]`. */
  readonly credentials?: ReadonlyMap<string, Credentials>;
}

export class RegistrySource implements ImageSource {
  readonly description: string;
  readonly #defaultUrl: URL;
  readonly #credentials: ReadonlyMap<string, Credentials>;
  readonly #clients = new Map<string, RegistryClient>();

  constructor(options: RegistrySourceOptions = {}) {
    this.#defaultUrl = new URL(options.defaultRegistry ?? DEFAULT_REGISTRY_ENDPOINT);
    this.#credentials = options.credentials ?? new Map();
    this.description = `registry ${this.#defaultUrl.origin}`;
  }

  /** The client for the registry this reference lives on. */
  client(ref: ImageReference): RegistryClient {
    const baseUrl = this.#baseUrl(ref.registry);
    let client = this.#clients.get(baseUrl);
    if (client === undefined) {
      const host = new URL(baseUrl).host;
      client = new RegistryClient({ baseUrl, credentials: this.#credentials.get(host) ?? (ref.registry === undefined ? this.#credentials.get(DEFAULT_REGISTRY) : undefined) });
      this.#clients.set(baseUrl, client);
    }
    return client;
  }

  #baseUrl(registry: string | undefined): string {
    if (registry === undefined || registry === this.#defaultUrl.host || registry === DEFAULT_REGISTRY && this.#defaultUrl.origin === DEFAULT_REGISTRY_ENDPOINT) {
      return this.#defaultUrl.origin + this.#defaultUrl.pathname.replace(/\/+$/, '');
    }
    const host = registry.replace(/:\d+$/, '');
    const loopback = host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
    return `${loopback ? 'http' : 'https'}://${registry}`;
  }

  async resolveManifest(ref: ImageReference): Promise<ResolvedManifest> {
    const client = this.client(ref);
    const name = ref.original;
    const first = await client.getManifest(ref.repository, manifestSelector(ref), MANIFEST_ACCEPT);
    const firstDigest = checkManifestDigest(name, first.bytes, ref.digest ?? first.digestHeader);
    const doc = parseManifestDocument(name, first.bytes, first.contentType);
    if (doc.kind === 'manifest') return { manifest: doc, digest: firstDigest };

    const chosen = selectPlatform(name, doc);
    const second = await client.getManifest(ref.repository, chosen.digest, MANIFEST_ACCEPT);
    verifyDigest(`manifest ${chosen.digest} of ${name} (linux/amd64 entry of its index)`, second.bytes, chosen.digest);
    const manifest = parseManifestDocument(name, second.bytes, second.contentType);
    if (manifest.kind !== 'manifest') throw new UnsupportedImageError(name, 'an index entry points at another index');
    return { manifest, digest: chosen.digest };
  }

  async fetchBlob(ref: ImageReference, descriptor: Descriptor): Promise<Uint8Array> {
    const bytes = await this.client(ref).getBlob(ref.repository, descriptor.digest);
    verifyDigest(`blob ${descriptor.digest} of ${ref.original}`, bytes, descriptor.digest);
    return bytes;
  }

  fetchBlobToFile(ref: ImageReference, descriptor: Descriptor, path: string, onBytes: (received: number) => void): Promise<void> {
    return this.client(ref).downloadBlob(ref.repository, descriptor.digest, descriptor.size, path, onBytes);
  }
}

/**
 * The manifest's digest is the sha256 of its raw bytes. When we asked by
 * digest, or the registry named one, they must agree; a tag pull with no
 * Docker-Content-Digest header falls back to the computed digest.
 */
function checkManifestDigest(name: string, bytes: Uint8Array, expected: string | undefined): string {
  const actual = sha256Digest(bytes);
  if (expected !== undefined && expected !== actual) throw new DigestMismatchError(`manifest of ${name}`, expected, actual);
  return actual;
}
