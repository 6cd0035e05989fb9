import { randomUUID } from 'node:crypto';

/** A random v4 UUID as the 16 raw bytes Mesos puts in TaskStatus.uuid. */
export function randomUuidBytes(): Uint8Array {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex');
}

/** 16 bytes with a UUID version of 1 to 5, as Mesos checks acknowledgement uuids. */
export function isValidUuidBytes(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false;
  const version = bytes[6]! >> 4;
  return version >= 1 && version <= 5;
}

export function uuidBytesToString(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuidBytesEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && Buffer.from(a).equals(Buffer.from(b));
}
