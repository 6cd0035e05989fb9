/**
 * Notices a subscription that went silent. The master sends HEARTBEAT every
 * `heartbeat_interval_seconds` (15 s); a TCP connection through a dead NAT or
 * a hung master can stay "open" forever, so the only sign of a partition is
 * silence. Any event counts as a sign of life. After `maxMissed` intervals
 * (Mesos recommends 5) without one, `onMissed` fires once.
 *
 * Depends only on a timer function, so tests drive it without real time.
 */

/** Schedules `fn` after `ms`; returns a function that cancels it. */
export type SetTimer = (fn: () => void, ms: number) => () => void;

export const realTimer: SetTimer = (fn, ms) => {
  const handle = setTimeout(fn, ms);
  // A watchdog must not keep the process alive on its own.
  handle.unref();
  return () => clearTimeout(handle);
};

export interface HeartbeatWatchdogOptions {
  /** Missed intervals tolerated before onMissed. Default 5. */
  maxMissed?: number;
  setTimer?: SetTimer;
  /** Called once when the deadline passes; the watchdog is then stopped. */
  onMissed: (silentForMs: number) => void;
}

export class HeartbeatWatchdog {
  readonly #maxMissed: number;
  readonly #setTimer: SetTimer;
  readonly #onMissed: (silentForMs: number) => void;
  #deadlineMs = 0;
  #cancel: (() => void) | undefined;

  constructor(options: HeartbeatWatchdogOptions) {
    this.#maxMissed = options.maxMissed ?? 5;
    this.#setTimer = options.setTimer ?? realTimer;
    this.#onMissed = options.onMissed;
  }

  get running(): boolean {
    return this.#cancel !== undefined;
  }

  /** Starts (or restarts) watching with the interval the master announced. */
  start(intervalMs: number): void {
    this.#deadlineMs = intervalMs * this.#maxMissed;
    this.beat();
  }

  /** Something arrived on the stream: push the deadline out. */
  beat(): void {
    if (this.#deadlineMs <= 0) return;
    this.#cancel?.();
    const deadline = this.#deadlineMs;
    this.#cancel = this.#setTimer(() => {
      this.#cancel = undefined;
      this.#deadlineMs = 0;
      this.#onMissed(deadline);
    }, deadline);
  }

  stop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#deadlineMs = 0;
  }
}
