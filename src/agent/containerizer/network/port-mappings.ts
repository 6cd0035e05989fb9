/**
 * Port mappings: NetworkInfo.port_mappings (host_port → container_port) for
 * a CNI network. Mesos hands them to its own port-mapper plugin; with Debian's
 * plugins the `portmap` plugin does the job when the list declares
 * `"capabilities": {"portMappings": true}`, receiving them as the CNI
 * runtimeConfig `portMappings: [{hostPort, containerPort, protocol}]`
 * (CNI CONVENTIONS.md). A list without that capability cannot honour them;
 * as in Mesos (whose plugins ignore unknown args) the launch goes on, with a
 * warning logged by the caller.
 *
 * Host ports are the agent's to hand out: they must come from the task's
 * `ports` resources, or two containers could claim one port.
 * `checkHostPortsAllocated` checks that against the ranges the integration
 * passes (see docs/networking.md).
 */
import type { Resource } from '../../../protocol/gen/mesos/v1/mesos_pb.js';
import { PortMappingError } from './errors.js';

export const PORT_PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;
export type PortProtocol = (typeof PORT_PROTOCOLS)[number];

export interface PortMapping {
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: PortProtocol;
}

/** The CNI runtimeConfig entry portmap reads. */
export interface CniPortMapping {
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: PortProtocol;
}

export interface PortRange {
  readonly begin: number;
  readonly end: number;
}

function checkPort(value: number, what: string, network: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new PortMappingError(`Network '${network}': ${what} ${value} is not a port (1-65535)`);
  }
  return value;
}

/**
 * Validates and normalises mappings from a NetworkInfo: protocol lower-cased
 * and defaulted to tcp (Mesos' default), ports in range, no host port+protocol
 * used twice (the second rule would silently shadow the first).
 */
export function normalizePortMappings(
  network: string,
  raw: readonly { hostPort: number; containerPort: number; protocol?: string | undefined }[],
): PortMapping[] {
  const seen = new Set<string>();
  return raw.map((m) => {
    const protocol = (m.protocol === undefined || m.protocol === '' ? 'tcp' : m.protocol.toLowerCase()) as PortProtocol;
    if (!PORT_PROTOCOLS.includes(protocol)) {
      throw new PortMappingError(`Network '${network}': protocol '${m.protocol}' is not one of ${PORT_PROTOCOLS.join(', ')}`);
    }
    const mapping = {
      hostPort: checkPort(m.hostPort, 'host_port', network),
      containerPort: checkPort(m.containerPort, 'container_port', network),
      protocol,
    };
    const key = `${mapping.hostPort}/${protocol}`;
    if (seen.has(key)) throw new PortMappingError(`Network '${network}': host port ${key} is mapped twice`);
    seen.add(key);
    return mapping;
  });
}

export function toCniPortMappings(mappings: readonly PortMapping[]): CniPortMapping[] {
  return mappings.map((m) => ({ hostPort: m.hostPort, containerPort: m.containerPort, protocol: m.protocol }));
}

/** The ranges of the `ports` resources (Mesos: name "ports", type RANGES). */
export function portRangesOf(resources: readonly Resource[]): PortRange[] {
  return resources
    .filter((r) => r.name === 'ports')
    .flatMap((r) => r.ranges?.range ?? [])
    .map((r) => ({ begin: Number(r.begin), end: Number(r.end) }));
}

/** Throws PortMappingError naming the first host port outside `ranges` (the task's `ports` resources). */
export function checkHostPortsAllocated(mappings: readonly PortMapping[], ranges: readonly PortRange[]): void {
  for (const m of mappings) {
    if (!ranges.some((r) => m.hostPort >= r.begin && m.hostPort <= r.end)) {
      const held = ranges.length > 0 ? ranges.map((r) => `[${r.begin}-${r.end}]`).join(',') : 'none';
      throw new PortMappingError(
        `Host port ${m.hostPort}/${m.protocol} is mapped but not in the task's 'ports' resources (${held}); ` +
          'accept an offer with that port in the ports resource, or map a port you hold',
      );
    }
  }
}
