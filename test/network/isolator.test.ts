/**
 * The network/cni isolator adapter with real plugins: prepare returns the
 * namespace to join, the hostname and the /etc file mounts; nested containers
 * share their parent's network; status() gives the NetworkInfos; cleanup
 * releases everything; recover keeps known and orphan containers for the
 * runtime. Plus the contract the runtime integration relies on: an OCI
 * container (runc) given `linux.namespaces: [{type: "network", path}]` and the
 * mounts runs with the CNI IP, hostname and /etc/hosts.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { NetworkCniIsolator, type NetworkedContainerConfig } from '../../src/agent/containerizer/isolators/network/cni.js';
import { IsolationConfigError } from '../../src/agent/containerizer/isolators/errors.js';
import type { ContainerConfig } from '../../src/agent/containerizer/isolators/isolator.js';
import type { IsolatorOptions } from '../../src/agent/containerizer/isolators/options.js';
import { CniPluginNotFoundError, NetworkRequestError } from '../../src/agent/containerizer/network/index.js';
import { netnsExists } from '../../src/agent/containerizer/network/netns.js';
import { buildOciConfig } from '../../src/agent/containerizer/runtime/oci-config.js';
import { NetworkInfo_Protocol } from '../../src/protocol/gen/mesos/v1/mesos_pb.js';
import { silentLogger } from '../../src/lib/logger.js';
import { buildBusyboxRootfs } from '../containers/fixtures.js';
import { DEBIAN_CNI_DIR, makeTestNetwork, skipReason, type TestNetwork } from './fixtures.js';

const BASE_OPTIONS: IsolatorOptions = {
  cgroupsHierarchy: '/sys/fs/cgroup',
  cgroupsRoot: 'mesos',
  cgroupsEnableCfs: false,
  sandboxDirectory: '/mnt/mesos/sandbox',
  dockerIgnoreRuntime: false,
  oomPollIntervalMs: 250,
  log: silentLogger,
};

function containerConfig(containerId: string, extra: Partial<NetworkedContainerConfig> = {}): NetworkedContainerConfig {
  return { containerId, parentIds: [], rootfs: undefined, sandboxDir: '/tmp', command: {}, image: undefined, resources: {}, ...extra };
}

describe('network/cni isolator', { skip: skipReason(), timeout: 120_000 }, () => {
  let net: TestNetwork;
  let isolator: NetworkCniIsolator;

  before(() => {
    net = makeTestNetwork('iso');
    isolator = NetworkCniIsolator.create({
      ...BASE_OPTIONS,
      runtimeDir: net.runtimeDir,
      networkCniConfigDir: net.configDir,
      networkCniPluginsDir: DEBIAN_CNI_DIR,
      defaultContainerDns: JSON.stringify({ mesos: [{ network_mode: 'CNI', network_name: net.name, dns: { nameservers: ['10.99.0.53'], search: ['pods.local'] } }] }),
    });
  });
  after(() => net.cleanup());

  it('validates its flags at create time', () => {
    assert.throws(() => NetworkCniIsolator.create({ ...BASE_OPTIONS, networkCniConfigDir: net.configDir }), IsolationConfigError);
    assert.throws(
      () => NetworkCniIsolator.create({ ...BASE_OPTIONS, networkCniConfigDir: net.configDir, networkCniPluginsDir: net.dir }),
      (e: unknown) => e instanceof CniPluginNotFoundError && /'bridge'/.test(e.message),
    );
    const hostOnly = NetworkCniIsolator.create(BASE_OPTIONS);
    return assert.rejects(hostOnly.prepare(containerConfig('c', { network: { networks: [{ name: 'x', portMappings: [], labels: [], groups: [] }] } })), /no --network_cni_config_dir/);
  });

  it('leaves host-networked containers alone', async () => {
    assert.equal(await isolator.prepare(containerConfig('host-ctr')), undefined);
    assert.deepEqual(await isolator.status('host-ctr'), { networkInfos: [] });
    await isolator.cleanup('host-ctr');
  });

  it('prepares a pod network, shares it with nested containers, reports it, and cleans it up', async () => {
    const network = { networks: [{ name: net.name, portMappings: [], labels: [{ key: 'app', value: 'web' }], groups: [] }], hostname: 'web-0' };
    const info = await isolator.prepare(containerConfig('executor', { network, rootfs: '/some/rootfs' }));
    assert.ok(info);
    assert.equal(info.hostname, 'web-0');
    assert.ok(netnsExists(info.networkNamespacePath));
    assert.deepEqual(info.mounts?.map((m) => [m.destination, m.type]), [['/etc/hosts', 'bind'], ['/etc/hostname', 'bind'], ['/etc/resolv.conf', 'bind']]);
    assert.equal(info.namespaces, undefined, "'network' must not be in namespaces: that would create a new, empty one");

    const nested = await isolator.prepare(containerConfig('task-1', { parentIds: ['executor'], rootfs: '/other/rootfs' }));
    assert.equal(nested?.networkNamespacePath, info.networkNamespacePath);
    await assert.rejects(isolator.prepare(containerConfig('task-2', { parentIds: ['executor'], network })), NetworkRequestError);

    const { networkInfos } = await isolator.status('executor');
    assert.equal(networkInfos.length, 1);
    assert.equal(networkInfos[0]!.name, net.name);
    assert.equal(networkInfos[0]!.ipAddresses[0]!.protocol, NetworkInfo_Protocol.IPv4);
    const ip = networkInfos[0]!.ipAddresses[0]!.ipAddress;
    assert.ok(ip.startsWith(`${net.prefix}.`));
    assert.deepEqual(networkInfos[0]!.labels?.labels.map((l) => [l.key, l.value]), [['app', 'web']]);
    assert.equal((await isolator.status('task-1')).networkInfos[0]!.ipAddresses[0]!.ipAddress, ip, 'a task reports its pod IP');

    await isolator.cleanup('task-1');
    assert.ok(netnsExists(info.networkNamespacePath), "a nested container's cleanup leaves the pod network");
    await isolator.cleanup('executor');
    assert.equal(netnsExists(info.networkNamespacePath), false);
    assert.deepEqual(net.leases(), []);
  });

  it('recover adopts known and orphan containers (the runtime cleans orphans) and removes unknown ones', async () => {
    const request = { networks: [{ name: net.name, portMappings: [], labels: [], groups: [] }] };
    for (const id of ['known', 'orphan', 'unknown']) await isolator.prepare(containerConfig(id, { network: request }));
    const restarted = NetworkCniIsolator.create({ ...BASE_OPTIONS, runtimeDir: net.runtimeDir, networkCniConfigDir: net.configDir, networkCniPluginsDir: DEBIAN_CNI_DIR });
    const nested: ContainerConfig = containerConfig('known-task', { parentIds: ['known'] });
    await restarted.recover([containerConfig('known'), nested], [containerConfig('orphan')]);
    assert.equal(net.leases().length, 2, "the unknown container's lease is released at once");
    assert.equal((await restarted.status('known-task')).networkInfos.length, 1);
    await restarted.cleanup('orphan');
    await restarted.cleanup('known-task');
    await restarted.cleanup('known');
    assert.deepEqual(net.leases(), []);
  });

  it('contract: runc joins the prepared namespace and sees the IP, hostname and /etc files', async (t) => {
    if (spawnSync('runc', ['--version']).error) return t.skip('needs runc');
    const info = await isolator.prepare(containerConfig('oci-ctr', {
      network: { networks: [{ name: net.name, portMappings: [], labels: [], groups: [] }], hostname: 'oci-pod' },
      rootfs: '/placeholder',
    }));
    assert.ok(info);
    const bundle = join(net.dir, 'bundle');
    mkdirSync(bundle, { recursive: true });
    const rootfs = buildBusyboxRootfs(bundle);
    const config = buildOciConfig({
      rootfs,
      argv: ['/bin/sh', '-c', 'ip -o -4 addr show eth0; hostname; cat /etc/hosts /etc/resolv.conf'],
      env: ['PATH=/bin'],
      cwd: '/',
      user: { uid: 0, gid: 0 },
      hostname: info.hostname,
      mounts: [{ destination: '/proc', type: 'proc', source: 'proc', options: [] }, ...(info.mounts ?? [])],
      namespaces: ['pid', 'mount', 'uts', 'ipc'],
      cgroupsPath: undefined,
    });
    // What the runtime must add: join, do not create, the network namespace.
    const linux = config.linux as { namespaces: { type: string; path?: string }[] };
    linux.namespaces.push({ type: 'network', path: info.networkNamespacePath });
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
    const runcRoot = join(net.dir, 'runc');
    let output: string;
    try {
      output = execFileSync('runc', ['--root', runcRoot, 'run', '--bundle', bundle, 'oci-ctr'], { encoding: 'utf8', timeout: 30_000 });
    } finally {
      spawnSync('runc', ['--root', runcRoot, 'delete', '--force', 'oci-ctr']);
    }
    const ip = (await isolator.status('oci-ctr')).networkInfos[0]!.ipAddresses[0]!.ipAddress;
    assert.match(output, new RegExp(`eth0\\s+inet ${ip.replace(/\./g, '\\.')}/24`));
    assert.match(output, /^oci-pod$/m);
    assert.match(output, new RegExp(`^${ip.replace(/\./g, '\\.')} oci-pod$`, 'm'));
    assert.match(output, /^search pods\.local\nnameserver 10\.99\.0\.53$/m, '--default_container_dns for this network');
    await isolator.cleanup('oci-ctr');
    assert.deepEqual(net.leases(), []);
  });
});
