/**
 * docker/runtime: applies the image config (Entrypoint, Cmd, Env,
 * WorkingDir) to the task's command, by the rules in ../../docker-runtime.ts.
 * Needed whenever `--image_providers` includes docker. Does nothing for
 * containers without an image, or with `--docker_ignore_runtime`.
 */
import type { Logger } from '../../../../lib/logger.js';
import { mergeDockerRuntime } from '../../docker-runtime.js';
import type { ContainerConfig, Isolator, LaunchInfo } from '../isolator.js';
import type { IsolatorOptions } from '../options.js';

export class DockerRuntimeIsolator implements Isolator {
  readonly name = 'docker/runtime';
  readonly #ignoreRuntime: boolean;
  readonly #log: Logger;

  constructor(ignoreRuntime: boolean, log: Logger) {
    this.#ignoreRuntime = ignoreRuntime;
    this.#log = log;
  }

  static create(options: IsolatorOptions): DockerRuntimeIsolator {
    return new DockerRuntimeIsolator(options.dockerIgnoreRuntime, options.log);
  }

  async prepare(config: ContainerConfig): Promise<LaunchInfo | undefined> {
    if (config.image === undefined || this.#ignoreRuntime) return undefined;
    const merged = mergeDockerRuntime(config.command, config.image);
    for (const warning of merged.warnings) this.#log.warn({ containerId: config.containerId }, warning);
    const { executable, argv } = merged.command;
    return {
      // OCI has no separate executable path: args[0] is what gets exec'd.
      argv: [executable, ...argv.slice(1)],
      env: merged.imageEnv,
      ...(merged.workingDir !== undefined ? { workingDirectory: merged.workingDir } : {}),
    };
  }
}
