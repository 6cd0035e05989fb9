/**
 * The executor side of the v1 executor API's connection policy (reference
 * 4.3), shared by the command and the default executor:
 *
 *   SUBSCRIBE ──events──► handle ──stream ends──► agent refused (4xx)?  → give up
 *       ▲                                          not checkpointing?    → give up
 *       │                                          past MESOS_RECOVERY_TIMEOUT? → give up
 *       └────────── backoff (doubling, capped at MESOS_SUBSCRIPTION_BACKOFF_MAX) ──┘
 *
 * Each executor keeps its own state; it says here how to subscribe, how to
 * handle an event and how to give up.
 */
import { errorMessage } from '../../lib/errors.js';
import type { Call_Subscribe, Event } from '../../protocol/gen/mesos/v1/executor/executor_pb.js';
import { ExecutorApiError, type ExecutorEnvironment, type ExecutorTransport } from './executor-client.js';

const SUBSCRIBE_BACKOFF_START_MS = 250;

export interface SubscriptionLoop {
  readonly client: ExecutorTransport;
  readonly env: ExecutorEnvironment;
  log(line: string): void;
  /** A new connection starts: returns the signal that ends its stream. */
  connecting(): AbortSignal;
  /** The SUBSCRIBE call for this connection (unacknowledged tasks and updates). */
  subscribeCall(): Call_Subscribe;
  handle(event: Event): void;
  /** The executor's work is over: stop reading and return. */
  finished(): boolean;
  /** Whether the connection that just ended had reached SUBSCRIBED. */
  wasSubscribed(): boolean;
  disconnected(): void;
  /** Ends the executor's work after losing the agent for good; returns the exit code. */
  giveUp(reason: string): number;
  /** Resolves when the work is done once the loop stops because `finished()`. */
  readonly done: Promise<void>;
}

/** Runs the connection loop; resolves with the executor's exit code. */
export async function runSubscriptionLoop(loop: SubscriptionLoop): Promise<number> {
  let backoff = SUBSCRIBE_BACKOFF_START_MS;
  let disconnectedAt = Date.now();
  while (!loop.finished()) {
    const signal = loop.connecting();
    try {
      for await (const event of loop.client.subscribe(loop.subscribeCall(), signal)) {
        backoff = SUBSCRIBE_BACKOFF_START_MS;
        loop.handle(event);
        if (loop.finished()) break;
      }
    } catch (err) {
      if (loop.finished()) break;
      if (err instanceof ExecutorApiError && err.status >= 400 && err.status < 500) {
        return loop.giveUp(`The agent refused the subscription (${err.message}); shutting down`);
      }
      loop.log(`Lost the connection to the agent: ${errorMessage(err)}`);
    }
    if (loop.finished()) break;
    if (loop.wasSubscribed()) disconnectedAt = Date.now();
    loop.disconnected();
    if (!loop.env.checkpoint) return loop.giveUp('Disconnected from the agent and the framework does not checkpoint; shutting down');
    if (Date.now() - disconnectedAt > loop.env.recoveryTimeoutMs) {
      return loop.giveUp('The agent did not come back within MESOS_RECOVERY_TIMEOUT; shutting down');
    }
    await new Promise((resolve) => setTimeout(resolve, backoff));
    backoff = Math.min(backoff * 2, loop.env.subscriptionBackoffMaxMs);
  }
  await loop.done;
  return 0;
}
