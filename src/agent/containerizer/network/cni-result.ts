/**
 * CNI results: what ADD prints on stdout. Two shapes exist:
 *
 *   0.3.0 – 1.0.0   {cniVersion, interfaces: [{name, mac, sandbox}],
 *                    ips: [{address: "10.99.0.2/24", gateway, interface: <index>}],
 *                    routes, dns: {nameservers, domain, search, options}}
 *                    (0.3.x also has "version": "4" on each ip)
 *   0.1.0 – 0.2.0   {cniVersion, ip4: {ip: "10.99.0.2/24", gateway, routes}, ip6: {...}, dns}
 *
 * The raw object is kept as it was printed: DEL and CHECK must be given it
 * back as `prevResult`, in the plugin's own version. This module only reads it.
 */
import { isIP } from 'node:net';

export interface CniInterface {
  readonly name: string;
  readonly mac?: string;
  /** Set for interfaces inside the container's netns (the netns path). */
  readonly sandbox?: string;
}

export interface CniIpConfig {
  /** CIDR notation, e.g. "10.99.0.2/24". */
  readonly address: string;
  readonly gateway?: string;
  /** Index into `interfaces`; absent when the plugin did not say. */
  readonly interface?: number;
}

export interface CniDns {
  readonly nameservers?: readonly string[];
  readonly domain?: string;
  readonly search?: readonly string[];
  readonly options?: readonly string[];
}

export interface CniResult {
  readonly cniVersion: string;
  readonly interfaces: readonly CniInterface[];
  readonly ips: readonly CniIpConfig[];
  readonly dns: CniDns;
  /** Exactly what the plugin printed, for prevResult. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** An address the container got, without the prefix length (as NetworkInfo reports it). */
export interface ContainerAddress {
  readonly family: 4 | 6;
  readonly address: string;
  readonly prefixLength: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

function parseDns(value: unknown): CniDns {
  if (!isObject(value)) return {};
  const dns: { nameservers?: string[]; domain?: string; search?: string[]; options?: string[] } = {};
  const nameservers = strings(value.nameservers);
  if (nameservers?.length) dns.nameservers = nameservers;
  if (typeof value.domain === 'string' && value.domain !== '') dns.domain = value.domain;
  const search = strings(value.search);
  if (search?.length) dns.search = search;
  const options = strings(value.options);
  if (options?.length) dns.options = options;
  return dns;
}

/**
 * Parses a result. Throws a plain Error with the reason (the caller wraps it
 * in CniResultError naming the plugin and network).
 */
export function parseCniResult(value: unknown): CniResult {
  if (!isObject(value)) throw new Error('not a JSON object');
  const cniVersion = typeof value.cniVersion === 'string' ? value.cniVersion : '';
  const interfaces: CniInterface[] = [];
  const ips: CniIpConfig[] = [];
  if (Array.isArray(value.interfaces)) {
    for (const i of value.interfaces) {
      if (!isObject(i) || typeof i.name !== 'string') throw new Error('an interface without a name');
      interfaces.push({
        name: i.name,
        ...(typeof i.mac === 'string' ? { mac: i.mac } : {}),
        ...(typeof i.sandbox === 'string' && i.sandbox !== '' ? { sandbox: i.sandbox } : {}),
      });
    }
  }
  if (Array.isArray(value.ips)) {
    for (const ip of value.ips) {
      if (!isObject(ip) || typeof ip.address !== 'string') throw new Error('an "ips" entry without "address"');
      ips.push({
        address: ip.address,
        ...(typeof ip.gateway === 'string' ? { gateway: ip.gateway } : {}),
        ...(typeof ip.interface === 'number' ? { interface: ip.interface } : {}),
      });
    }
  }
  // 0.1.0 / 0.2.0: one address per family, no interface list.
  for (const key of ['ip4', 'ip6']) {
    const legacy = value[key];
    if (isObject(legacy) && typeof legacy.ip === 'string') {
      ips.push({ address: legacy.ip, ...(typeof legacy.gateway === 'string' ? { gateway: legacy.gateway } : {}) });
    }
  }
  for (const ip of ips) splitCidr(ip.address);
  return { cniVersion, interfaces, ips, dns: parseDns(value.dns), raw: value };
}

/** "10.99.0.2/24" → {family: 4, address: "10.99.0.2", prefixLength: 24}; throws on anything else. */
export function splitCidr(cidr: string): ContainerAddress {
  const slash = cidr.lastIndexOf('/');
  const address = slash >= 0 ? cidr.slice(0, slash) : cidr;
  const family = isIP(address);
  if (family !== 4 && family !== 6) throw new Error(`"${cidr}" is not an IP address in CIDR notation`);
  const prefixLength = slash >= 0 ? Number(cidr.slice(slash + 1)) : family === 4 ? 32 : 128;
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > (family === 4 ? 32 : 128)) {
    throw new Error(`"${cidr}" has a bad prefix length`);
  }
  return { family, address, prefixLength };
}

/**
 * The addresses on the container's interface `ifName`: ips whose interface
 * index points at that interface inside the netns, plus ips that name no
 * interface (older plugins, or IPAM-only results) since they are the container's.
 */
export function containerAddresses(result: CniResult, ifName: string): ContainerAddress[] {
  return result.ips
    .filter((ip) => {
      if (ip.interface === undefined) return true;
      const iface = result.interfaces[ip.interface];
      return iface !== undefined && iface.name === ifName && iface.sandbox !== undefined;
    })
    .map((ip) => splitCidr(ip.address));
}

/** Versions whose DEL/CHECK take `prevResult` and that have CHECK at all (spec ≥ 0.4.0). */
export function supportsPrevResultAndCheck(cniVersion: string): boolean {
  const [major = 0, minor = 0] = cniVersion.split('.').map(Number);
  return major > 0 || minor >= 4;
}
