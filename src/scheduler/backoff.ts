/**
 * Delays between re-subscription attempts: exponential, capped, with jitter so
 * that many schedulers cut off by the same master failover do not come back
 * in lock-step. Pure: randomness is injected.
 *
 *   attempt n (0-based): base = min(maxMs, initialMs * 2^n)
 *                        delay = base * (1 - jitter + jitter * random())
 */
import { InvalidSchedulerOptionError } from './errors.js';

export interface BackoffOptions {
  /** First delay before jitter. Default 500 ms. */
  initialMs?: number;
  /** Largest delay before jitter. Default 30 s. */
  maxMs?: number;
  /** Fraction of each delay that is random, in [0, 1]. Default 0.5. */
  jitter?: number;
  /** Uniform in [0, 1); default Math.random. */
  random?: () => number;
}

export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 500;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#jitter = options.jitter ?? 0.5;
    this.#random = options.random ?? Math.random;
    if (!(this.#initialMs > 0) || !(this.#maxMs >= this.#initialMs)) {
      throw new InvalidSchedulerOptionError(
        `Invalid backoff: need 0 < initialMs <= maxMs, got initialMs=${this.#initialMs} maxMs=${this.#maxMs}`,
      );
    }
    if (!(this.#jitter >= 0 && this.#jitter <= 1)) {
      throw new InvalidSchedulerOptionError(`Invalid backoff jitter ${this.#jitter}: must be within [0, 1]`);
    }
  }

  /** Attempts since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; advances the attempt counter. */
  next(): number {
    // Cap the exponent so 2^n never overflows into Infinity.
    const base = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#attempt, 52));
    this.#attempt++;
    return base * (1 - this.#jitter + this.#jitter * this.#random());
  }

  /** After a successful subscription: start again from the initial delay. */
  reset(): void {
    this.#attempt = 0;
  }
}
