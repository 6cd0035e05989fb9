/**
 * cgroups/mem: the memory limit, OOM detection and memory statistics, as
 * Mesos' cgroups memory subsystem.
 *
 *   limit = soft limit = max(mem, 32 MB)   (the caller adds executor overhead)
 *   v1  memory.soft_limit_in_bytes, memory.limit_in_bytes; OOM killer enabled
 *       (memory.oom_control 0); OOM = `oom_kill` in memory.oom_control (kernel >= 4.13)
 *   v2  memory.low (protection = the request), memory.max; OOM = `oom_kill` in memory.events
 *
 * The hard limit is only ever raised by update(), never lowered: lowering it
 * below the current usage would OOM-kill the task for an allocation decision.
 *
 * OOM is detected by polling the counter (see isolator.ts on why not eventfd):
 * watch() resolves within one poll interval, limitation() checks once more
 * after the exit. In v1 the counter is kept only in the victim's own cgroup,
 * which is why the container's processes must live in exactly this cgroup
 * (runc is told to join it) and why it must survive the exit (runc --keep).
 */
import { TaskStatus_Reason } from '../../../../protocol/gen/mesos/v1/mesos_pb.js';
import { formatBytes } from '../../../../lib/bytes.js';
import type { ContainerConfig, ContainerLimitation, ContainerResources, Isolator, LaunchInfo, UsageFields } from '../isolator.js';
import type { IsolatorOptions } from '../options.js';
import { type CgroupsOptions, ContainerCgroups } from './container-cgroups.js';
import { parseFlatKeyed, parseNumber, readControl, readOptionalControl, writeControl } from './files.js';
import { detectHostLayout } from './layout.js';

export const MIN_MEMORY_BYTES = 32 * 1024 * 1024;
const MB = 1024 * 1024;

/** Limit in bytes for a `mem` amount in MB (Mesos' minimum applies). */
export function memoryLimitBytes(memMb: number | undefined): number {
  return Math.max(Math.floor((memMb ?? 0) * MB), MIN_MEMORY_BYTES);
}

export function memoryControlFiles(limit: number, version: 'v1' | 'v2'): Array<[file: string, value: string]> {
  return version === 'v1'
    ? [['memory.soft_limit_in_bytes', String(limit)], ['memory.limit_in_bytes', String(limit)]]
    : [['memory.low', String(limit)], ['memory.max', String(limit)]];
}

/** The OOM-kill counter from memory.oom_control (v1) or memory.events (v2). */
export function parseOomKills(text: string): number {
  return Number(parseFlatKeyed(text).get('oom_kill') ?? 0n);
}

/** Mesos' wording: `Memory limit exceeded: Requested: 32MB Maximum Used: 32MB\n\nMEMORY STATISTICS: \n...`. */
export function memoryLimitationMessage(limit: bigint, maxUsed: bigint, memoryStat: string): string {
  const fmt = (b: bigint) => (b <= BigInt(Number.MAX_SAFE_INTEGER) ? formatBytes(Number(b)) : `${b}B`);
  return `Memory limit exceeded: Requested: ${fmt(limit)} Maximum Used: ${fmt(maxUsed)}\n\nMEMORY STATISTICS: \n${memoryStat}`;
}

/** ResourceStatistics memory fields from the cgroup files. */
export function parseMemoryUsage(version: 'v1' | 'v2', files: { usage: string; stat: string; limit: string; soft: string | undefined; swap?: string | undefined }): UsageFields {
  const stat = parseFlatKeyed(files.stat);
  // v1 with use_hierarchy=1: the total_* keys include child cgroups; prefer them.
  const get = (key: string) => stat.get(`total_${key}`) ?? stat.get(key) ?? 0n;
  const limit = parseNumber(files.limit);
  const soft = files.soft !== undefined ? parseNumber(files.soft) : undefined;
  const common = {
    memTotalBytes: parseNumber(files.usage) ?? 0n,
    ...(limit !== undefined ? { memLimitBytes: limit } : {}),
    ...(soft !== undefined ? { memSoftLimitBytes: soft } : {}),
  };
  if (version === 'v1') {
    return {
      ...common,
      memRssBytes: get('rss'),
      memAnonBytes: get('rss'),
      memCacheBytes: get('cache'),
      memFileBytes: get('cache'),
      memMappedFileBytes: get('mapped_file'),
      memSwapBytes: get('swap'),
      memUnevictableBytes: get('unevictable'),
    };
  }
  return {
    ...common,
    memRssBytes: get('anon'),
    memAnonBytes: get('anon'),
    memCacheBytes: get('file'),
    memFileBytes: get('file'),
    memMappedFileBytes: get('file_mapped'),
    memSwapBytes: files.swap !== undefined ? (parseNumber(files.swap) ?? 0n) : 0n,
    memUnevictableBytes: get('unevictable'),
  };
}

interface Watched {
  limit: number;
  timer: NodeJS.Timeout | undefined;
  limitation: ContainerLimitation | undefined;
  notify: ((limitation: ContainerLimitation) => void) | undefined;
  promise: Promise<ContainerLimitation> | undefined;
}

export class CgroupsMemIsolator implements Isolator {
  readonly name = 'cgroups/mem';
  readonly #cgroups: ContainerCgroups;
  readonly #version: 'v1' | 'v2';
  readonly #pollMs: number;
  readonly #containers = new Map<string, Watched>();

  constructor(options: CgroupsOptions & { oomPollIntervalMs: number }) {
    this.#cgroups = new ContainerCgroups(options, ['memory']);
    this.#version = this.#cgroups.hierarchy('memory')!.version;
    this.#pollMs = options.oomPollIntervalMs;
  }

  static create(options: IsolatorOptions): CgroupsMemIsolator {
    const layout = options.cgroupsLayout ?? detectHostLayout(options.cgroupsHierarchy);
    return new CgroupsMemIsolator({ layout, root: options.cgroupsRoot, oomPollIntervalMs: options.oomPollIntervalMs });
  }

  async recover(known: readonly ContainerConfig[], orphans: readonly ContainerConfig[]): Promise<void> {
    await this.#cgroups.recover(known, orphans);
    for (const config of known) this.#containers.set(config.containerId, newWatched(memoryLimitBytes(config.resources.memMb)));
  }

  async prepare(config: ContainerConfig): Promise<LaunchInfo> {
    const cgroup = this.#cgroups.track(config.containerId, config.parentIds);
    this.#cgroups.create(config.containerId);
    const dir = this.#cgroups.dir(config.containerId, 'memory');
    const limit = memoryLimitBytes(config.resources.memMb);
    // Mesos makes sure the kernel OOM killer is on: a disabled one would freeze the task at the limit.
    if (this.#version === 'v1') writeControl(dir, 'memory.oom_control', 0);
    for (const [file, value] of memoryControlFiles(limit, this.#version)) writeControl(dir, file, value);
    this.#containers.set(config.containerId, newWatched(limit));
    return { cgroupsPath: `/${cgroup}` };
  }

  async isolate(containerId: string, pid: number): Promise<void> {
    this.#cgroups.addProcess(containerId, pid);
  }

  watch(containerId: string): Promise<ContainerLimitation> {
    const watched = this.#containers.get(containerId);
    if (watched === undefined) return new Promise(() => undefined);
    if (watched.promise !== undefined) return watched.promise;
    watched.promise = new Promise<ContainerLimitation>((resolve) => (watched.notify = resolve));
    watched.timer = setInterval(() => void this.limitation(containerId).catch(() => undefined), this.#pollMs);
    // A poll timer must not keep the agent (or a test) alive.
    watched.timer.unref();
    return watched.promise;
  }

  async limitation(containerId: string): Promise<ContainerLimitation | undefined> {
    const watched = this.#containers.get(containerId);
    if (watched === undefined) return undefined;
    if (watched.limitation !== undefined) return watched.limitation;
    const dir = this.#cgroups.dir(containerId, 'memory');
    const events = readOptionalControl(dir, this.#version === 'v1' ? 'memory.oom_control' : 'memory.events');
    if (events === undefined || parseOomKills(events) === 0) return undefined;
    const maxUsed =
      parseNumber(readOptionalControl(dir, this.#version === 'v1' ? 'memory.max_usage_in_bytes' : 'memory.peak') ?? '0') ??
      parseNumber(readOptionalControl(dir, 'memory.current') ?? '0') ??
      0n;
    const limitation: ContainerLimitation = {
      reason: TaskStatus_Reason.CONTAINER_LIMITATION_MEMORY,
      message: memoryLimitationMessage(BigInt(watched.limit), maxUsed, readOptionalControl(dir, 'memory.stat') ?? ''),
      resources: ['mem'],
    };
    watched.limitation = limitation;
    this.#stopPolling(watched);
    watched.notify?.(limitation);
    return limitation;
  }

  async update(containerId: string, resources: ContainerResources): Promise<void> {
    const watched = this.#containers.get(containerId);
    const dir = this.#cgroups.dir(containerId, 'memory');
    const limit = memoryLimitBytes(resources.memMb);
    const [soft, hard] = memoryControlFiles(limit, this.#version);
    writeControl(dir, soft![0], soft![1]);
    if (watched === undefined || limit > watched.limit) {
      writeControl(dir, hard![0], hard![1]);
      if (watched !== undefined) watched.limit = limit;
    }
  }

  async usage(containerId: string): Promise<UsageFields> {
    const dir = this.#cgroups.dir(containerId, 'memory');
    const v1 = this.#version === 'v1';
    return parseMemoryUsage(this.#version, {
      usage: readControl(dir, v1 ? 'memory.usage_in_bytes' : 'memory.current'),
      stat: readControl(dir, 'memory.stat'),
      limit: readControl(dir, v1 ? 'memory.limit_in_bytes' : 'memory.max'),
      soft: readOptionalControl(dir, v1 ? 'memory.soft_limit_in_bytes' : 'memory.low'),
      swap: v1 ? undefined : readOptionalControl(dir, 'memory.swap.current'),
    });
  }

  async cleanup(containerId: string): Promise<void> {
    const watched = this.#containers.get(containerId);
    if (watched !== undefined) this.#stopPolling(watched);
    this.#containers.delete(containerId);
    await this.#cgroups.killAll(containerId);
    this.#cgroups.remove(containerId);
  }

  #stopPolling(watched: Watched): void {
    if (watched.timer !== undefined) clearInterval(watched.timer);
    watched.timer = undefined;
  }
}

function newWatched(limit: number): Watched {
  return { limit, timer: undefined, limitation: undefined, notify: undefined, promise: undefined };
}
