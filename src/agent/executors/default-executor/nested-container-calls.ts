/**
 * The executor's use of the NestedContainerPort: each call waits until the
 * executor is subscribed, calls that find the agent unavailable are retried
 * after a pause, and a wait result that arrives under an older connection id
 * is dropped and the wait made again (Mesos' default executor resumes waiting
 * on its children after re-subscribing).
 */
import { errorMessage } from '../../../lib/errors.js';
import type { ConnectionState } from './connection-state.js';
import {
  describeContainerId,
  type NestedContainerExit,
  NestedContainerExistsError,
  type NestedContainerId,
  type NestedContainerLaunch,
  NestedContainerNotFoundError,
  type NestedContainerPort,
} from './nested-container-port.js';

export class NestedContainerCalls {
  readonly #port: NestedContainerPort;
  readonly #connection: ConnectionState;
  readonly #retryIntervalMs: number;
  readonly #log: (line: string) => void;

  constructor(port: NestedContainerPort, connection: ConnectionState, retryIntervalMs: number, log: (line: string) => void) {
    this.#port = port;
    this.#connection = connection;
    this.#retryIntervalMs = retryIntervalMs;
    this.#log = log;
  }

  /** Undefined once the container runs; else why it could not be launched. */
  async launch(launch: NestedContainerLaunch, what: string): Promise<string | undefined> {
    while (await this.#connection.whenSubscribed()) {
      try {
        await this.#port.launch(launch);
        this.#log(`Launched child container ${describeContainerId(launch.containerId)} of ${what}`);
        return undefined;
      } catch (err) {
        // A launch retried after losing the agent may have reached it the first time.
        if (err instanceof NestedContainerExistsError) return undefined;
        if (!isRetryable(err)) return errorMessage(err);
        this.#log(`${errorMessage(err)} (launching ${what})`);
        await sleep(this.#retryIntervalMs);
      }
    }
    return 'The executor stopped before the container was launched';
  }

  /** How the container ended, as learnt on the current connection; undefined when the executor stopped first. */
  async wait(containerId: NestedContainerId, what: string): Promise<NestedContainerExit | undefined> {
    while (await this.#connection.whenSubscribed()) {
      const connectionId = this.#connection.id;
      let exit: NestedContainerExit;
      try {
        exit = await this.#port.wait(containerId);
      } catch (err) {
        if (err instanceof NestedContainerNotFoundError || !isRetryable(err)) {
          // Mesos' executor gives up on the whole executor here; ending just this task (unknown status) is kinder.
          exit = { message: errorMessage(err) };
        } else {
          this.#log(`Waiting on child container ${describeContainerId(containerId)} of ${what} interrupted: ${errorMessage(err)}; waiting again`);
          await sleep(this.#retryIntervalMs);
          continue;
        }
      }
      if (this.#connection.closed) return undefined;
      if (connectionId !== this.#connection.id) {
        this.#log(`Ignoring the wait result of ${what} from a stale connection; waiting again`);
        continue;
      }
      return exit;
    }
    return undefined;
  }

  /** Delivers `signal`, retrying while the agent is unavailable and `stillWanted()`. */
  async signal(containerId: NestedContainerId, signal: NodeJS.Signals, stillWanted: () => boolean): Promise<void> {
    while (await this.#connection.whenSubscribed()) {
      try {
        await this.#port.kill(containerId, signal);
        return;
      } catch (err) {
        if (!isRetryable(err)) {
          this.#log(`Could not send ${signal} to child container ${describeContainerId(containerId)}: ${errorMessage(err)}`);
          return;
        }
        if (!stillWanted()) return;
        await sleep(this.#retryIntervalMs);
      }
    }
  }
}

function isRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
