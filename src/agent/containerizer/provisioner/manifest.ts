/**
 * Image manifests, indexes and configs (Docker schema2 and OCI), parsed from
 * the raw bytes that were digest-checked. No I/O here.
 *
 *   index / manifest list ──(linux/amd64)──▶ manifest ──▶ config + layers[]
 */
import { UnsupportedImageError } from './errors.js';
import { isDigest } from './digest.js';

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

/**
 * Sent on every manifest GET: without it distribution 2.8 down-converts Docker
 * images to signed schema1, and answers 404 for OCI manifests and indexes.
 */
export const MANIFEST_ACCEPT = [MediaType.ociIndex, MediaType.ociManifest, MediaType.dockerList, MediaType.dockerManifest].join(', ');

export type LayerCompression = 'gzip' | 'none';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: { readonly os?: string | undefined; readonly architecture?: string | undefined; readonly variant?: string | undefined };
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface LayerDescriptor extends Descriptor {
  readonly compression: LayerCompression;
}

export interface ImageManifest {
  readonly kind: 'manifest';
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly LayerDescriptor[];
}

export interface ImageIndex {
  readonly kind: 'index';
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
}

/** What the runtime needs from the image config (docker/runtime isolator input). */
export interface ImageRuntimeConfig {
  readonly entrypoint: readonly string[] | undefined;
  readonly cmd: readonly string[] | undefined;
  readonly env: readonly string[];
  readonly workingDir: string | undefined;
  readonly user: string | undefined;
}

export interface ImageConfig {
  readonly architecture: string | undefined;
  readonly os: string | undefined;
  /** sha256 of each layer's uncompressed tar, bottom layer first. */
  readonly diffIds: readonly string[];
  readonly runtime: ImageRuntimeConfig;
}

/**
 * Parses a manifest or an index. `contentType` is the registry's
 * Content-Type (or the descriptor's mediaType); the document's own
 * `mediaType` field wins when present, because archives carry no headers.
 */
export function parseManifestDocument(reference: string, bytes: Uint8Array, contentType?: string): ImageManifest | ImageIndex {
  const doc = parseJson(reference, bytes, 'manifest');
  const mediaType = stringField(doc.mediaType) ?? stripParameters(contentType) ?? guessMediaType(doc);
  switch (mediaType) {
    case MediaType.ociIndex:
    case MediaType.dockerList:
      return { kind: 'index', mediaType, manifests: arrayField(reference, doc.manifests, 'manifests').map((d) => descriptor(reference, d)) };
    case MediaType.ociManifest:
    case MediaType.dockerManifest: {
      if (doc.schemaVersion !== 2) throw new UnsupportedImageError(reference, `manifest schemaVersion ${String(doc.schemaVersion)} (only 2 is supported)`);
      const layers = arrayField(reference, doc.layers, 'layers').map((d) => layerDescriptor(reference, descriptor(reference, d)));
      return { kind: 'manifest', mediaType, config: descriptor(reference, doc.config), layers };
    }
    case MediaType.dockerSchema1:
    case MediaType.dockerSchema1Signed:
      throw new UnsupportedImageError(reference, 'Docker schema1 manifests are deprecated and not supported; push the image again with a current docker or skopeo (schema2 or OCI)');
    default:
      throw new UnsupportedImageError(reference, `unknown manifest media type '${mediaType ?? '(none)'}'`);
  }
}

/** Picks the linux/amd64 entry of an index, as docker does on this architecture. */
export function selectPlatform(reference: string, index: ImageIndex, os = 'linux', architecture = 'amd64'): Descriptor {
  const match = index.manifests.find((m) => m.platform?.os === os && m.platform?.architecture === architecture);
  if (match === undefined) {
    const offered = index.manifests.map((m) => `${m.platform?.os ?? '?'}/${m.platform?.architecture ?? '?'}`).join(', ') || 'none';
    throw new UnsupportedImageError(reference, `the index has no ${os}/${architecture} manifest (it offers: ${offered})`);
  }
  return match;
}

export function parseImageConfig(reference: string, bytes: Uint8Array): ImageConfig {
  const doc = parseJson(reference, bytes, 'config');
  const config = (isObject(doc.config) ? doc.config : {}) as Record<string, unknown>;
  const rootfs = isObject(doc.rootfs) ? doc.rootfs : {};
  const diffIds = arrayField(reference, rootfs.diff_ids ?? [], 'rootfs.diff_ids').map((d) => {
    if (typeof d !== 'string' || !isDigest(d)) throw new UnsupportedImageError(reference, `config rootfs.diff_ids holds '${String(d)}', not a sha256 digest`);
    return d;
  });
  return {
    architecture: stringField(doc.architecture),
    os: stringField(doc.os),
    diffIds,
    runtime: {
      entrypoint: stringArray(config.Entrypoint),
      cmd: stringArray(config.Cmd),
      env: stringArray(config.Env) ?? [],
      workingDir: stringField(config.WorkingDir) || undefined,
      user: stringField(config.User) || undefined,
    },
  };
}

function layerDescriptor(reference: string, d: Descriptor): LayerDescriptor {
  switch (d.mediaType) {
    case MediaType.ociLayerGzip:
    case MediaType.dockerLayerGzip:
    case MediaType.ociLayerNondistributableGzip:
    case MediaType.dockerForeignLayerGzip:
      return { ...d, compression: 'gzip' };
    case MediaType.ociLayer:
      return { ...d, compression: 'none' };
    case MediaType.ociLayerZstd:
      throw new UnsupportedImageError(reference, `layer ${d.digest} is zstd-compressed, which is not supported yet; push a gzip variant`);
    default:
      throw new UnsupportedImageError(reference, `layer ${d.digest} has unknown media type '${d.mediaType}'`);
  }
}

function descriptor(reference: string, value: unknown): Descriptor {
  if (!isObject(value)) throw new UnsupportedImageError(reference, 'a descriptor is not an object');
  const { mediaType, digest, size, platform, annotations } = value;
  if (typeof digest !== 'string' || !isDigest(digest)) throw new UnsupportedImageError(reference, `descriptor digest '${String(digest)}' is not sha256:<64 hex>`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new UnsupportedImageError(reference, `descriptor ${digest} has no valid size`);
  let result: Descriptor = { mediaType: typeof mediaType === 'string' ? mediaType : '', digest, size };
  if (isObject(annotations)) {
    result = { ...result, annotations: Object.fromEntries(Object.entries(annotations).filter((e): e is [string, string] => typeof e[1] === 'string')) };
  }
  if (isObject(platform)) {
    return { ...result, platform: { os: stringField(platform.os), architecture: stringField(platform.architecture), variant: stringField(platform.variant) } };
  }
  return result;
}

function guessMediaType(doc: Record<string, unknown>): string | undefined {
  // OCI allows mediaType to be absent; the shape tells which document it is.
  if (Array.isArray(doc.manifests)) return MediaType.ociIndex;
  if (Array.isArray(doc.layers)) return MediaType.ociManifest;
  return undefined;
}

function stripParameters(contentType: string | undefined): string | undefined {
  const bare = contentType?.split(';')[0]?.trim();
  return bare === '' || bare === 'application/json' || bare === 'text/plain' ? undefined : bare;
}

function parseJson(reference: string, bytes: Uint8Array, what: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new UnsupportedImageError(reference, `the ${what} is not JSON (${(err as Error).message})`);
  }
  if (!isObject(doc)) throw new UnsupportedImageError(reference, `the ${what} is not a JSON object`);
  return doc;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

function arrayField(reference: string, value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw new UnsupportedImageError(reference, `'${name}' is not an array`);
  return value;
}
