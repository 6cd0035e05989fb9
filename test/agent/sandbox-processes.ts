/**
 * Where agent tests look for processes on the host: sandboxes on disk and the
 * processes running in them (Linux /proc). Executors and command tasks run
 * with their sandbox as working directory, so "nothing runs in the sandbox"
 * means the executor and its tasks are gone.
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** The `latest` run directory of an executor under an agent's work_dir. */
export function sandboxOf(workDir: string, agentId: string, frameworkId: string, executorId: string): string {
  return path.join(workDir, 'slaves', agentId, 'frameworks', frameworkId, 'executors', executorId, 'runs', 'latest');
}

/** PIDs of live processes whose working directory is `dir` or below (symlinks resolved). */
export function processesIn(dir: string): number[] {
  let root: string;
  try {
    root = realpathSync(dir) + path.sep;
  } catch {
    return []; // no sandbox, nothing in it
  }
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((readlinkSync(`/proc/${entry}/cwd`) + path.sep).startsWith(root) && !isGone(Number(entry))) found.push(Number(entry));
    } catch {
      // Exited meanwhile, or not ours to inspect.
    }
  }
  return found;
}

/** True once `pid` has exited (a zombie counts as exited: it runs nothing). */
export function isGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) STATE ...; comm may contain spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}
