import { MesoscaleError } from '../errors.js';

export const FlagErrorCode = {
  /** A value that does not parse or validate, or a malformed flag (`--no-port`, `--port`). */
  invalid: 'FLAG_INVALID',
  /** A command-line flag nobody defined. */
  unknown: 'FLAG_UNKNOWN',
  /** A required flag given nowhere. */
  missing: 'FLAG_MISSING',
  /** The same flag twice in one source, e.g. under its name and its deprecated alias. */
  duplicate: 'FLAG_DUPLICATE',
} as const;
export type FlagErrorCode = (typeof FlagErrorCode)[keyof typeof FlagErrorCode];

/**
 * Why the process refuses to start. The message names the flag and where its
 * value came from, because it is printed to the operator as is.
 */
export class FlagError extends MesoscaleError {
  declare readonly code: FlagErrorCode;
  /** Canonical name of the flag concerned (the first one, for several missing flags). */
  readonly flag: string;
  /** Where the value came from (`--port=x`, `environment variable MESOS_PORT`), if anywhere. */
  readonly source: string | undefined;

  constructor(
    code: FlagErrorCode,
    flag: string,
    message: string,
    options: { source?: string; cause?: unknown } = {},
  ) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.flag = flag;
    this.source = options.source;
  }
}
