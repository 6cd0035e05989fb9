/**
 * The executor's connection to its agent, as Mesos' default executor tracks
 * it: DISCONNECTED or SUBSCRIBED, and a connection id minted for every
 * SUBSCRIBE attempt and every disconnection. Work that needs the agent waits for `whenSubscribed()`;
 * a result that arrives under an older `id` came from a connection that is
 * gone and is dropped by whoever made the call.
 */
export class ConnectionState {
  #subscribed = false;
  #id = 0;
  #closed = false;
  #waiting: Array<() => void> = [];

  get id(): number {
    return this.#id;
  }

  get subscribed(): boolean {
    return this.#subscribed;
  }

  /** A new SUBSCRIBE is about to be made: earlier calls' results become stale. */
  connecting(): void {
    this.#subscribed = false;
    this.#id += 1;
  }

  /** SUBSCRIBED arrived: everything waiting for the agent resumes. */
  markSubscribed(): void {
    this.#subscribed = true;
    for (const wake of this.#waiting.splice(0)) wake();
  }

  /** The stream ended: a call made on it that answers later answers for a connection that is gone. */
  markDisconnected(): void {
    this.#subscribed = false;
    this.#id += 1;
  }

  /** The executor is exiting: nothing waits any more. */
  close(): void {
    this.#closed = true;
    this.#subscribed = false;
    for (const wake of this.#waiting.splice(0)) wake();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** True once subscribed (at once when subscribed now); false when the executor exits first. */
  whenSubscribed(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#subscribed) return Promise.resolve(true);
    return new Promise((resolve) => this.#waiting.push(() => resolve(!this.#closed)));
  }
}
