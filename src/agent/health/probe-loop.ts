/**
 * Runs one probe at a time, at the times a core asks for. The edge between
 * the pure cores and the world: timers, the in-flight probe, cancellation.
 *
 * Invariant: at most one timer or one probe is pending; once stopped, no
 * result is delivered (a probe in flight is aborted and its result dropped),
 * so a kill or exit never races with a late "healthy" update.
 */
import type { Clock } from '../../lib/clock.js';
import type { Prober, ProbeResult } from './probe.js';

export class ProbeLoop {
  readonly #prober: Prober;
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  readonly #onResult: (result: ProbeResult) => void;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: AbortController | undefined;
  #stopped = false;

  constructor(prober: Prober, timeoutMs: number, clock: Clock, onResult: (result: ProbeResult) => void) {
    this.#prober = prober;
    this.#timeoutMs = timeoutMs;
    this.#clock = clock;
    this.#onResult = onResult;
  }

  /** Probes at `atMs` (clock time); replaces a pending timer. */
  probeAt(atMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    // unref: checks alone never keep an executor process alive.
    this.#timer = setTimeout(() => void this.#probe(), Math.max(0, atMs - this.#clock.now())).unref();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#inFlight?.abort();
  }

  async #probe(): Promise<void> {
    this.#timer = undefined;
    if (this.#stopped) return;
    const abort = new AbortController();
    this.#inFlight = abort;
    let result: ProbeResult;
    try {
      result = await this.#prober(this.#timeoutMs, abort.signal);
    } catch (err) {
      // Probers resolve with errors as results; this is a bug, reported as "no answer".
      result = { kind: 'error', message: `The probe failed unexpectedly: ${(err as Error).message}` };
    }
    this.#inFlight = undefined;
    if (!this.#stopped) this.#onResult(result);
  }
}
