/**
 * AUFS-style whiteouts, as Docker and OCI layers carry them:
 *
 *   <dir>/.wh.<name>      <name> from the layers below is deleted
 *   <dir>/.wh..wh..opq    everything the layers below put in <dir> is hidden
 *
 * The markers must never appear in a container's root filesystem. The copy
 * backend applies them while merging layers; for the overlay backend each
 * layer is converted once into overlayfs' own form (a 0/0 character device
 * for a deleted name, the `trusted.overlay.opaque=y` xattr for an opaque dir).
 */
export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

export type Whiteout =
  | { readonly kind: 'opaque' }
  | { readonly kind: 'delete'; readonly name: string }
  | { readonly kind: 'aufs-meta' };

/** Classifies a base name; undefined for ordinary names. */
export function parseWhiteout(baseName: string): Whiteout | undefined {
  if (!baseName.startsWith(WHITEOUT_PREFIX)) return undefined;
  if (baseName === OPAQUE_MARKER) return { kind: 'opaque' };
  // `.wh..wh.plnk`, `.wh..wh.aufs` ...: AUFS' own bookkeeping, never part of an image.
  if (baseName.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return { kind: 'aufs-meta' };
  return { kind: 'delete', name: baseName.slice(WHITEOUT_PREFIX.length) };
}
