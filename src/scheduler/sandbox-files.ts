/**
 * Reading a task's sandbox (stdout, stderr ...) from the agent that ran it,
 * through the agent's public endpoints, as `mesos-execute` users and the web
 * UI do:
 *
 *   1. GET <agent>/state → frameworks[] / completed_frameworks[] →
 *      executors[] / completed_executors[] → the executor's `directory`;
 *   2. GET <agent>/files/read?path=<directory>/stdout&offset=N&length=L in a
 *      loop (each answer is capped, 64 KiB in Mesos) until `data` is empty.
 *
 * For a command task the executor id is the task id.
 */
import { MesoscaleError } from '../lib/errors.js';

export const SandboxErrorCode = {
  notFound: 'SANDBOX_NOT_FOUND',
  unreadable: 'SANDBOX_UNREADABLE',
} as const;
export type SandboxErrorCode = (typeof SandboxErrorCode)[keyof typeof SandboxErrorCode];

export class SandboxError extends MesoscaleError {
  declare readonly code: SandboxErrorCode;
  constructor(code: SandboxErrorCode, message: string, cause?: unknown) {
    super(code, message, { cause });
  }
}

interface AgentStateExecutor {
  id?: string;
  directory?: string;
}
interface AgentStateFramework {
  id?: string;
  executors?: AgentStateExecutor[];
  completed_executors?: AgentStateExecutor[];
}
interface AgentState {
  frameworks?: AgentStateFramework[];
  completed_frameworks?: AgentStateFramework[];
}

/** Largest file read back in full; beyond it the rest is dropped (a CLI does not need more). */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const READ_CHUNK_BYTES = 64 * 1024;

async function getJson<T>(url: string, signal: AbortSignal | undefined): Promise<{ status: number; body: T | undefined; text: string }> {
  const response = await fetch(url, { signal: signal ?? AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (!response.ok) return { status: response.status, body: undefined, text };
  return { status: response.status, body: JSON.parse(text) as T, text };
}

/** The executor's sandbox directory on the agent, from its /state. */
export async function findExecutorSandbox(
  agentUrl: string,
  frameworkId: string,
  executorId: string,
  signal?: AbortSignal,
): Promise<string> {
  let state: AgentState | undefined;
  try {
    const answer = await getJson<AgentState>(`${agentUrl}/state`, signal);
    if (answer.body === undefined) throw new Error(`HTTP ${answer.status}: ${answer.text.trim()}`);
    state = answer.body;
  } catch (err) {
    throw new SandboxError(SandboxErrorCode.unreadable, `Could not read ${agentUrl}/state: ${(err as Error).message}`, err);
  }
  for (const framework of [...(state.frameworks ?? []), ...(state.completed_frameworks ?? [])]) {
    if (framework.id !== frameworkId) continue;
    for (const executor of [...(framework.executors ?? []), ...(framework.completed_executors ?? [])]) {
      if (executor.id === executorId && typeof executor.directory === 'string') return executor.directory;
    }
  }
  throw new SandboxError(
    SandboxErrorCode.notFound,
    `Agent ${agentUrl} has no executor '${executorId}' of framework '${frameworkId}' in its /state`,
  );
}

/** A whole file through /files/read, chunk by chunk. */
export async function readSandboxFile(agentUrl: string, path: string, signal?: AbortSignal): Promise<string> {
  let offset = 0;
  let out = '';
  while (offset < MAX_FILE_BYTES) {
    const url = `${agentUrl}/files/read?path=${encodeURIComponent(path)}&offset=${offset}&length=${READ_CHUNK_BYTES}`;
    let answer: { status: number; body: { data?: string } | undefined; text: string };
    try {
      answer = await getJson<{ data?: string }>(url, signal);
    } catch (err) {
      throw new SandboxError(SandboxErrorCode.unreadable, `Could not read ${path} from ${agentUrl}: ${(err as Error).message}`, err);
    }
    if (answer.status === 404) throw new SandboxError(SandboxErrorCode.notFound, `${path} does not exist on ${agentUrl}`);
    if (answer.body === undefined) {
      throw new SandboxError(SandboxErrorCode.unreadable, `Reading ${path} from ${agentUrl}: HTTP ${answer.status} ${answer.text.trim()}`);
    }
    const data = answer.body.data ?? '';
    if (data.length === 0) break;
    out += data;
    offset += Buffer.byteLength(data, 'utf8');
  }
  return out;
}
