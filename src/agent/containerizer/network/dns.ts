/**
 * The DNS a CNI container gets in its /etc/resolv.conf, with Mesos'
 * priority (docs of `--default_container_dns`):
 *
 *   1. the DNS a CNI plugin returned (first network, in network_infos order,
 *      whose result has nameservers)
 *   2. `--default_container_dns`: the `mesos` entry with network_mode CNI and
 *      this network_name, else a CNI entry without a network_name
 *   3. the agent host's /etc/resolv.conf, copied as is
 *
 * Flag format (Mesos' ContainerDNSInfo):
 *   {"mesos": [{"network_mode": "CNI", "network_name": "net1",
 *               "dns": {"nameservers": ["8.8.8.8"], "domain": "", "search": [], "options": []}}],
 *    "docker": [...]}              (docker entries are the Docker containerizer's; ignored here)
 */
import type { CniDns } from './cni-result.js';
import { CniConfigError } from './errors.js';

export interface MesosDnsEntry {
  readonly networkMode: 'HOST' | 'CNI';
  readonly networkName?: string;
  readonly dns: CniDns;
}

export interface DefaultContainerDns {
  readonly mesos: readonly MesosDnsEntry[];
}

const FLAG = '--default_container_dns';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new CniConfigError(FLAG, `${where} must be a list of strings`);
  }
  return value as string[];
}

/** Parses the flag (a JSON string or an already-parsed object); undefined when unset. */
export function parseDefaultContainerDns(flag: string | object | undefined): DefaultContainerDns | undefined {
  if (flag === undefined || flag === '') return undefined;
  let raw: unknown = flag;
  if (typeof flag === 'string') {
    try {
      raw = JSON.parse(flag);
    } catch (err) {
      throw new CniConfigError(FLAG, `not valid JSON (${(err as Error).message})`, err);
    }
  }
  if (!isObject(raw)) throw new CniConfigError(FLAG, 'must be a JSON object like {"mesos": [...], "docker": [...]}');
  const entries = raw.mesos ?? [];
  if (!Array.isArray(entries)) throw new CniConfigError(FLAG, '"mesos" must be a list');
  const mesos = entries.map((entry: unknown, i): MesosDnsEntry => {
    const where = `mesos[${i}]`;
    if (!isObject(entry)) throw new CniConfigError(FLAG, `${where} must be an object`);
    if (entry.network_mode !== 'HOST' && entry.network_mode !== 'CNI') {
      throw new CniConfigError(FLAG, `${where}.network_mode must be "HOST" or "CNI"`);
    }
    if (entry.network_name !== undefined && typeof entry.network_name !== 'string') {
      throw new CniConfigError(FLAG, `${where}.network_name must be a string`);
    }
    if (entry.network_mode === 'HOST' && entry.network_name !== undefined) {
      throw new CniConfigError(FLAG, `${where}: a HOST entry cannot name a network`);
    }
    const dns = isObject(entry.dns) ? entry.dns : {};
    const nameservers = stringList(dns.nameservers, `${where}.dns.nameservers`);
    const search = stringList(dns.search, `${where}.dns.search`);
    const options = stringList(dns.options, `${where}.dns.options`);
    return {
      networkMode: entry.network_mode,
      ...(typeof entry.network_name === 'string' ? { networkName: entry.network_name } : {}),
      dns: {
        ...(nameservers ? { nameservers } : {}),
        ...(typeof dns.domain === 'string' && dns.domain !== '' ? { domain: dns.domain } : {}),
        ...(search ? { search } : {}),
        ...(options ? { options } : {}),
      },
    };
  });
  const names = mesos.filter((e) => e.networkMode === 'CNI').map((e) => e.networkName ?? '');
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) {
    throw new CniConfigError(FLAG, `two CNI entries for ${duplicate === '' ? 'all networks (no network_name)' : `network '${duplicate}'`}; keep one`);
  }
  return { mesos };
}

/** The flag's DNS for one CNI network: the named entry, else the catch-all CNI entry. */
export function defaultDnsFor(flag: DefaultContainerDns | undefined, network: string): CniDns | undefined {
  const cni = flag?.mesos.filter((e) => e.networkMode === 'CNI') ?? [];
  return (cni.find((e) => e.networkName === network) ?? cni.find((e) => e.networkName === undefined))?.dns;
}

/**
 * Chooses the container's DNS. `pluginDns` is per network in network_infos
 * order. Undefined means "copy the host's /etc/resolv.conf".
 */
export function chooseDns(
  networks: readonly { readonly name: string; readonly pluginDns: CniDns }[],
  flag: DefaultContainerDns | undefined,
): CniDns | undefined {
  const fromPlugin = networks.find((n) => n.pluginDns.nameservers?.length);
  if (fromPlugin) return fromPlugin.pluginDns;
  for (const network of networks) {
    const dns = defaultDnsFor(flag, network.name);
    if (dns) return dns;
  }
  return undefined;
}
