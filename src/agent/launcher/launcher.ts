/**
 * Starts and stops the process tree of one container (an executor and
 * everything it forks). The agent never touches child_process directly, so
 * real isolation (cgroups, namespaces: the containerizer issue) plugs in here
 * as another implementation.
 *
 *   launch(spec) ──► LaunchedContainer { pid, exited }
 *                        │
 *   kill(id, SIGTERM) ───┤   signal every process of the container
 *   destroy(id) ─────────┘   SIGKILL everything, resolve when the executor is gone
 */

export interface LaunchSpec {
  /** Container id; every process of the container can be found by it. */
  readonly containerId: string;
  /** argv[0] is the program (looked up in env.PATH when it has no '/'). */
  readonly argv: readonly string[];
  /** The complete environment (nothing is inherited from the agent). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Files the process's stdout and stderr are appended to. */
  readonly stdoutPath: string;
  readonly stderrPath: string;
}

/** How a process ended, as Mesos reports it. */
export interface ExitStatus {
  /** Exit code when it exited, else null. */
  readonly code: number | null;
  /** Signal name when a signal ended it, else null. */
  readonly signal: NodeJS.Signals | null;
  /** The raw wait(2) status (`code << 8`, or the signal number), for EXECUTOR_EXITED. */
  readonly waitStatus: number;
}

export interface LaunchedContainer {
  readonly containerId: string;
  readonly pid: number;
  /** Resolves once the launched process (not necessarily its children) is gone. */
  readonly exited: Promise<ExitStatus>;
}

export interface Launcher {
  /** Throws LaunchError when the process cannot be started (missing program, bad cwd). */
  launch(spec: LaunchSpec): Promise<LaunchedContainer>;
  /** Sends `signal` to every process of the container. Unknown or finished containers are ignored. */
  kill(containerId: string, signal: NodeJS.Signals): void;
  /** SIGKILLs every process of the container; resolves when the launched process has exited. Idempotent. */
  destroy(containerId: string): Promise<void>;
}

/** `Command exited with status 3` / `Command terminated with signal Killed`, as Mesos words it. */
export function describeExit(status: ExitStatus, what = 'Command'): string {
  if (status.signal !== null) return `${what} terminated with signal ${signalDescription(status.signal)}`;
  return `${what} exited with status ${status.code ?? 'unknown'}`;
}

const SIGNAL_DESCRIPTIONS: Partial<Record<NodeJS.Signals, string>> = {
  SIGTERM: 'Terminated',
  SIGKILL: 'Killed',
  SIGINT: 'Interrupt',
  SIGHUP: 'Hangup',
  SIGQUIT: 'Quit',
  SIGABRT: 'Aborted',
  SIGSEGV: 'Segmentation fault',
  SIGPIPE: 'Broken pipe',
  SIGBUS: 'Bus error',
  SIGUSR1: 'User defined signal 1',
  SIGUSR2: 'User defined signal 2',
};

/** strsignal(3)-style text, which is what Mesos' messages contain. */
export function signalDescription(signal: NodeJS.Signals): string {
  return SIGNAL_DESCRIPTIONS[signal] ?? signal;
}
