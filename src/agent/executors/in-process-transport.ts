/**
 * The executor API without HTTP, for the built-in command executor that runs
 * inside the agent (--http_command_executor=false, Mesos' default). The calls
 * take the same validation and the same backend as `POST /api/v1/executor`,
 * so the executor's behaviour is the one the HTTP executor has; only the
 * process boundary is gone (a Node process per task costs about 0.5 s of CPU
 * here, see docs/compatibility.md).
 */
import { ExecutorCallError } from '../errors.js';
import { type Call, Call_Type, type Call_Subscribe, type Event } from '../../protocol/gen/mesos/v1/executor/executor_pb.js';
import { validateCall, type ExecutorApiBackend } from '../http/executor-api.js';
import type { ExecutorEventSink } from '../http/executor-stream.js';
import { ExecutorApiError, executorCall, type ExecutorEnvironment, type ExecutorTransport } from './executor-client.js';

/** Events queued for the executor's `for await` loop. */
class QueueSink implements ExecutorEventSink {
  #closed = false;
  readonly #events: Event[] = [];
  #wake: (() => void) | undefined;
  readonly #onClose: (() => void)[] = [];

  get closed(): boolean {
    return this.#closed;
  }

  send(event: Event): boolean {
    if (this.#closed) return false;
    this.#events.push(event);
    this.#wake?.();
    return true;
  }

  onClose(fn: () => void): void {
    if (this.#closed) fn();
    else this.#onClose.push(fn);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    for (const fn of this.#onClose.splice(0)) fn();
  }

  async *drain(signal: AbortSignal): AsyncGenerator<Event> {
    const onAbort = () => this.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        while (this.#events.length > 0) yield this.#events.shift()!;
        if (this.#closed) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.close();
    }
  }
}

export class InProcessExecutorTransport implements ExecutorTransport {
  readonly #env: ExecutorEnvironment;
  readonly #backend: ExecutorApiBackend;
  #sink: QueueSink | undefined;
  #disconnected = false;

  constructor(env: ExecutorEnvironment, backend: ExecutorApiBackend) {
    this.#env = env;
    this.#backend = backend;
  }

  call(type: Call_Type, fields: Partial<Pick<Call, 'subscribe' | 'update' | 'message'>> = {}): Call {
    return executorCall(this.#env, type, fields);
  }

  async *subscribe(subscribe: Call_Subscribe, signal: AbortSignal): AsyncGenerator<Event> {
    if (this.#disconnected) throw new ExecutorApiError(403, 'The agent ended this executor');
    const sink = new QueueSink();
    this.#sink = sink;
    asApiError(() => this.#backend.subscribeExecutor(this.#executor(), subscribe, sink));
    yield* sink.drain(signal);
  }

  async send(call: Call): Promise<void> {
    if (this.#disconnected) throw new ExecutorApiError(403, 'The agent ended this executor');
    const problem = validateCall(call);
    if (problem !== undefined) throw new ExecutorApiError(400, `Failed to validate executor::Call: ${problem}`);
    const executor = this.#executor();
    if (call.type === Call_Type.HEARTBEAT) return;
    if (executor.stream === undefined) throw new ExecutorApiError(403, 'Executor is not subscribed');
    if (call.type === Call_Type.UPDATE) await this.#backend.executorUpdate(executor, call.update!.status!);
    else if (call.type === Call_Type.MESSAGE) this.#backend.executorMessage(executor, call.message!.data);
    else throw new ExecutorApiError(501, `Unsupported executor call type ${call.type}`);
  }

  /** Closes the event stream and refuses every later call (the agent took over the executor's tasks). */
  disconnect(): void {
    this.#disconnected = true;
    this.#sink?.close();
  }

  #executor() {
    return asApiError(() => this.#backend.findExecutor(this.#env.frameworkId, this.#env.executorId));
  }
}

/** The backend speaks ExecutorCallError (HTTP edge); executors expect ExecutorApiError. */
function asApiError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ExecutorCallError) throw new ExecutorApiError(err.httpStatus ?? 400, err.message);
    throw err;
  }
}
