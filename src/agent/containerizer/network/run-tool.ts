/**
 * Runs one host program (a CNI plugin, `unshare`, `umount`) to completion with
 * a time bound, optional stdin, and both outputs kept. The callers turn the
 * outcome into their own typed errors: only they know what failed means.
 */
import { spawn } from 'node:child_process';

/** Enough of stderr to explain a failure; plugins rarely print more. */
const STDERR_LIMIT = 8192;

export interface ToolOutcome {
  /** Exit code; null when killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the time bound ran out and the program was SIGKILLed. */
  readonly timedOut: boolean;
}

export interface ToolOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly stdin?: string;
  readonly timeoutMs: number;
}

/** Resolves with the outcome; rejects only when the program cannot be started at all (ENOENT, EACCES). */
export function runTool(file: string, args: readonly string[], options: ToolOptions): Promise<ToolOutcome> {
  return new Promise<ToolOutcome>((resolve, reject) => {
    const child = spawn(file, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < STDERR_LIMIT) stderr += s;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
    // A program that exits without reading stdin makes the write fail with EPIPE: not our error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}

/** "exit status 1: <stderr>" or "killed by SIGKILL: ..." for error messages. */
export function describeOutcome(outcome: ToolOutcome): string {
  const how = outcome.signal !== null ? `killed by ${outcome.signal}` : `exit status ${outcome.code}`;
  const text = (outcome.stderr.trim() || outcome.stdout.trim() || '(no output)').slice(0, 2000);
  return `${how}: ${text}`;
}
