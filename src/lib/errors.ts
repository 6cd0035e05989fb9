/**
 * Base of every error mesoscale throws on purpose.
 *
 * Each error has a stable `code` (documented in docs/errors.md), an optional HTTP
 * status used by the HTTP edges, and whether retrying the same thing can succeed.
 */
export class MesoscaleError extends Error {
  readonly code: string;
  readonly httpStatus: number | undefined;
  readonly retryable: boolean;

  constructor(
    code: string,
    message: string,
    options: { httpStatus?: number; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = options.httpStatus;
    this.retryable = options.retryable ?? false;
  }
}

/** A broken internal invariant: a bug in mesoscale, never the user's input. */
export class InvariantError extends MesoscaleError {
  constructor(message: string) {
    super('INVARIANT_BROKEN', message);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
