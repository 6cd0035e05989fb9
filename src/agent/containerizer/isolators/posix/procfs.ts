/**
 * Process-tree statistics from /proc, for the posix isolators (no cgroups):
 * Mesos' posix/cpu and posix/mem sum the usage of every process descending
 * from the container's first process. Processes that escape the tree (a
 * double fork re-parented to init) are not counted; that is the known gap of
 * posix isolation, and why cgroups/* exist.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel USER_HZ (clock ticks in /proc/<pid>/stat). */
const USER_HZ = 100;

export interface ProcessSample {
  readonly pid: number;
  readonly ppid: number;
  readonly userSecs: number;
  readonly systemSecs: number;
  readonly rssBytes: number;
  readonly threads: number;
}

/** Parses /proc/<pid>/stat (the command name may contain spaces and parentheses). */
export function parseProcStat(text: string): { ppid: number; utime: number; stime: number; threads: number } | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // Fields after "(comm)": state(3) ppid(4) ... utime(14) stime(15) ... num_threads(20)
  const fields = text.slice(close + 2).split(' ');
  return { ppid: Number(fields[1]), utime: Number(fields[11]), stime: Number(fields[12]), threads: Number(fields[17]) };
}

function sample(pid: number): ProcessSample | undefined {
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (stat === undefined) return undefined;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    return { pid, ppid: stat.ppid, userSecs: stat.utime / USER_HZ, systemSecs: stat.stime / USER_HZ, rssBytes: rssKb * 1024, threads: stat.threads };
  } catch {
    return undefined; // exited while we looked
  }
}

/** The process `rootPid` and all its descendants (empty when it is gone). */
export function processTree(rootPid: number): ProcessSample[] {
  const all = new Map<number, ProcessSample>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = sample(Number(entry));
    if (s !== undefined) all.set(s.pid, s);
  }
  if (!all.has(rootPid)) return [];
  const children = new Map<number, number[]>();
  for (const s of all.values()) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const tree: ProcessSample[] = [];
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    tree.push(all.get(pid)!);
    stack.push(...(children.get(pid) ?? []));
  }
  return tree;
}
