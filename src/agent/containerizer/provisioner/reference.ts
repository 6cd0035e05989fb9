/**
 * Docker image references, parsed as docker and Mesos do:
 *
 *   [registry[:port]/][namespace/]repository[:tag][@sha256:<64 hex>]
 *
 * - The first component is a registry only if it contains '.' or ':' or is
 *   'localhost'; otherwise the image is on the default registry.
 * - On the default registry a one-component name gets the `library/` namespace.
 * - No tag and no digest means tag `latest`. A digest, when present, decides
 *   what is pulled (the tag is kept only for display).
 */
import { ImageReferenceError } from './errors.js';
import { DIGEST_PATTERN } from './digest.js';

export const DEFAULT_REGISTRY = 'docker.io';
/** Where docker.io's V2 API actually lives. */
export const DEFAULT_REGISTRY_ENDPOINT = 'https://registry-1.docker.io';
export const DEFAULT_TAG = 'latest';

export interface ImageReference {
  /** `host[:port]`, or undefined when the name has none (use the configured default). */
  readonly registry: string | undefined;
  /** Repository path on the registry, e.g. `library/busybox`, `test/big`. */
  readonly repository: string;
  readonly tag: string;
  readonly digest: string | undefined;
  /** The string as the user wrote it. */
  readonly original: string;
}

// Lower-case path components separated by '.', '_', '__' or dashes (distribution's grammar).
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

export function parseImageReference(input: string): ImageReference {
  const original = input;
  let rest = input.trim();
  if (rest === '') throw new ImageReferenceError(original, 'it is empty');

  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_PATTERN.test(digest)) {
      throw new ImageReferenceError(original, `'${digest}' is not a sha256 digest (sha256:<64 lower-case hex>)`);
    }
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new ImageReferenceError(original, `tag '${tag}' is not valid`);
  }

  const parts = rest.split('/');
  let registry: string | undefined;
  if (parts.length > 1 && isRegistryComponent(parts[0]!)) {
    registry = parts.shift()!;
  }
  if (parts.length === 0 || parts.some((p) => !PATH_COMPONENT.test(p))) {
    throw new ImageReferenceError(original, `repository '${parts.join('/')}' must be lower-case letters, digits and separators`);
  }
  if (registry === undefined && parts.length === 1) parts.unshift('library');
  return { registry, repository: parts.join('/'), tag: tag ?? DEFAULT_TAG, digest, original };
}

function isRegistryComponent(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

/** What the registry is asked for: the digest when there is one, else the tag. */
export function manifestSelector(ref: ImageReference): string {
  return ref.digest ?? ref.tag;
}

/**
 * The canonical name the store records an image under, e.g.
 * `library/busybox:latest`, `127.0.0.1:5000/test/big:v1`, or
 * `.../x@sha256:...`. Two spellings of one image map to one key.
 */
export function canonicalName(ref: ImageReference): string {
  const name = ref.registry === undefined ? ref.repository : `${ref.registry}/${ref.repository}`;
  return ref.digest !== undefined ? `${name}@${ref.digest}` : `${name}:${ref.tag}`;
}
