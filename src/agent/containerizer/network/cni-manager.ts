/**
 * CNI networking for containers: one network namespace per top-level
 * container, attached to each requested CNI network, as Mesos' network/cni
 * isolator does it. Nested containers (task-group tasks) join their parent's
 * namespace; that is the isolator adapter's business, not this module's.
 *
 * setUp(containerId, request):
 *   1. validate the request; find every network's config and plugins (nothing
 *      is created for a request that cannot work)
 *   2. record request.json, create the netns (loopback up)
 *   3. per network, in order (eth0, eth1 ...): record attachment.json, run
 *      ADD, record result.json, collect the container's IPs
 *   4. write hosts, hostname, resolv.conf for the runtime to bind-mount
 *   on any failure: tear down what exists (DEL every recorded attachment,
 *   remove the netns and the directory), then throw the original error
 *
 * tearDown(containerId): DEL every recorded attachment (reverse order, with
 * the ADD result as prevResult; host-local releases the lease), remove the
 * netns, remove the directory. Idempotent; unknown ids are fine. If a DEL
 * fails the namespace still goes, the failed records stay, and the error says
 * so: the next tearDown or recover() runs DEL again (with no netns; IPAM
 * plugins release leases without one).
 *
 * recover(keep): adopt the containers in `keep` from their records; tear down
 * every other directory (orphans of an agent that died).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';

import { errorMessage } from '../../../lib/errors.js';
import type { Logger } from '../../../lib/logger.js';
import { checkPluginsInstalled, findNetworkConfig } from './cni-config.js';
import { addNetwork, type Attachment, checkNetwork, delNetwork, listHasCapability, type PluginRunner } from './cni-network.js';
import { DEFAULT_PLUGIN_TIMEOUT_MS } from './cni-plugin.js';
import { type ContainerAddress, containerAddresses, parseCniResult } from './cni-result.js';
import { type ContainerNetworkFiles, writeContainerFiles } from './container-files.js';
import { chooseDns, type DefaultContainerDns } from './dns.js';
import { NetworkRequestError, NetworkTeardownError } from './errors.js';
import { createNetns, netnsExists, removeNetns } from './netns.js';
import { CniPaths } from './paths.js';
import { toCniPortMappings } from './port-mappings.js';
import { type AttachmentRecord, listContainers, readAttachments, readRequest, writeJsonAtomic } from './records.js';
import { type ContainerNetworkRequest, interfaceName, type NetworkRequest, validateNetworkRequest } from './request.js';

export interface CniManagerOptions {
  /** The agent's --runtime_dir; the tree lives in <runtime_dir>/isolators/network/cni. */
  readonly runtimeDir: string;
  /** --network_cni_config_dir. */
  readonly configDir: string;
  /** --network_cni_plugins_dir, split on ':'. */
  readonly pluginDirs: readonly string[];
  /** --default_container_dns, parsed. */
  readonly defaultDns?: DefaultContainerDns;
  readonly pluginTimeoutMs?: number;
  readonly log: Logger;
}

export interface AttachedNetwork {
  readonly name: string;
  readonly ifName: string;
  readonly addresses: readonly ContainerAddress[];
  readonly request: NetworkRequest;
}

/** A container's networking, as the runtime and the status need it. */
export interface ContainerNetwork {
  readonly containerId: string;
  /** For OCI `linux.namespaces: [{type: "network", path}]` or `nsenter --net=<path>`. */
  readonly netnsPath: string;
  readonly hostname: string;
  /** Host paths of the files to bind-mount at /etc/hosts, /etc/hostname, /etc/resolv.conf. */
  readonly files: ContainerNetworkFiles;
  readonly networks: readonly AttachedNetwork[];
}

export interface CniRecovery {
  readonly recovered: readonly string[];
  readonly removed: readonly string[];
  /** Orphans whose teardown failed (kept on disk, retried by the next recovery). */
  readonly failed: readonly string[];
}

export class CniNetworkManager {
  readonly #paths: CniPaths;
  readonly #runner: PluginRunner;
  readonly #configDir: string;
  readonly #defaultDns: DefaultContainerDns | undefined;
  readonly #log: Logger;
  readonly #containers = new Map<string, ContainerNetwork>();
  /** Operations on one container run one at a time (a cleanup racing a set-up would DEL half an ADD). */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(options: CniManagerOptions) {
    this.#paths = new CniPaths(options.runtimeDir);
    this.#runner = { pluginDirs: options.pluginDirs, timeoutMs: options.pluginTimeoutMs ?? DEFAULT_PLUGIN_TIMEOUT_MS };
    this.#configDir = options.configDir;
    this.#defaultDns = options.defaultDns;
    this.#log = options.log;
  }

  get paths(): CniPaths {
    return this.#paths;
  }

  /** The container's networking, or undefined when it has none (host networking or unknown). */
  get(containerId: string): ContainerNetwork | undefined {
    return this.#containers.get(containerId);
  }

  setUp(containerId: string, request: ContainerNetworkRequest): Promise<ContainerNetwork> {
    return this.#serialize(containerId, () => this.#setUp(containerId, request));
  }

  tearDown(containerId: string): Promise<void> {
    return this.#serialize(containerId, async () => {
      await this.#tearDownOnDisk(containerId);
      this.#containers.delete(containerId);
    });
  }

  /** CNI CHECK on every network of the container: throws the plugin's error when something drifted. */
  check(containerId: string): Promise<void> {
    return this.#serialize(containerId, async () => {
      const network = this.#containers.get(containerId);
      if (!network) return;
      for (const record of readAttachments(this.#paths, containerId)) {
        if (record.attachment && record.result) await checkNetwork(this.#runner, record.attachment, network.netnsPath, record.result);
      }
    });
  }

  async recover(keep: Iterable<string>): Promise<CniRecovery> {
    const wanted = new Set(keep);
    const recovered: string[] = [];
    const removed: string[] = [];
    const failed: string[] = [];
    for (const containerId of listContainers(this.#paths)) {
      if (wanted.has(containerId)) {
        try {
          this.#containers.set(containerId, this.#load(containerId));
          recovered.push(containerId);
          continue;
        } catch (err) {
          this.#log.warn({ containerId, err: errorMessage(err) }, 'CNI records of a known container are unusable; tearing its networks down');
        }
      }
      try {
        await this.tearDown(containerId);
        removed.push(containerId);
        this.#log.info({ containerId }, 'Removed the CNI networks of an orphaned container');
      } catch (err) {
        failed.push(containerId);
        this.#log.warn({ containerId, err: errorMessage(err) }, 'Failed to remove the CNI networks of an orphaned container');
      }
    }
    return { recovered, removed, failed };
  }

  async #setUp(containerId: string, request: ContainerNetworkRequest): Promise<ContainerNetwork> {
    validateNetworkRequest(containerId, request);
    if (this.#containers.has(containerId) || existsSync(this.#paths.container(containerId))) {
      throw new NetworkRequestError(containerId, 'already has CNI networks (tear them down first)');
    }
    const attachments = request.networks.map((network, index): Attachment => {
      const config = findNetworkConfig(this.#configDir, network.name);
      checkPluginsInstalled(config, this.#runner.pluginDirs);
      if (network.portMappings.length > 0 && !listHasCapability(config, 'portMappings')) {
        this.#log.warn(
          { containerId, network: network.name, file: config.file },
          'Port mappings requested but no plugin of the network has capabilities.portMappings (add the portmap plugin); they are ignored',
        );
      }
      return {
        containerId,
        ifName: interfaceName(index),
        network: config,
        runtimeConfig: network.portMappings.length > 0 ? { portMappings: toCniPortMappings(network.portMappings) } : {},
        args: { 'org.apache.mesos': { network_info: mesosNetworkInfoJson(network) } },
      };
    });

    const netnsPath = this.#paths.netns(containerId);
    const hostname = request.hostname ?? containerId;
    mkdirSync(this.#paths.container(containerId), { recursive: true });
    try {
      writeJsonAtomic(this.#paths.request(containerId), request);
      await createNetns(netnsPath);
      const networks: AttachedNetwork[] = [];
      const pluginDns = [];
      for (const [index, attachment] of attachments.entries()) {
        const name = attachment.network.name;
        mkdirSync(this.#paths.attachmentDir(containerId, name, attachment.ifName), { recursive: true });
        writeJsonAtomic(this.#paths.attachment(containerId, name, attachment.ifName), attachment);
        const result = await addNetwork(this.#runner, attachment, netnsPath);
        writeJsonAtomic(this.#paths.result(containerId, name, attachment.ifName), result.raw);
        const addresses = containerAddresses(result, attachment.ifName);
        if (addresses.length === 0) this.#log.warn({ containerId, network: name }, 'The CNI network assigned the container no IP address');
        networks.push({ name, ifName: attachment.ifName, addresses, request: request.networks[index]! });
        pluginDns.push({ name, pluginDns: result.dns });
      }
      const files = this.#paths.files(containerId);
      const firstAddresses = networks.flatMap((n) => (n.addresses[0] ? [n.addresses[0].address] : []));
      writeContainerFiles(files, hostname, firstAddresses, chooseDns(pluginDns, this.#defaultDns));
      const network: ContainerNetwork = { containerId, netnsPath, hostname, files, networks };
      this.#containers.set(containerId, network);
      this.#log.info({ containerId, networks: networks.map((n) => `${n.name}:${n.addresses.map((a) => a.address).join(',')}`) }, 'CNI networks set up');
      return network;
    } catch (err) {
      await this.#tearDownOnDisk(containerId).catch((cleanupErr: unknown) =>
        this.#log.warn({ containerId, err: errorMessage(cleanupErr) }, 'Undoing a failed CNI set-up left something behind'),
      );
      throw err;
    }
  }

  /** See the file comment: DEL all (reverse), drop the netns, drop the dir; keep failed records. */
  async #tearDownOnDisk(containerId: string): Promise<void> {
    const dir = this.#paths.container(containerId);
    if (!existsSync(dir)) return;
    const netnsPath = this.#paths.netns(containerId);
    const netns = netnsExists(netnsPath) ? netnsPath : '';
    const failures: string[] = [];
    let records: AttachmentRecord[];
    try {
      records = readAttachments(this.#paths, containerId);
    } catch (err) {
      failures.push(`cannot read the attachment records: ${errorMessage(err)}`);
      records = [];
    }
    for (const record of records.reverse()) {
      if (record.attachment === undefined) {
        rmSync(record.dir, { recursive: true, force: true });
        continue;
      }
      try {
        await delNetwork(this.#runner, record.attachment, netns, record.result);
        rmSync(record.dir, { recursive: true, force: true });
      } catch (err) {
        failures.push(`DEL ${record.attachment.network.name}/${record.attachment.ifName}: ${errorMessage(err)}`);
      }
    }
    try {
      await removeNetns(netnsPath);
    } catch (err) {
      failures.push(errorMessage(err));
    }
    if (failures.length > 0) throw new NetworkTeardownError(containerId, failures);
    rmSync(dir, { recursive: true, force: true });
  }

  /** Rebuilds a ContainerNetwork from its records (agent recovery). */
  #load(containerId: string): ContainerNetwork {
    const request = readRequest(this.#paths, containerId);
    const netnsPath = this.#paths.netns(containerId);
    if (!netnsExists(netnsPath)) this.#log.warn({ containerId, netnsPath }, 'The network namespace of a known container is gone');
    const networks = readAttachments(this.#paths, containerId).map((record, index): AttachedNetwork => {
      if (!record.attachment || !record.result) throw new Error(`attachment ${record.dir} never finished ADD`);
      const wantedRequest = request.networks.find((n) => n.name === record.attachment!.network.name) ?? request.networks[index]!;
      return {
        name: record.attachment.network.name,
        ifName: record.attachment.ifName,
        addresses: containerAddresses(parseCniResult(record.result), record.attachment.ifName),
        request: wantedRequest,
      };
    });
    if (networks.length !== request.networks.length) throw new Error(`${networks.length} of ${request.networks.length} networks were attached`);
    return { containerId, netnsPath, hostname: request.hostname ?? containerId, files: this.#paths.files(containerId), networks };
  }

  async #serialize<T>(containerId: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(containerId) ?? Promise.resolve();
    const next = previous.then(operation, operation);
    const settled = next.catch(() => undefined);
    this.#queues.set(containerId, settled);
    try {
      return await next;
    } finally {
      if (this.#queues.get(containerId) === settled) this.#queues.delete(containerId);
    }
  }
}

/** The NetworkInfo in Mesos' JSON shape, as Mesos passes it to plugins in args["org.apache.mesos"]. */
function mesosNetworkInfoJson(network: NetworkRequest): Record<string, unknown> {
  return {
    name: network.name,
    ...(network.labels.length > 0 ? { labels: { labels: network.labels } } : {}),
    ...(network.groups.length > 0 ? { groups: network.groups } : {}),
    ...(network.portMappings.length > 0
      ? { port_mappings: network.portMappings.map((m) => ({ host_port: m.hostPort, container_port: m.containerPort, protocol: m.protocol })) }
      : {}),
  };
}
