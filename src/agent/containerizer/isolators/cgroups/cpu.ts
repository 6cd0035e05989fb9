/**
 * cgroups/cpu: CPU shares (always) and a CFS quota (with --cgroups_enable_cfs),
 * plus CPU usage and throttling statistics, as Mesos' cgroups cpu subsystem.
 *
 *   v1  cpu.shares = max(1024 × cpus, 2)
 *       cpu.cfs_period_us = 100000, cpu.cfs_quota_us = max(100000 × cpus, 1000)
 *       usage: cpuacct.stat (user/system, USER_HZ ticks), cpu.stat (throttling)
 *   v2  cpu.weight from the shares (the OCI/runc/systemd mapping, 1..10000)
 *       cpu.max = "<quota> 100000" (or "max 100000" without CFS)
 *       usage: cpu.stat (user_usec, system_usec, nr_*, throttled_usec)
 */
import type { ContainerConfig, ContainerResources, Isolator, LaunchInfo, UsageFields } from '../isolator.js';
import type { IsolatorOptions } from '../options.js';
import { type CgroupsOptions, ContainerCgroups } from './container-cgroups.js';
import { parseFlatKeyed, readControl, readOptionalControl, writeControl } from './files.js';
import { type CgroupLayout, detectHostLayout } from './layout.js';

export const CPU_SHARES_PER_CPU = 1024;
export const MIN_CPU_SHARES = 2;
export const CFS_PERIOD_US = 100_000;
export const MIN_CFS_QUOTA_US = 1000;
/** Kernel USER_HZ: cpuacct.stat counts in these ticks on every Linux architecture we run on. */
const USER_HZ = 100;

export interface CpuSettings {
  readonly shares: number;
  /** undefined = no CFS quota (unlimited). */
  readonly quotaUs: number | undefined;
  readonly periodUs: number;
}

/** The Mesos formulas; `cpus` missing means the minimum. */
export function cpuSettings(cpus: number | undefined, enableCfs: boolean): CpuSettings {
  const amount = cpus ?? 0;
  return {
    shares: Math.max(Math.floor(CPU_SHARES_PER_CPU * amount), MIN_CPU_SHARES),
    quotaUs: enableCfs ? Math.max(Math.floor(CFS_PERIOD_US * amount), MIN_CFS_QUOTA_US) : undefined,
    periodUs: CFS_PERIOD_US,
  };
}

/** cgroup v2 weight from v1 shares (the conversion runc, crun and systemd use): 2..262144 → 1..10000. */
export function sharesToWeight(shares: number): number {
  return Math.floor(1 + ((shares - 2) * 9999) / 262142);
}

/** The files and values to write, per cgroup version. */
export function cpuControlFiles(settings: CpuSettings, version: 'v1' | 'v2'): Array<[file: string, value: string]> {
  if (version === 'v1') {
    return [
      ['cpu.shares', String(settings.shares)],
      ['cpu.cfs_period_us', String(settings.periodUs)],
      ['cpu.cfs_quota_us', String(settings.quotaUs ?? -1)],
    ];
  }
  return [
    ['cpu.weight', String(sharesToWeight(settings.shares))],
    ['cpu.max', `${settings.quotaUs ?? 'max'} ${settings.periodUs}`],
  ];
}

/** ResourceStatistics cpu fields from cpu.stat (+ cpuacct.stat on v1). */
export function parseCpuUsage(version: 'v1' | 'v2', cpuStat: string, cpuacctStat: string | undefined): UsageFields {
  const stat = parseFlatKeyed(cpuStat);
  const n = (key: string) => Number(stat.get(key) ?? 0n);
  if (version === 'v2') {
    return {
      cpusUserTimeSecs: n('user_usec') / 1e6,
      cpusSystemTimeSecs: n('system_usec') / 1e6,
      cpusNrPeriods: n('nr_periods'),
      cpusNrThrottled: n('nr_throttled'),
      cpusThrottledTimeSecs: n('throttled_usec') / 1e6,
    };
  }
  const acct = parseFlatKeyed(cpuacctStat ?? '');
  return {
    cpusUserTimeSecs: Number(acct.get('user') ?? 0n) / USER_HZ,
    cpusSystemTimeSecs: Number(acct.get('system') ?? 0n) / USER_HZ,
    cpusNrPeriods: n('nr_periods'),
    cpusNrThrottled: n('nr_throttled'),
    cpusThrottledTimeSecs: n('throttled_time') / 1e9,
  };
}

export class CgroupsCpuIsolator implements Isolator {
  readonly name = 'cgroups/cpu';
  readonly #cgroups: ContainerCgroups;
  readonly #enableCfs: boolean;
  readonly #cpus = new Map<string, number | undefined>();

  constructor(options: CgroupsOptions & { enableCfs: boolean }) {
    // cpuacct only exists in v1; v2's cpu.stat has the usage.
    this.#cgroups = new ContainerCgroups(options, ['cpu', 'cpuacct'], ['cpuacct']);
    this.#enableCfs = options.enableCfs;
  }

  static create(options: IsolatorOptions): CgroupsCpuIsolator {
    const layout: CgroupLayout = options.cgroupsLayout ?? detectHostLayout(options.cgroupsHierarchy);
    return new CgroupsCpuIsolator({ layout, root: options.cgroupsRoot, enableCfs: options.cgroupsEnableCfs });
  }

  async recover(known: readonly ContainerConfig[], orphans: readonly ContainerConfig[]): Promise<void> {
    await this.#cgroups.recover(known, orphans);
    for (const config of known) this.#cpus.set(config.containerId, config.resources.cpus);
  }

  async prepare(config: ContainerConfig): Promise<LaunchInfo> {
    const cgroup = this.#cgroups.track(config.containerId, config.parentIds);
    this.#cgroups.create(config.containerId);
    this.#cpus.set(config.containerId, config.resources.cpus);
    this.#write(config.containerId, config.resources);
    return { cgroupsPath: `/${cgroup}` };
  }

  async isolate(containerId: string, pid: number): Promise<void> {
    this.#cgroups.addProcess(containerId, pid);
  }

  async update(containerId: string, resources: ContainerResources): Promise<void> {
    this.#cpus.set(containerId, resources.cpus);
    this.#write(containerId, resources);
  }

  async usage(containerId: string): Promise<UsageFields> {
    const cpu = this.#cgroups.hierarchy('cpu')!;
    const cpuDir = this.#cgroups.dir(containerId, 'cpu');
    const acctDir = this.#cgroups.hierarchy('cpuacct') !== undefined ? this.#cgroups.dir(containerId, 'cpuacct') : undefined;
    const usage = parseCpuUsage(cpu.version, readControl(cpuDir, 'cpu.stat'), acctDir && readOptionalControl(acctDir, 'cpuacct.stat'));
    const cpus = this.#cpus.get(containerId);
    const threads = readOptionalControl(cpuDir, cpu.version === 'v1' ? 'tasks' : 'cgroup.threads');
    return {
      ...usage,
      ...(cpus !== undefined ? { cpusLimit: cpus } : {}),
      processes: this.#cgroups.procs(containerId).length,
      ...(threads !== undefined ? { threads: threads.split('\n').filter((l) => l !== '').length } : {}),
    };
  }

  async cleanup(containerId: string): Promise<void> {
    // Whatever is still inside (a process that escaped the runtime's kill) dies with the cgroup.
    await this.#cgroups.killAll(containerId);
    this.#cgroups.remove(containerId);
    this.#cpus.delete(containerId);
  }

  #write(containerId: string, resources: ContainerResources): void {
    const cpu = this.#cgroups.hierarchy('cpu')!;
    const dir = this.#cgroups.dir(containerId, 'cpu');
    for (const [file, value] of cpuControlFiles(cpuSettings(resources.cpus, this.#enableCfs), cpu.version)) {
      writeControl(dir, file, value);
    }
  }
}
