/**
 * The /etc/hosts, /etc/hostname and /etc/resolv.conf a CNI container sees.
 * Mesos writes these for every container with its own network namespace
 * (the image's copies describe some other machine, and the host's name the
 * agent): the runtime bind-mounts the files over the rootfs' ones.
 */
import { readFileSync, writeFileSync } from 'node:fs';

import type { CniDns } from './cni-result.js';

/** Where the files are on the host and where they go in the container. */
export interface ContainerNetworkFiles {
  readonly hosts: string;
  readonly hostname: string;
  readonly resolvConf: string;
}

export const CONTAINER_FILE_DESTINATIONS: Readonly<Record<keyof ContainerNetworkFiles, string>> = {
  hosts: '/etc/hosts',
  hostname: '/etc/hostname',
  resolvConf: '/etc/resolv.conf',
};

export const HOST_RESOLV_CONF = '/etc/resolv.conf';

/** Loopback names, then the container's name on each of its addresses (Mesos maps the hostname to the first network's IP). */
export function renderHosts(hostname: string, addresses: readonly string[]): string {
  const lines = ['127.0.0.1 localhost', '::1 localhost ip6-localhost ip6-loopback'];
  for (const address of addresses) lines.push(`${address} ${hostname}`);
  return `${lines.join('\n')}\n`;
}

export function renderResolvConf(dns: CniDns): string {
  const lines: string[] = [];
  if (dns.domain) lines.push(`domain ${dns.domain}`);
  if (dns.search?.length) lines.push(`search ${dns.search.join(' ')}`);
  for (const server of dns.nameservers ?? []) lines.push(`nameserver ${server}`);
  if (dns.options?.length) lines.push(`options ${dns.options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the three files. `dns` undefined copies the host's resolv.conf
 * (Mesos' last resort; an empty file when the host has none).
 */
export function writeContainerFiles(files: ContainerNetworkFiles, hostname: string, addresses: readonly string[], dns: CniDns | undefined): void {
  writeFileSync(files.hosts, renderHosts(hostname, addresses));
  writeFileSync(files.hostname, `${hostname}\n`);
  let resolv: string;
  if (dns !== undefined) resolv = renderResolvConf(dns);
  else {
    try {
      resolv = readFileSync(HOST_RESOLV_CONF, 'utf8');
    } catch {
      resolv = '';
    }
  }
  writeFileSync(files.resolvConf, resolv);
}
