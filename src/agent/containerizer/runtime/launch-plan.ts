/**
 * Folds the isolators' LaunchInfos into the one plan the launcher applies
 * (pure; Mesos' containerizer does the same with ContainerLaunchInfo):
 *
 *   argv        from at most one isolator (docker/runtime); otherwise the
 *               CommandInfo alone (`/bin/sh -c value`, or value + arguments)
 *   env         agent/executor env < isolator envs (in --isolation order)
 *               < CommandInfo.environment; PATH defaulted if nobody set it
 *   cwd         from at most one isolator (image WorkingDir); otherwise the
 *               sandbox: `--sandbox_directory` with a rootfs, the host path without
 *   mounts      concatenated;  namespaces  union
 *   cgroupsPath every isolator that gives one must give the same
 */
import { mergeEnvironments, resolveCommand } from '../docker-runtime.js';
import { IsolationConfigError } from '../isolators/errors.js';
import type { ContainerConfig, LaunchInfo, MountSpec, Namespace } from '../isolators/isolator.js';

/** Mesos' default PATH for tasks whose environment has none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface LaunchPlan {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly mounts: readonly MountSpec[];
  readonly namespaces: readonly Namespace[];
  readonly cgroupsPath: string | undefined;
}

export interface PreparedInfo {
  readonly isolator: string;
  readonly info: LaunchInfo | undefined;
}

export function buildLaunchPlan(
  config: ContainerConfig,
  agentEnv: Readonly<Record<string, string>>,
  prepared: readonly PreparedInfo[],
  sandboxDirectory: string,
): LaunchPlan {
  const argv = single(config, prepared, 'argv', (i) => i.argv);
  const cwd = single(config, prepared, 'working directory', (i) => i.workingDirectory);
  const cgroupPaths = new Set(prepared.map((p) => p.info?.cgroupsPath).filter((p): p is string => p !== undefined));
  if (cgroupPaths.size > 1) {
    throw new IsolationConfigError(`Container ${config.containerId}: isolators disagree on the cgroup: ${[...cgroupPaths].join(', ')}`);
  }
  const namespaces = new Set<Namespace>();
  for (const p of prepared) for (const ns of p.info?.namespaces ?? []) namespaces.add(ns);
  const env = mergeEnvironments(agentEnv, ...prepared.map((p) => p.info?.env), config.command.environment);
  if (env.PATH === undefined) env.PATH = DEFAULT_PATH;
  return {
    argv: argv ?? commandArgv(config),
    env,
    cwd: cwd ?? (config.rootfs !== undefined ? sandboxDirectory : config.sandboxDir),
    mounts: prepared.flatMap((p) => p.info?.mounts ?? []),
    namespaces: [...namespaces],
    cgroupsPath: [...cgroupPaths][0],
  };
}

/** The CommandInfo without an image: what Mesos' launcher execs. */
function commandArgv(config: ContainerConfig): string[] {
  const { executable, argv } = resolveCommand(config.command, undefined);
  return [executable, ...argv.slice(1)];
}

function single<T>(config: ContainerConfig, prepared: readonly PreparedInfo[], what: string, pick: (info: LaunchInfo) => T | undefined): T | undefined {
  const setters = prepared.filter((p) => p.info !== undefined && pick(p.info) !== undefined);
  if (setters.length > 1) {
    throw new IsolationConfigError(
      `Container ${config.containerId}: isolators ${setters.map((s) => `'${s.isolator}'`).join(' and ')} both set the ${what}; only one may`,
    );
  }
  const info = setters[0]?.info;
  return info === undefined ? undefined : pick(info);
}
