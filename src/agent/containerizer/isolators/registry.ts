/**
 * The one table from `--isolation` names to isolator factories. A name is
 * also the isolator's path under isolators/ (`cgroups/cpu` ↔ cgroups/cpu.ts).
 */
import { DockerRuntimeIsolator } from './docker/runtime.js';
import { CgroupsCpuIsolator } from './cgroups/cpu.js';
import { detectHostLayout } from './cgroups/layout.js';
import { CgroupsMemIsolator } from './cgroups/mem.js';
import { IsolationConfigError, UnknownIsolatorError } from './errors.js';
import { FilesystemLinuxIsolator } from './filesystem/linux.js';
import type { Isolator } from './isolator.js';
import { NamespacesPidIsolator } from './namespaces/pid.js';
import type { IsolatorOptions } from './options.js';
import { PosixCpuIsolator } from './posix/cpu.js';
import { PosixMemIsolator } from './posix/mem.js';

export const ISOLATOR_FACTORIES = {
  'posix/cpu': () => PosixCpuIsolator.create(),
  'posix/mem': () => PosixMemIsolator.create(),
  'cgroups/cpu': (options: IsolatorOptions) => CgroupsCpuIsolator.create(options),
  'cgroups/mem': (options: IsolatorOptions) => CgroupsMemIsolator.create(options),
  'namespaces/pid': () => NamespacesPidIsolator.create(),
  'filesystem/linux': (options: IsolatorOptions) => FilesystemLinuxIsolator.create(options),
  'docker/runtime': (options: IsolatorOptions) => DockerRuntimeIsolator.create(options),
} as const satisfies Record<string, (options: IsolatorOptions) => Isolator>;

export type IsolatorName = keyof typeof ISOLATOR_FACTORIES;

/** Mesos' deprecated `--isolation` aliases. */
export const DEPRECATED_ISOLATION_ALIASES: Readonly<Record<string, readonly IsolatorName[]>> = {
  process: ['posix/cpu', 'posix/mem'],
  cgroups: ['cgroups/cpu', 'cgroups/mem'],
};

/** Mesos' default `--isolation` (Linux). */
export const DEFAULT_ISOLATION = 'posix/cpu,posix/mem';

export function isIsolatorName(name: string): name is IsolatorName {
  return Object.hasOwn(ISOLATOR_FACTORIES, name);
}

/** Any isolator that needs root and cgroupfs. */
export function needsCgroups(names: readonly IsolatorName[]): boolean {
  return names.some((n) => n.startsWith('cgroups/'));
}

/**
 * Parses `--isolation`: comma list, aliases expanded, duplicates dropped, the
 * order kept (phases run in this order). Throws UnknownIsolatorError naming
 * the bad entry, IsolationConfigError for combinations Mesos refuses.
 */
export function parseIsolation(flag: string): IsolatorName[] {
  const names: IsolatorName[] = [];
  for (const raw of flag.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const expanded = DEPRECATED_ISOLATION_ALIASES[entry] ?? [entry];
    for (const name of expanded) {
      if (!isIsolatorName(name)) {
        throw new UnknownIsolatorError(name, [...Object.keys(ISOLATOR_FACTORIES), ...Object.keys(DEPRECATED_ISOLATION_ALIASES)]);
      }
      if (!names.includes(name)) names.push(name);
    }
  }
  if (names.includes('namespaces/pid') && !names.includes('filesystem/linux')) {
    throw new IsolationConfigError(
      "The 'namespaces/pid' isolator requires 'filesystem/linux' (a pid namespace needs its own /proc); add it to --isolation",
    );
  }
  for (const kind of ['cpu', 'mem']) {
    if (names.includes(`posix/${kind}` as IsolatorName) && names.includes(`cgroups/${kind}` as IsolatorName)) {
      throw new IsolationConfigError(`Both 'posix/${kind}' and 'cgroups/${kind}' are in --isolation; keep one`);
    }
  }
  return names;
}

/** Builds the isolators in flag order; the cgroup layout is detected once and shared. */
export function createIsolators(names: readonly IsolatorName[], options: IsolatorOptions): Isolator[] {
  const shared: IsolatorOptions =
    needsCgroups(names) && options.cgroupsLayout === undefined
      ? { ...options, cgroupsLayout: detectHostLayout(options.cgroupsHierarchy) }
      : options;
  return names.map((name) => ISOLATOR_FACTORIES[name](shared));
}
