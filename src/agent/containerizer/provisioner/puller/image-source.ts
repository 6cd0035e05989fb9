/**
 * Where image bytes come from: a registry (registry-source.ts) or a local
 * image archive (archive-source.ts). A source hands out VERIFIED bytes only:
 * every manifest, config and blob is checked against its digest before it
 * is returned or before the file is declared complete.
 */
import type { Descriptor, ImageManifest } from '../manifest.js';
import type { ImageReference } from '../reference.js';

export interface ResolvedManifest {
  readonly manifest: ImageManifest;
  /** Digest of the image manifest (after index resolution). */
  readonly digest: string;
}

export interface ImageSource {
  /** For messages: `registry http://127.0.0.1:5000`, `archive /x/busybox.tar`. */
  readonly description: string;
  /** Fetches the manifest, resolving an index or manifest list to linux/amd64. */
  resolveManifest(ref: ImageReference): Promise<ResolvedManifest>;
  /** Small JSON blobs (the config). */
  fetchBlob(ref: ImageReference, descriptor: Descriptor): Promise<Uint8Array>;
  /** Writes a layer blob to `path`, calling `onBytes(total so far)` as it goes. */
  fetchBlobToFile(ref: ImageReference, descriptor: Descriptor, path: string, onBytes: (received: number) => void): Promise<void>;
}
