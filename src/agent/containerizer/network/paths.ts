/**
 * The network/cni tree under the agent's runtime dir (Mesos keeps it at
 * `<runtime_dir>/isolators/network/cni`; a tmpfs on most systems, so a reboot
 * clears it together with the namespaces it describes):
 *
 *   <runtime_dir>/isolators/network/cni/
 *     <containerId>/
 *       request.json            ContainerNetworkRequest: written first, so recovery
 *                               knows a set-up was started
 *       ns                      the network namespace (nsfs bind mount)
 *       hosts  hostname  resolv.conf     bind-mounted into the container
 *       networks/<network>/<ifName>/
 *         attachment.json       what ADD was given (config list, runtimeConfig, args):
 *                               written BEFORE ADD, so an ADD cut short is still DELeted
 *         result.json           the final ADD result (prevResult for DEL)
 *
 * Network names go under `networks/` so a network called "hosts" cannot
 * collide with a file.
 */
import { join } from 'node:path';

import type { ContainerNetworkFiles } from './container-files.js';

export const CNI_ROOT_SUBDIR = join('isolators', 'network', 'cni');
export const REQUEST_FILE = 'request.json';
export const NETNS_FILE = 'ns';
export const NETWORKS_DIR = 'networks';
export const ATTACHMENT_FILE = 'attachment.json';
export const RESULT_FILE = 'result.json';

export class CniPaths {
  readonly root: string;

  /** `runtimeDir`: the agent's --runtime_dir. */
  constructor(runtimeDir: string) {
    this.root = join(runtimeDir, CNI_ROOT_SUBDIR);
  }

  container(id: string): string {
    return join(this.root, id);
  }
  request(id: string): string {
    return join(this.container(id), REQUEST_FILE);
  }
  netns(id: string): string {
    return join(this.container(id), NETNS_FILE);
  }
  files(id: string): ContainerNetworkFiles {
    const dir = this.container(id);
    return { hosts: join(dir, 'hosts'), hostname: join(dir, 'hostname'), resolvConf: join(dir, 'resolv.conf') };
  }
  networks(id: string): string {
    return join(this.container(id), NETWORKS_DIR);
  }
  network(id: string, network: string): string {
    return join(this.networks(id), network);
  }
  attachmentDir(id: string, network: string, ifName: string): string {
    return join(this.network(id, network), ifName);
  }
  attachment(id: string, network: string, ifName: string): string {
    return join(this.attachmentDir(id, network, ifName), ATTACHMENT_FILE);
  }
  result(id: string, network: string, ifName: string): string {
    return join(this.attachmentDir(id, network, ifName), RESULT_FILE);
  }
}
