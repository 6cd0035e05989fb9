import { MesoscaleError } from '../lib/errors.js';

/**
 * Error codes of the resource model. Stable: the HTTP edges map them to
 * statuses and clients match on them.
 */
export const ResourcesErrorCode = {
  /** A `--resources`, resources JSON or `--min_allocatable_resources` value could not be parsed. */
  PARSE: 'RESOURCES_PARSE_ERROR',
  /** An `--attributes` value could not be parsed. */
  ATTRIBUTES_PARSE: 'ATTRIBUTES_PARSE_ERROR',
  /** A resource built in code is invalid (negative scalar, bad range, bad role). */
  INVALID: 'RESOURCES_INVALID',
} as const;
export type ResourcesErrorCode = (typeof ResourcesErrorCode)[keyof typeof ResourcesErrorCode];

/**
 * Raised by the resource parsers. `piece` is the offending fragment of the
 * input, quoted in the message: `Invalid resources 'cpus:abc': 'abc' is not a number`.
 */
export class ResourcesParseError extends MesoscaleError {
  readonly piece: string;
  readonly reason: string;
  constructor(piece: string, reason: string, subject = 'resources') {
    super(ResourcesErrorCode.PARSE, `Invalid ${subject} '${piece}': ${reason}`, { httpStatus: 400 });
    this.piece = piece;
    this.reason = reason;
  }
}

/** Raised by the `--attributes` parser; `piece` is the offending `name:value` token. */
export class AttributesParseError extends MesoscaleError {
  readonly piece: string;
  readonly reason: string;
  constructor(piece: string, reason: string) {
    super(ResourcesErrorCode.ATTRIBUTES_PARSE, `Invalid attributes '${piece}': ${reason}`, { httpStatus: 400 });
    this.piece = piece;
    this.reason = reason;
  }
}

/** A resource constructed in code breaks a rule of the model. */
export class InvalidResourceError extends MesoscaleError {
  constructor(message: string) {
    super(ResourcesErrorCode.INVALID, message, { httpStatus: 400 });
  }
}
