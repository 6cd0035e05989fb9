/**
 * The command executor: runs the one command task of a TaskInfo with a
 * CommandInfo, speaking the v1 executor HTTP API to the agent like Mesos'
 * `mesos-executor --http_command_executor` (reference 4.3).
 *
 * Connection states (after Mesos' default executor):
 *
 *   DISCONNECTED ──SUBSCRIBE──► SUBSCRIBED ──stream ends──► DISCONNECTED
 *        ▲                                                      │
 *        └──────── retry with backoff, only when checkpointing ─┘  (else: kill the task, exit)
 *
 * Task updates: TASK_STARTING, TASK_RUNNING, then TASK_FINISHED / TASK_FAILED
 * / TASK_KILLED (TASK_KILLING first when the framework has the capability).
 * Each has a fresh v4 uuid and source SOURCE_EXECUTOR; updates are POSTed one
 * at a time, in order, and kept until the agent ACKNOWLEDGEs them; a new
 * SUBSCRIBE carries the unacknowledged ones (and the task, if none of its
 * updates was acknowledged). After the terminal update is acknowledged (or
 * `ackTimeoutMs` passed) the executor exits.
 *
 * Checks (../health): from TASK_RUNNING on, the task's health_check and check
 * run in its sandbox with its environment. Their changes are the last status
 * again with `healthy` or `check_status` set; too many failed health checks
 * kill the task with its kill policy, and its TASK_KILLED says healthy=false.
 * Probing stops as soon as the task is being killed or has exited.
 */
import { create } from '@bufbuild/protobuf';

import { randomUuidBytes } from '../../lib/uuid.js';
import {
  Call_SubscribeSchema,
  Call_Type,
  type Call_Update,
  Call_UpdateSchema,
  type Event,
  Event_Type,
} from '../../protocol/gen/mesos/v1/executor/executor_pb.js';
import {
  FrameworkInfo_Capability_Type,
  type FrameworkInfo,
  type KillPolicy,
  KillPolicySchema,
  type TaskInfo,
  TaskState,
  type TaskStatus,
  TaskStatusSchema,
  TaskStatus_Reason,
  TaskStatus_Source,
} from '../../protocol/gen/mesos/v1/mesos_pb.js';
import { startTaskChecks, type TaskChecks } from '../health/task-checks.js';
import { checkStatusUpdate, emptyCheckStatus, healthStatusUpdate } from '../health/task-status.js';
import { isTerminalState, taskStateName } from '../task-states.js';
import { CommandTask, commandEnvironment, describeCommand, type TaskStarter } from './command-task.js';
import { type ExecutorTransport, type ExecutorEnvironment } from './executor-client.js';
import { runSubscriptionLoop } from './subscription-loop.js';

/** Mesos' command executor default when neither the task nor the KILL has a kill policy. */
export const DEFAULT_KILL_GRACE_MS = 3_000;

export interface CommandExecutorOptions {
  readonly env: ExecutorEnvironment;
  readonly client: ExecutorTransport;
  /** The task's base environment (the executor's); default: this process's. */
  readonly taskEnv?: Readonly<Record<string, string | undefined>>;
  /** Where the task's stdout/stderr go (open fds); default: inherited from this process. */
  readonly taskStdio?: { readonly stdout: number; readonly stderr: number };
  /** Starts the task's process (a container of the agent's runtime); default: a host process. */
  readonly startTask?: TaskStarter;
  /** Human-readable progress lines (the sandbox's stderr). */
  readonly log: (line: string) => void;
  /** How long to wait for the agent to acknowledge the terminal update. */
  readonly ackTimeoutMs?: number;
}

type ConnectionState = 'disconnected' | 'subscribed';

export class CommandExecutor {
  readonly #env: ExecutorEnvironment;
  readonly #client: ExecutorTransport;
  readonly #taskEnv: Readonly<Record<string, string | undefined>>;
  readonly #taskStdio: { readonly stdout: number; readonly stderr: number } | undefined;
  readonly #startTask: TaskStarter | undefined;
  readonly #log: (line: string) => void;
  readonly #ackTimeoutMs: number;

  #state: ConnectionState = 'disconnected';
  #abort = new AbortController();
  #framework: FrameworkInfo | undefined;
  #taskInfo: TaskInfo | undefined;
  #task: CommandTask | undefined;
  /** A KILL that arrived while the process was still starting. */
  #pendingKill: KillPolicy | undefined | null = null;
  #maxCompletionTimer: NodeJS.Timeout | undefined;
  #maxCompletionReached = false;
  #checks: TaskChecks | undefined;
  /** Why failed health checks got the task killed; set once that kill starts. */
  #unhealthyKill: string | undefined;
  /** The task's latest status: health and check updates are copies of it. */
  #lastStatus: TaskStatus | undefined;
  /** Some update of the task was acknowledged, so the agent knows it. */
  #taskAcknowledged = false;
  readonly #unacknowledged = new Map<string, Call_Update>();
  #sending: Promise<void> = Promise.resolve();
  #terminalSent = false;
  #finished = false;
  #resolveFinished!: () => void;
  readonly #finishedPromise = new Promise<void>((resolve) => (this.#resolveFinished = resolve));

  constructor(options: CommandExecutorOptions) {
    this.#env = options.env;
    this.#client = options.client;
    this.#taskEnv = options.taskEnv ?? process.env;
    this.#taskStdio = options.taskStdio;
    this.#startTask = options.startTask;
    this.#log = options.log;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
  }

  /** Runs until the task is done and acknowledged (0) or the agent is gone for good (1). */
  run(): Promise<number> {
    return runSubscriptionLoop({
      client: this.#client,
      env: this.#env,
      log: this.#log,
      connecting: () => (this.#abort = new AbortController()).signal,
      subscribeCall: () =>
        create(Call_SubscribeSchema, {
          unacknowledgedTasks: this.#taskInfo !== undefined && !this.#taskAcknowledged ? [this.#taskInfo] : [],
          unacknowledgedUpdates: [...this.#unacknowledged.values()],
        }),
      handle: (event) => this.#handle(event),
      finished: () => this.#finished,
      wasSubscribed: () => this.#state === 'subscribed',
      disconnected: () => {
        this.#state = 'disconnected';
      },
      giveUp: (reason) => {
        this.#log(reason);
        this.#task?.destroy();
        return 1;
      },
      done: this.#finishedPromise,
    });
  }

  /** Executor-level shutdown (SHUTDOWN event, or SIGTERM to the executor). */
  shutdown(): void {
    this.#log('Shutting down');
    if (this.#task === undefined || this.#terminalSent) {
      if (this.#taskInfo === undefined || this.#terminalSent) this.#finish();
      else this.#pendingKill = create(KillPolicySchema, { gracePeriod: { nanoseconds: BigInt(this.#env.shutdownGracePeriodMs) * 1_000_000n } });
      return;
    }
    this.#kill(this.#env.shutdownGracePeriodMs);
  }

  #handle(event: Event): void {
    switch (event.type) {
      case Event_Type.SUBSCRIBED:
        this.#state = 'subscribed';
        this.#framework = event.subscribed?.frameworkInfo;
        this.#log(`Subscribed executor ${this.#env.executorId} of framework ${this.#env.frameworkId}`);
        return;
      case Event_Type.LAUNCH:
        void this.#launch(event.launch!.task!).catch((err: unknown) => this.#log(`Launch failed: ${(err as Error).message}`));
        return;
      case Event_Type.KILL:
        this.#onKill(event.kill?.taskId?.value, event.kill?.killPolicy);
        return;
      case Event_Type.ACKNOWLEDGED:
        this.#onAcknowledged(event.acknowledged!.uuid);
        return;
      case Event_Type.SHUTDOWN:
        this.shutdown();
        return;
      case Event_Type.LAUNCH_GROUP:
        this.#log('Ignoring LAUNCH_GROUP: the command executor runs single tasks');
        return;
      case Event_Type.ERROR:
        this.#log(`Error from the agent: ${event.error?.message ?? ''}`);
        return;
      default:
        return; // MESSAGE, HEARTBEAT: nothing to do.
    }
  }

  async #launch(task: TaskInfo): Promise<void> {
    if (this.#taskInfo !== undefined) {
      if (this.#taskInfo.taskId?.value !== task.taskId?.value) {
        this.#update(task, TaskState.TASK_FAILED, { message: 'Attempted to run multiple tasks using a "command" executor' });
      }
      return;
    }
    this.#taskInfo = task;
    const command = task.command;
    if (command === undefined) {
      this.#update(task, TaskState.TASK_FAILED, { message: 'The task has no CommandInfo', reason: TaskStatus_Reason.COMMAND_EXECUTOR_FAILED });
      return;
    }
    this.#log(`Starting task ${task.taskId?.value}: ${describeCommand(command)}`);
    this.#update(task, TaskState.TASK_STARTING);
    try {
      this.#task = await CommandTask.start(command, commandEnvironment(this.#taskEnv, command), this.#env.directory, this.#taskStdio, this.#startTask);
    } catch (err) {
      this.#update(task, TaskState.TASK_FAILED, {
        message: `Failed to launch '${describeCommand(command)}': ${(err as Error).message}`,
        reason: TaskStatus_Reason.COMMAND_EXECUTOR_FAILED,
      });
      return;
    }
    this.#log(`Forked command at ${this.#task.pid}`);
    this.#update(task, TaskState.TASK_RUNNING);
    if (this.#pendingKill !== null) this.#kill(this.#graceFor(this.#pendingKill));
    else this.#startChecks(task, commandEnvironment(this.#taskEnv, command));
    const ns = task.maxCompletionTime?.nanoseconds;
    if (ns !== undefined) {
      this.#maxCompletionTimer = setTimeout(() => {
        this.#maxCompletionReached = true;
        this.#log('Max completion time reached; killing the task');
        this.#kill(this.#graceFor(undefined));
      }, Number(ns / 1_000_000n));
    }
    const exit = await this.#task.exited;
    this.#checks?.stop();
    clearTimeout(this.#maxCompletionTimer);
    this.#log(`${exit.message} (pid: ${this.#task.pid})`);
    if (this.#maxCompletionReached) {
      this.#update(task, TaskState.TASK_FAILED, { message: 'Max completion time reached', reason: TaskStatus_Reason.MAX_COMPLETION_TIME_REACHED });
    } else if (exit.killed && this.#unhealthyKill !== undefined) {
      // Mesos sets healthy=false on the terminal update of a task killed for its health.
      this.#update(task, TaskState.TASK_KILLED, { message: `${exit.message}: ${this.#unhealthyKill}`, healthy: false });
    } else if (exit.killed) {
      this.#update(task, TaskState.TASK_KILLED, { message: exit.message });
    } else {
      this.#update(task, exit.status.code === 0 ? TaskState.TASK_FINISHED : TaskState.TASK_FAILED, { message: exit.message });
    }
  }

  #onKill(taskId: string | undefined, policy: KillPolicy | undefined): void {
    if (this.#taskInfo === undefined || taskId !== this.#taskInfo.taskId?.value) {
      this.#log(`Ignoring KILL for unknown task ${taskId}`);
      return;
    }
    if (this.#task === undefined) {
      this.#pendingKill = policy;
      return;
    }
    this.#kill(this.#graceFor(policy));
  }

  /** The KILL's policy overrides the task's; Mesos' command executor defaults to 3 seconds. */
  #graceFor(policy: KillPolicy | undefined): number {
    const ns = policy?.gracePeriod?.nanoseconds ?? this.#taskInfo?.killPolicy?.gracePeriod?.nanoseconds;
    return ns === undefined ? DEFAULT_KILL_GRACE_MS : Math.max(0, Number(ns / 1_000_000n));
  }

  #kill(graceMs: number): void {
    const task = this.#task;
    if (task === undefined || this.#terminalSent) return;
    // A task being killed is not probed any more (Mesos pauses its checkers).
    this.#checks?.stop();
    if (!task.killing) {
      const killingState = this.#framework?.capabilities.some((c) => c.type === FrameworkInfo_Capability_Type.TASK_KILLING_STATE);
      if (killingState === true) this.#update(this.#taskInfo!, TaskState.TASK_KILLING);
      this.#log(`Sending SIGTERM to process group ${task.pid}; SIGKILL in ${graceMs} ms`);
    }
    task.kill(graceMs);
  }

  /** From TASK_RUNNING until the task is being killed or has exited (the sink checks, as a probe may finish in between). */
  #startChecks(task: TaskInfo, taskEnv: Record<string, string>): void {
    if (task.healthCheck === undefined && task.check === undefined) return;
    const stillRunning = (): boolean => !this.#terminalSent && this.#task?.killing === false && this.#lastStatus !== undefined;
    const fresh = () => ({ uuid: randomUuidBytes(), timestamp: Date.now() / 1000 });
    this.#checks = startTaskChecks(task, { cwd: this.#env.directory, env: taskEnv, ...(this.#taskStdio ? { stdio: this.#taskStdio } : {}) }, {
      healthChanged: (healthy) => {
        if (stillRunning()) this.#send(task, healthStatusUpdate(this.#lastStatus!, healthy, fresh()));
      },
      checkChanged: (checkStatus) => {
        if (stillRunning()) this.#send(task, checkStatusUpdate(this.#lastStatus!, checkStatus, fresh()));
      },
      killUnhealthy: (message) => {
        if (!stillRunning()) return;
        this.#log(`${message}; killing the task`);
        this.#unhealthyKill = message;
        this.#kill(this.#graceFor(undefined));
      },
      log: this.#log,
    });
  }

  /** A status built from scratch; a task with a check always carries a (maybe empty) check_status. */
  #update(task: TaskInfo, state: TaskState, extra: { message?: string; reason?: TaskStatus_Reason; healthy?: boolean } = {}): void {
    const checkStatus = task.check !== undefined ? emptyCheckStatus(task.check) : undefined;
    const status = create(TaskStatusSchema, {
      taskId: task.taskId,
      state,
      source: TaskStatus_Source.EXECUTOR,
      uuid: randomUuidBytes(),
      timestamp: Date.now() / 1000,
      executorId: { value: this.#env.executorId },
      ...(checkStatus !== undefined ? { checkStatus } : {}),
      ...extra,
    });
    this.#send(task, status);
  }

  #send(task: TaskInfo, status: TaskStatus): void {
    const state = status.state;
    const update = create(Call_UpdateSchema, { status });
    const isOwnTask = task.taskId?.value === this.#taskInfo?.taskId?.value;
    if (isOwnTask) {
      this.#unacknowledged.set(Buffer.from(status.uuid).toString('hex'), update);
      this.#lastStatus = status;
    }
    if (isOwnTask && isTerminalState(state)) {
      this.#terminalSent = true;
      setTimeout(() => this.#finish(), this.#ackTimeoutMs).unref();
    }
    // One POST at a time keeps the agent's view of the order.
    this.#sending = this.#sending.then(async () => {
      if (this.#state !== 'subscribed') return; // resent with the next SUBSCRIBE
      try {
        await this.#client.send(this.#client.call(Call_Type.UPDATE, { update }));
      } catch (err) {
        this.#log(`Failed to send ${taskStateName(state)}: ${(err as Error).message}; it is resent after re-subscribing`);
      }
    });
  }

  #onAcknowledged(uuid: Uint8Array): void {
    this.#unacknowledged.delete(Buffer.from(uuid).toString('hex'));
    this.#taskAcknowledged = true;
    if (this.#terminalSent && this.#unacknowledged.size === 0) this.#finish();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#abort.abort();
    this.#resolveFinished();
  }
}
