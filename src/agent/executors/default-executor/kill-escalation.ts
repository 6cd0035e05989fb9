/**
 * A kill with a grace period: SIGTERM now, SIGKILL when the grace ends, as
 * Mesos' executors do it. Delivery (and retrying it while the agent is away)
 * is the caller's `deliver`; this only decides when each signal is due.
 * A second kill may only shorten the remaining grace, never extend it.
 */
export class KillEscalation {
  readonly #deliver: (signal: NodeJS.Signals) => void;
  #terminated = false;
  #escalateAt = Infinity;
  #timer: NodeJS.Timeout | undefined;
  #cancelled = false;

  constructor(deliver: (signal: NodeJS.Signals) => void) {
    this.#deliver = deliver;
  }

  /** Whether SIGTERM went out already (a later kill only moves the SIGKILL). */
  get started(): boolean {
    return this.#terminated;
  }

  kill(graceMs: number, now: number = Date.now()): void {
    if (this.#cancelled) return;
    if (!this.#terminated) {
      this.#terminated = true;
      this.#deliver('SIGTERM');
    }
    const escalateAt = now + graceMs;
    if (escalateAt >= this.#escalateAt) return;
    this.#escalateAt = escalateAt;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (!this.#cancelled) this.#deliver('SIGKILL');
    }, graceMs);
  }

  /** The container is gone (or the executor is): no SIGKILL. */
  cancel(): void {
    this.#cancelled = true;
    clearTimeout(this.#timer);
  }
}
