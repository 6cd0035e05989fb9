/**
 * Errors the agent raises on purpose. Each has a stable code; the HTTP edge
 * maps `httpStatus` to the response (see src/http/server.ts).
 */
import { MesoscaleError } from '../lib/errors.js';

export const AgentErrorCode = {
  /** A flag value that parses but makes no sense for the agent (e.g. `--master=zk://...`). */
  CONFIG: 'AGENT_CONFIG_INVALID',
  /** Fetching a CommandInfo URI into a sandbox failed. */
  FETCH: 'AGENT_FETCH_FAILED',
  /** A process could not be launched. */
  LAUNCH: 'AGENT_LAUNCH_FAILED',
  /** An executor API call that Mesos refuses (400/403 with Mesos' text). */
  EXECUTOR_CALL: 'AGENT_EXECUTOR_CALL_REFUSED',
  /** A `/files` path that is malformed or escapes every sandbox (400). */
  FILES_BAD_PATH: 'AGENT_FILES_BAD_PATH',
  /** A `/files` path that does not exist (404). */
  FILES_NOT_FOUND: 'AGENT_FILES_NOT_FOUND',
  /** A checkpoint file that cannot be read back. */
  CHECKPOINT: 'AGENT_CHECKPOINT_CORRUPT',
} as const;
export type AgentErrorCode = (typeof AgentErrorCode)[keyof typeof AgentErrorCode];

export class AgentConfigError extends MesoscaleError {
  /** The flag concerned, so the CLI can name it. */
  readonly flag: string;
  constructor(flag: string, message: string) {
    super(AgentErrorCode.CONFIG, `Invalid flag '${flag}': ${message}`);
    this.flag = flag;
  }
}

export class FetchError extends MesoscaleError {
  readonly uri: string;
  constructor(uri: string, reason: string, cause?: unknown) {
    super(AgentErrorCode.FETCH, `Failed to fetch '${uri}': ${reason}`, { cause, retryable: true });
    this.uri = uri;
  }
}

export class LaunchError extends MesoscaleError {
  constructor(message: string, cause?: unknown) {
    super(AgentErrorCode.LAUNCH, message, { cause });
  }
}

/** Refusals of the executor API, with Mesos' status codes and texts (reference 1.4). */
export class ExecutorCallError extends MesoscaleError {
  constructor(httpStatus: 400 | 403 | 503, message: string) {
    super(AgentErrorCode.EXECUTOR_CALL, message, { httpStatus });
  }
}

export class FilesError extends MesoscaleError {
  constructor(kind: 'bad-path' | 'not-found', message: string) {
    super(kind === 'bad-path' ? AgentErrorCode.FILES_BAD_PATH : AgentErrorCode.FILES_NOT_FOUND, message, {
      httpStatus: kind === 'bad-path' ? 400 : 404,
    });
  }
}

export class CheckpointError extends MesoscaleError {
  constructor(path: string, reason: string, cause?: unknown) {
    super(AgentErrorCode.CHECKPOINT, `Checkpoint '${path}' is unreadable: ${reason}`, { cause });
  }
}
