/**
 * Errors of the scheduler client library. Each has a stable code; `retryable`
 * says whether the same thing may succeed later (the subscription loop uses it
 * to decide between backing off and giving up).
 */
import { MesoscaleError } from '../lib/errors.js';

export const SchedulerErrorCode = {
  /** The master answered a call with a 4xx/5xx; see SchedulerCallError.status. */
  callRejected: 'SCHEDULER_CALL_REJECTED',
  /** The master is not reachable or not ready (connection refused, 503, 5xx). */
  masterUnavailable: 'SCHEDULER_MASTER_UNAVAILABLE',
  /** A call needs a subscription and there is none right now. */
  notSubscribed: 'SCHEDULER_NOT_SUBSCRIBED',
  /** The master broke the protocol: wrong content type, missing Mesos-Stream-Id, undecodable event. */
  protocol: 'SCHEDULER_PROTOCOL_ERROR',
  /** More redirects than allowed, or a Location that is not a URL. */
  redirect: 'SCHEDULER_REDIRECT_FAILED',
  /** The client was closed (close(), its AbortSignal, TEARDOWN, or an ERROR event). */
  closed: 'SCHEDULER_CLIENT_CLOSED',
  /** A master URL or option that cannot work. */
  invalidOption: 'SCHEDULER_INVALID_OPTION',
} as const;
export type SchedulerErrorCode = (typeof SchedulerErrorCode)[keyof typeof SchedulerErrorCode];

export class SchedulerError extends MesoscaleError {
  declare readonly code: SchedulerErrorCode;
  constructor(code: SchedulerErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(code, message, options);
  }
}

/** Most bytes of an error body kept in a message. */
const MAX_BODY_CHARS = 4096;

/**
 * A call (or SUBSCRIBE) the master answered with an error status. `mesosMessage`
 * is the master's text body, e.g. `Framework cannot be found` or
 * `Failed to validate scheduler::Call: Not a valid UUID`.
 */
export class SchedulerCallError extends SchedulerError {
  readonly status: number;
  readonly callType: string;
  readonly mesosMessage: string;

  constructor(callType: string, status: number, mesosMessage: string, options: { retryable?: boolean } = {}) {
    const detail = mesosMessage.length > 0 ? `: ${mesosMessage}` : '';
    super(
      status >= 500 ? SchedulerErrorCode.masterUnavailable : SchedulerErrorCode.callRejected,
      `${callType} call failed with HTTP ${status}${detail}`,
      { retryable: options.retryable ?? status >= 500 },
    );
    this.status = status;
    this.callType = callType;
    this.mesosMessage = mesosMessage;
  }

  /**
   * The error for a non-2xx answer. Mesos answers errors as text/plain; a
   * 403 means the master no longer considers us subscribed (the stream is
   * gone), so it is retryable after re-subscribing.
   */
  static fromResponse(callType: string, status: number, body: string): SchedulerCallError {
    const text = body.length > MAX_BODY_CHARS ? `${body.slice(0, MAX_BODY_CHARS)}...` : body.trim();
    return new SchedulerCallError(callType, status, text, { retryable: status >= 500 || status === 403 });
  }

  /** The master says this framework's subscription is gone (403, or 400 about the stream id). */
  get indicatesSubscriptionLoss(): boolean {
    return this.status === 403 || (this.status === 400 && /Mesos-Stream-Id/i.test(this.mesosMessage));
  }
}

/** Calls need a live subscription (framework id and Mesos-Stream-Id). */
export class NotSubscribedError extends SchedulerError {
  constructor(callType: string, state: string) {
    super(
      SchedulerErrorCode.notSubscribed,
      `Cannot send ${callType}: the scheduler is ${state}, not subscribed; wait for SUBSCRIBED`,
      { retryable: true },
    );
  }
}

export class MasterUnavailableError extends SchedulerError {
  constructor(url: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(SchedulerErrorCode.masterUnavailable, `Master at ${url} is not reachable: ${why}`, {
      retryable: true,
      cause,
    });
  }
}

export class SchedulerProtocolError extends SchedulerError {
  constructor(message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(SchedulerErrorCode.protocol, message, options);
  }
}

export class RedirectError extends SchedulerError {
  constructor(message: string) {
    super(SchedulerErrorCode.redirect, message, { retryable: true });
  }
}

export class SchedulerClosedError extends SchedulerError {
  constructor(reason: string, cause?: unknown) {
    super(SchedulerErrorCode.closed, `The scheduler client is closed: ${reason}`, { cause });
  }
}

export class InvalidSchedulerOptionError extends SchedulerError {
  constructor(message: string) {
    super(SchedulerErrorCode.invalidOption, message);
  }
}
