/**
 * network/cni: a container whose ContainerInfo.network_infos names CNI
 * networks gets its own network namespace, attached to those networks by CNI
 * plugins (src/agent/containerizer/network/), as Mesos' network/cni isolator
 * does. Containers without named networks keep host networking (Mesos'
 * default). Nested containers (the tasks of a task group) share the network
 * of their closest ancestor that has one: a pod has one IP.
 *
 *   recover   adopt the networks of known and orphan containers (the runtime
 *             cleans orphans up next); tear down directories nobody knows
 *   prepare   set the networks up → NetworkLaunchInfo: the netns path for the
 *             runtime to join, the hostname, and bind mounts of the generated
 *             /etc/hosts, /etc/hostname, /etc/resolv.conf (rootfs containers)
 *   cleanup   DEL every network, release the IPs, remove the namespace
 *   status    NetworkInfo per network with the container's IPs
 *             (TaskStatus.container_status.network_infos)
 *
 * Flags as in Mesos: --network_cni_config_dir and --network_cni_plugins_dir
 * (both or neither: without them only host networking works),
 * --default_container_dns, and --runtime_dir for the state.
 */
import type { ContainerStatus } from '../../../../protocol/gen/mesos/v1/mesos_pb.js';
import {
  CniNetworkManager,
  CONTAINER_FILE_DESTINATIONS,
  type ContainerNetwork,
  type ContainerNetworkFiles,
  type ContainerNetworkRequest,
  loadNetworkConfigs,
  networkInfosOf,
  NetworkRequestError,
  parseDefaultContainerDns,
  parsePluginDirs,
} from '../../network/index.js';
import { checkPluginsInstalled } from '../../network/cni-config.js';
import { IsolationConfigError } from '../errors.js';
import type { ContainerConfig, Isolator, LaunchInfo, MountSpec } from '../isolator.js';
import type { IsolatorOptions } from '../options.js';

/** Mesos' default --runtime_dir. */
export const DEFAULT_RUNTIME_DIR = '/var/run/mesos';

/** The flags network/cni reads on top of IsolatorOptions (optional there until the agent passes them). */
export interface CniIsolatorFlags {
  /** --runtime_dir (default /var/run/mesos). */
  readonly runtimeDir?: string;
  /** --network_cni_config_dir. */
  readonly networkCniConfigDir?: string;
  /** --network_cni_plugins_dir (':'-separated; Debian installs into /usr/lib/cni). */
  readonly networkCniPluginsDir?: string;
  /** --default_container_dns (JSON text or parsed). */
  readonly defaultContainerDns?: string | object;
  /** Bound on one plugin call (default 30 s). */
  readonly cniPluginTimeoutMs?: number;
}

/** A ContainerConfig that carries the CNI request (built by the runtime from ContainerInfo; see docs/networking.md). */
export interface NetworkedContainerConfig extends ContainerConfig {
  readonly network?: ContainerNetworkRequest;
}

/** What prepare() returns for a container with its own (or its parent's) network namespace. */
export interface NetworkLaunchInfo extends LaunchInfo {
  /** Join this namespace (OCI linux.namespaces [{type: "network", path}]); never create a new one. */
  readonly networkNamespacePath: string;
  /** The UTS hostname (the same as in the generated /etc/hostname). */
  readonly hostname: string;
}

export class NetworkCniIsolator implements Isolator {
  readonly name = 'network/cni';
  /** Undefined when neither CNI flag is set: only host networking then. */
  readonly #manager: CniNetworkManager | undefined;
  /** Nested container → the ancestor whose network it shares. */
  readonly #sharedWith = new Map<string, string>();

  constructor(manager: CniNetworkManager | undefined) {
    this.#manager = manager;
  }

  /** Validates the flags, every network config and that its plugins are installed (Mesos fails the agent start too). */
  static create(options: IsolatorOptions & CniIsolatorFlags): NetworkCniIsolator {
    const configDir = options.networkCniConfigDir;
    const pluginsFlag = options.networkCniPluginsDir;
    if (configDir === undefined && pluginsFlag === undefined) return new NetworkCniIsolator(undefined);
    if (configDir === undefined || pluginsFlag === undefined) {
      throw new IsolationConfigError(
        "The 'network/cni' isolator needs both --network_cni_config_dir and --network_cni_plugins_dir (or neither, for host networking only)",
      );
    }
    const pluginDirs = parsePluginDirs(pluginsFlag);
    if (pluginDirs.length === 0) throw new IsolationConfigError('--network_cni_plugins_dir is empty; Debian installs the plugins in /usr/lib/cni');
    for (const network of loadNetworkConfigs(configDir).values()) checkPluginsInstalled(network, pluginDirs);
    const defaultDns = parseDefaultContainerDns(options.defaultContainerDns);
    return new NetworkCniIsolator(
      new CniNetworkManager({
        runtimeDir: options.runtimeDir ?? DEFAULT_RUNTIME_DIR,
        configDir,
        pluginDirs,
        ...(defaultDns ? { defaultDns } : {}),
        ...(options.cniPluginTimeoutMs !== undefined ? { pluginTimeoutMs: options.cniPluginTimeoutMs } : {}),
        log: options.log,
      }),
    );
  }

  /** The manager (tests, and the agent's /containers endpoint if it wants more than status()). */
  get manager(): CniNetworkManager | undefined {
    return this.#manager;
  }

  async recover(known: readonly ContainerConfig[], orphans: readonly ContainerConfig[]): Promise<void> {
    for (const config of [...known, ...orphans]) this.#rememberAncestor(config);
    if (!this.#manager) return;
    // Orphans are adopted, not removed: the runtime destroys them next and cleanup() tears their networks down.
    await this.#manager.recover([...known, ...orphans].map((c) => c.containerId));
  }

  async prepare(config: ContainerConfig): Promise<NetworkLaunchInfo | undefined> {
    const request = (config as NetworkedContainerConfig).network;
    if (config.parentIds.length > 0) {
      if (request !== undefined) {
        throw new NetworkRequestError(
          config.containerId,
          'a nested container shares its parent\'s network; put network_infos on the executor\'s (top-level) ContainerInfo',
        );
      }
      const ancestor = this.#rememberAncestor(config);
      const shared = ancestor === undefined ? undefined : this.#manager?.get(ancestor);
      return shared ? launchInfoFor(shared, config.rootfs !== undefined) : undefined;
    }
    if (request === undefined) return undefined;
    if (!this.#manager) {
      throw new IsolationConfigError(
        `Container ${config.containerId} asks for CNI network(s) ${request.networks.map((n) => `'${n.name}'`).join(', ')} ` +
          'but the agent has no --network_cni_config_dir / --network_cni_plugins_dir',
      );
    }
    const network = await this.#manager.setUp(config.containerId, request);
    return launchInfoFor(network, config.rootfs !== undefined);
  }

  async cleanup(containerId: string): Promise<void> {
    if (this.#sharedWith.delete(containerId)) return; // a nested container owns nothing
    await this.#manager?.tearDown(containerId);
  }

  /** Mesos' Isolator::status: the container's NetworkInfos (its ancestor's for nested containers). */
  async status(containerId: string): Promise<Pick<ContainerStatus, 'networkInfos'>> {
    const network = this.networkOf(containerId);
    return { networkInfos: network ? networkInfosOf(network) : [] };
  }

  /** The network a container is in (own or shared), or undefined for host networking. */
  networkOf(containerId: string): ContainerNetwork | undefined {
    return this.#manager?.get(this.#sharedWith.get(containerId) ?? containerId);
  }

  /** Records which ancestor's network a nested container uses: the innermost one that has a network. */
  #rememberAncestor(config: ContainerConfig): string | undefined {
    if (config.parentIds.length === 0) return undefined;
    const ancestor = [...config.parentIds].reverse().find((id) => this.#manager?.get(id) !== undefined) ?? config.parentIds[0]!;
    this.#sharedWith.set(config.containerId, ancestor);
    return ancestor;
  }
}

/** Bind mounts of the generated files (only containers with their own rootfs: the host's /etc must stay the host's). */
export function networkFileMounts(files: ContainerNetworkFiles): MountSpec[] {
  return (Object.keys(CONTAINER_FILE_DESTINATIONS) as (keyof ContainerNetworkFiles)[]).map((key) => ({
    destination: CONTAINER_FILE_DESTINATIONS[key],
    type: 'bind',
    source: files[key],
    options: ['bind', 'rw'],
  }));
}

function launchInfoFor(network: ContainerNetwork, hasRootfs: boolean): NetworkLaunchInfo {
  return {
    networkNamespacePath: network.netnsPath,
    hostname: network.hostname,
    ...(hasRootfs ? { mounts: networkFileMounts(network.files) } : {}),
  };
}
