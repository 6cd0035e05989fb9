/**
 * What a container asks of CNI networking, as plain data: the named networks
 * from ContainerInfo.network_infos (in order: the first gets eth0, the next
 * eth1 ..., as in Mesos) and the hostname (ContainerInfo.hostname, else the
 * container id, as Mesos names CNI containers).
 */
import type { ContainerInfo } from '../../../protocol/gen/mesos/v1/mesos_pb.js';
import { NetworkRequestError } from './errors.js';
import { normalizePortMappings, type PortMapping } from './port-mappings.js';

export interface NetworkLabel {
  readonly key: string;
  readonly value?: string;
}

export interface NetworkRequest {
  /** The CNI network's name (the `name` in a config file). */
  readonly name: string;
  readonly portMappings: readonly PortMapping[];
  /** NetworkInfo.labels and groups: passed to plugins and echoed in the status, as in Mesos. */
  readonly labels: readonly NetworkLabel[];
  readonly groups: readonly string[];
}

export interface ContainerNetworkRequest {
  readonly networks: readonly NetworkRequest[];
  /** Defaults to the container id. */
  readonly hostname?: string;
}

/** An RFC 1123 hostname: dot-separated labels of letters, digits and '-', at most 253 chars (64 for uname). */
const HOSTNAME = /^(?=.{1,64}$)[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*$/;

/**
 * The CNI request of a ContainerInfo, or undefined for host networking
 * (no network_infos with a name: Mesos' default). Throws NetworkRequestError
 * for requests Mesos would refuse.
 */
export function networkRequestFromContainerInfo(containerId: string, info: ContainerInfo | undefined): ContainerNetworkRequest | undefined {
  const named = (info?.networkInfos ?? []).filter((n) => n.name !== '');
  if (named.length === 0) return undefined;
  const request: ContainerNetworkRequest = {
    networks: named.map((n) => ({
      name: n.name,
      portMappings: normalizePortMappings(n.name, n.portMappings),
      labels: (n.labels?.labels ?? []).map((l) => ({ key: l.key, ...(l.value !== undefined && l.value !== '' ? { value: l.value } : {}) })),
      groups: [...n.groups],
    })),
    ...(info?.hostname ? { hostname: info.hostname } : {}),
  };
  validateNetworkRequest(containerId, request);
  return request;
}

/** Duplicate networks and bad hostnames are refused before anything is created. */
export function validateNetworkRequest(containerId: string, request: ContainerNetworkRequest): void {
  if (request.networks.length === 0) throw new NetworkRequestError(containerId, 'a CNI request needs at least one named network');
  const names = new Set<string>();
  for (const network of request.networks) {
    if (names.has(network.name)) {
      throw new NetworkRequestError(containerId, `network '${network.name}' is listed twice in ContainerInfo.network_infos; list it once`);
    }
    names.add(network.name);
  }
  const hostname = request.hostname ?? containerId;
  if (!HOSTNAME.test(hostname)) {
    throw new NetworkRequestError(containerId, `hostname '${hostname}' is not a valid hostname (letters, digits, '-' and '.', at most 64 characters)`);
  }
}

/** `eth<index>`: Mesos' interface names, by position in network_infos. */
export function interfaceName(index: number): string {
  return `eth${index}`;
}
