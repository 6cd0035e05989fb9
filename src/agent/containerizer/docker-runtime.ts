/**
 * How a Docker image's config (Entrypoint, Cmd, Env, WorkingDir, User) and a
 * task's CommandInfo become one command line, as Mesos' docker/runtime
 * isolator decides it (`isolators/docker/runtime.cpp`, getLaunchCommand).
 * Pure: no I/O, table-tested in docker-runtime.test.ts.
 *
 *   shell  value  Entrypoint  Cmd   → what runs
 *   true   v      (ignored)   (ign) → /bin/sh -c v
 *   true   –      –           –     → error: shell needs a value
 *   false  v      (ignored)   (ign) → v with argv = arguments (or [v])
 *   false  –      E           C     → E[0], argv = E + (arguments if any, else C)
 *   false  –      –           C     → C[0], argv = [C[0]] + (arguments if any, else C[1..])
 *   false  –      –           –     → error: nothing to run
 *
 * Environment, lowest priority first: the agent/executor environment (incl.
 * MESOS_SANDBOX) < the image Env < CommandInfo.environment.
 */
import type { CommandSpec, ImageRuntimeConfig } from './isolators/isolator.js';
import { CommandMergeError } from './isolators/errors.js';

/** What to exec: `executable` is looked up in the container's PATH when it has no '/'. */
export interface ResolvedCommand {
  readonly executable: string;
  /** The full argv, argv[0] included. */
  readonly argv: readonly string[];
}

export interface DockerRuntimeResult {
  readonly command: ResolvedCommand;
  /** The image WorkingDir when non-empty; otherwise the caller's default (the sandbox). */
  readonly workingDir: string | undefined;
  /** The image Env as a map (to be layered by mergeEnvironments). */
  readonly imageEnv: Readonly<Record<string, string>>;
  /** Things Mesos only warns about (image User). */
  readonly warnings: readonly string[];
}

/** Mesos' CommandInfo.shell default. */
export const DEFAULT_SHELL = true;
export const SHELL_PATH = '/bin/sh';

/** Merges the image config into the command. `image` undefined = no image, or `--docker_ignore_runtime`. */
export function mergeDockerRuntime(command: CommandSpec, image: ImageRuntimeConfig | undefined): DockerRuntimeResult {
  const warnings: string[] = [];
  if (image?.user !== undefined && image.user !== '') {
    warnings.push(
      `The image User '${image.user}' is ignored: docker/runtime does not support it; ` +
        'the task runs as the CommandInfo/framework user',
    );
  }
  return {
    command: resolveCommand(command, image),
    workingDir: image?.workingDir !== undefined && image.workingDir !== '' ? image.workingDir : undefined,
    imageEnv: parseEnvList(image?.env ?? []),
    warnings,
  };
}

/** The command table above. Throws CommandMergeError for the two error rows. */
export function resolveCommand(command: CommandSpec, image: ImageRuntimeConfig | undefined): ResolvedCommand {
  const shell = command.shell ?? DEFAULT_SHELL;
  const value = command.value !== undefined && command.value !== '' ? command.value : undefined;
  const args = command.arguments ?? [];

  if (shell) {
    if (value === undefined) {
      throw new CommandMergeError('CommandInfo.shell is true but no CommandInfo.value was given: set a value to run with /bin/sh -c');
    }
    return { executable: SHELL_PATH, argv: [SHELL_PATH, '-c', value] };
  }
  if (value !== undefined) {
    // Mesos execs `value` with `arguments` as the whole argv (argv[0] included).
    return { executable: value, argv: args.length > 0 ? [...args] : [value] };
  }
  const entrypoint = image?.entrypoint ?? [];
  const cmd = image?.cmd ?? [];
  if (entrypoint.length > 0) {
    return { executable: entrypoint[0]!, argv: [...entrypoint, ...(args.length > 0 ? args : cmd)] };
  }
  if (cmd.length > 0) {
    return { executable: cmd[0]!, argv: [cmd[0]!, ...(args.length > 0 ? args : cmd.slice(1))] };
  }
  throw new CommandMergeError(
    'Nothing to run: CommandInfo has shell=false and no value, and the image has no Entrypoint or Cmd',
  );
}

/** `KEY=VALUE` strings (image config Env) as a map; a later duplicate wins, as in Docker. */
export function parseEnvList(list: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of list) {
    const eq = entry.indexOf('=');
    // Docker accepts a bare `KEY` (meaning "take it from the host"); Mesos skips it.
    if (eq <= 0) continue;
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** Layers environments, lowest priority first (later layers override earlier ones). */
export function mergeEnvironments(...layers: ReadonlyArray<Readonly<Record<string, string>> | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const layer of layers) {
    if (layer !== undefined) Object.assign(env, layer);
  }
  return env;
}

/** `KEY=VALUE` strings in insertion order, as OCI's process.env wants them. */
export function envToList(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}
