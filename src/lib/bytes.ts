/**
 * Byte sizes in stout's text syntax (`3rdparty/stout/include/stout/bytes.hpp`),
 * as used by Mesos' Bytes-typed flags.
 *
 *   parse:  <digits><unit>, unit one of B, KB, MB, GB, TB (1024-based,
 *           case-insensitive like stout): "512MB" -> 536870912
 *           rejected: "1.5GB" (stout has no fractional bytes), "-1MB", "10", "10K"
 *   format: the largest unit that divides the value exactly (stout only raises
 *           the unit when nothing is lost): 1536 -> "1536B"
 *           (1.5KB is not whole); 2048 -> "2KB"; 1048576 -> "1MB"; 0 -> "0B".
 */
import { MesoscaleError } from './errors.js';

export const BYTE_UNITS = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
} as const;

export type ByteUnit = keyof typeof BYTE_UNITS;

const UNIT_LIST = Object.keys(BYTE_UNITS).join(', ');

export const BytesErrorCode = {
  invalid: 'BYTES_INVALID',
} as const;

/** A string that is not a stout byte size, or a value that cannot be formatted. */
export class BytesError extends MesoscaleError {
  readonly value: string;
  constructor(value: string, reason: string) {
    super(BytesErrorCode.invalid, `Invalid byte size '${value}': ${reason}`);
    this.value = value;
  }
}

function isUnit(s: string): s is ByteUnit {
  return Object.hasOwn(BYTE_UNITS, s);
}

/** Parses `512MB`, `4GB`, `100B` ... into a number of bytes. Throws BytesError. */
export function parseBytes(text: string): number {
  const match = /^(\d*)(.*)$/s.exec(text);
  const digits = match?.[1] ?? '';
  const unitText = match?.[2] ?? '';

  if (text.length === 0) {
    throw new BytesError(text, `expected a whole number followed by one of ${UNIT_LIST}`);
  }
  if (digits.length === 0) {
    throw new BytesError(
      text,
      text.startsWith('-') ? 'negative sizes are not allowed' : `expected a whole number before the unit; e.g. '512MB'`,
    );
  }
  if (unitText.startsWith('.')) {
    throw new BytesError(text, 'fractional sizes are not allowed; use a smaller unit (e.g. 1536MB, not 1.5GB)');
  }
  if (unitText.length === 0) {
    throw new BytesError(text, `missing unit; use one of ${UNIT_LIST}`);
  }
  const unit = unitText.toUpperCase();
  if (!isUnit(unit)) {
    throw new BytesError(text, `unknown unit '${unitText}'; use one of ${UNIT_LIST}`);
  }
  const bytes = Number(digits) * BYTE_UNITS[unit];
  if (!Number.isSafeInteger(bytes)) {
    throw new BytesError(text, 'value is too large');
  }
  return bytes;
}

/** Formats like stout: the largest unit that divides the value exactly. */
export function formatBytes(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new BytesError(String(bytes), 'only non-negative whole numbers of bytes can be formatted');
  }
  if (bytes === 0) return '0B';
  let unit: ByteUnit = 'B';
  for (const candidate of ['KB', 'MB', 'GB', 'TB'] as const) {
    if (bytes % BYTE_UNITS[candidate] !== 0) break;
    unit = candidate;
  }
  return `${bytes / BYTE_UNITS[unit]}${unit}`;
}
