/**
 * Errors the provisioner throws on purpose. Every message names the image,
 * digest, layer entry or container concerned and says what to do about it.
 * Codes are stable and listed in docs/provisioner.md.
 */
import { MesoscaleError } from '../../../lib/errors.js';

/** `name` in an image reference or a flag value cannot be used. */
export class ImageReferenceError extends MesoscaleError {
  constructor(reference: string, reason: string) {
    super('PROVISIONER_BAD_REFERENCE', `invalid image reference '${reference}': ${reason}`, { httpStatus: 400 });
  }
}

/** Bytes whose sha256 is not the digest they were fetched or stored under. */
export class DigestMismatchError extends MesoscaleError {
  readonly expected: string;
  readonly actual: string;
  constructor(what: string, expected: string, actual: string) {
    super(
      'PROVISIONER_DIGEST_MISMATCH',
      `${what}: content digest is ${actual} but ${expected} was expected; the registry or archive served corrupt or tampered data (the download was discarded, pull again or repair the registry)`,
      { retryable: true },
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** The registry answered, but not with what the V2 API promises. */
export class RegistryError extends MesoscaleError {
  readonly status: number | undefined;
  constructor(message: string, options: { status?: number; retryable?: boolean; cause?: unknown } = {}) {
    super('PROVISIONER_REGISTRY_ERROR', message, { retryable: options.retryable ?? false, cause: options.cause });
    this.status = options.status;
  }
}

/** The registry refused our credentials, or the token server did. */
export class RegistryAuthError extends MesoscaleError {
  constructor(message: string, cause?: unknown) {
    super('PROVISIONER_REGISTRY_AUTH', message, { cause });
  }
}

/** Neither the registry nor the local archive directory has the image. */
export class ImageNotFoundError extends MesoscaleError {
  constructor(reference: string, where: string, detail?: string) {
    super('PROVISIONER_IMAGE_NOT_FOUND', `image '${reference}' was not found in ${where}${detail ? `: ${detail}` : ''}`, { httpStatus: 404 });
  }
}

/** A manifest, index, config or archive we cannot use (unknown media type, no linux/amd64 ...). */
export class UnsupportedImageError extends MesoscaleError {
  constructor(reference: string, reason: string) {
    super('PROVISIONER_UNSUPPORTED_IMAGE', `image '${reference}' cannot be used: ${reason}`);
  }
}

/** Names one hostile or unsupported entry of a layer tarball. Nothing of the layer was kept. */
export class HostileLayerError extends MesoscaleError {
  readonly layer: string;
  readonly entry: string;
  readonly reason: HostileReason;
  constructor(layer: string, entry: string, reason: HostileReason, detail: string) {
    super(
      'PROVISIONER_HOSTILE_LAYER',
      `layer ${layer} refused: entry '${entry}' ${detail}; the image is unsafe or corrupt, nothing of this layer was extracted`,
    );
    this.layer = layer;
    this.entry = entry;
    this.reason = reason;
  }
}

export const HostileReason = {
  traversal: 'traversal',
  absolute: 'absolute',
  symlinkParent: 'symlink-parent',
  hardlinkEscape: 'hardlink-escape',
  device: 'device',
  unsupportedType: 'unsupported-type',
  malformed: 'malformed',
} as const;
export type HostileReason = (typeof HostileReason)[keyof typeof HostileReason];

/** GNU tar, mount, umount, mknod, setfattr or cp failed. */
export class ProvisionerCommandError extends MesoscaleError {
  constructor(command: string, detail: string) {
    super('PROVISIONER_COMMAND_FAILED', `${command} failed: ${detail}`);
  }
}

/** A backend could not build or remove a container's root filesystem. */
export class BackendError extends MesoscaleError {
  constructor(backend: string, containerId: string, reason: string, cause?: unknown) {
    super('PROVISIONER_BACKEND_FAILED', `${backend} backend, container ${containerId}: ${reason}`, { cause });
  }
}

/** The store directory holds something we did not write (or a newer format). */
export class StoreError extends MesoscaleError {
  constructor(message: string, cause?: unknown) {
    super('PROVISIONER_STORE_ERROR', message, { cause });
  }
}

/** Every code above, for the docs test. */
export const PROVISIONER_ERROR_CODES = [
  'PROVISIONER_BAD_REFERENCE',
  'PROVISIONER_DIGEST_MISMATCH',
  'PROVISIONER_REGISTRY_ERROR',
  'PROVISIONER_REGISTRY_AUTH',
  'PROVISIONER_IMAGE_NOT_FOUND',
  'PROVISIONER_UNSUPPORTED_IMAGE',
  'PROVISIONER_HOSTILE_LAYER',
  'PROVISIONER_COMMAND_FAILED',
  'PROVISIONER_BACKEND_FAILED',
  'PROVISIONER_STORE_ERROR',
] as const;
