/**
 * Runs the real `mesoscale agent` process for tests, and cleans up after it:
 * executors are detached on purpose (they survive agent restarts), so stop()
 * also kills every process whose environment points into this agent's work
 * directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bin/mesoscale of this checkout (tests run from dist/test/agent). */
export const MESOSCALE_BIN = fileURLToPath(new URL('../../../bin/mesoscale', import.meta.url));

export interface AgentProcess {
  readonly child: ChildProcess;
  readonly workDir: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

export async function startAgent(masterAddress: string, extraFlags: string[] = []): Promise<AgentProcess> {
  const workDir = await mkdtemp(join(tmpdir(), 'mesoscale-agent-test-'));
  const child = spawn(
    process.execPath,
    [
      MESOSCALE_BIN,
      'agent',
      `--master=${masterAddress}`,
      `--work_dir=${workDir}`,
      '--ip=127.0.0.1',
      '--port=0',
      '--registration_backoff_factor=20ms',
      '--logging_level=WARNING',
      ...extraFlags,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MESOS_MASTER: undefined, MESOS_WORK_DIR: undefined } },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return {
    child,
    workDir,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      await killProcessesUsing(workDir);
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** SIGKILLs every process whose environment mentions `dir` (executors and their tasks). */
export async function killProcessesUsing(dir: string): Promise<void> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = await readFile(`/proc/${entry}/environ`, 'utf8');
      if (environ.includes(`MESOS_DIRECTORY=${dir}`)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // not ours, or gone
    }
  }
}
