/**
 * Turns an executor run into a running process tree. Steps of launch():
 *   1. create the sandbox and point `runs/latest` at it;
 *   2. fetch the executor's URIs into the sandbox (fetcher);
 *   3. start the executor through the Launcher, stdout/stderr into the sandbox.
 * Isolation (isolators, provisioner) is a later issue; it will slot in
 * between 2 and 3 as Mesos' containerizer does (provision → prepare → launch).
 */
import { mkdir, rename, symlink, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';

import type { Logger } from 'pino';

import { type FetcherOptions, type FetchUri, fetchUris } from '../fetcher/fetcher.js';
import type { LaunchedContainer, Launcher } from '../launcher/launcher.js';
import { STDERR, STDOUT } from '../paths.js';

export interface ContainerLaunch {
  readonly containerId: string;
  /** Host path of the sandbox (created here). */
  readonly directory: string;
  /** `.../runs/latest`, repointed at `directory`. */
  readonly latestLink: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly uris: readonly FetchUri[];
}

export class Containerizer {
  readonly #launcher: Launcher;
  readonly #fetcher: FetcherOptions;
  readonly #logger: Logger;

  constructor(options: { launcher: Launcher; fetcher: FetcherOptions; logger: Logger }) {
    this.#launcher = options.launcher;
    this.#fetcher = options.fetcher;
    this.#logger = options.logger;
  }

  /** Step 1 alone, so the sandbox exists (for /files) even if a later step fails. */
  async prepareSandbox(directory: string, latestLink: string): Promise<void> {
    await mkdir(directory, { recursive: true });
    await replaceSymlink(basename(directory), latestLink);
  }

  /** Step 2 alone, for executors that run inside the agent (the built-in command executor). */
  async fetch(uris: readonly FetchUri[], directory: string): Promise<void> {
    await fetchUris(uris, directory, this.#fetcher);
  }

  /** Steps 2 and 3. Throws FetchError or LaunchError. */
  async launch(request: ContainerLaunch): Promise<LaunchedContainer> {
    await fetchUris(request.uris, request.directory, this.#fetcher);
    const container = await this.#launcher.launch({
      containerId: request.containerId,
      argv: request.argv,
      env: request.env,
      cwd: request.directory,
      stdoutPath: join(request.directory, STDOUT),
      stderrPath: join(request.directory, STDERR),
    });
    this.#logger.info({ containerId: request.containerId, pid: container.pid }, 'launched container');
    return container;
  }

  kill(containerId: string, signal: NodeJS.Signals): void {
    this.#launcher.kill(containerId, signal);
  }

  destroy(containerId: string): Promise<void> {
    return this.#launcher.destroy(containerId);
  }
}

/** Points `link` at `target` atomically (a temporary link renamed over the old one). */
export async function replaceSymlink(target: string, link: string): Promise<void> {
  const temp = `${link}.tmp-${process.pid}`;
  await unlink(temp).catch(() => undefined);
  await symlink(target, temp);
  await rename(temp, link);
}
