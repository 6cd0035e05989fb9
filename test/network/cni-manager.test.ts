/**
 * CNI networking with Debian's real bridge + host-local plugins: two
 * containers get different IPs from the range and reach each other by IP;
 * teardown releases the leases and removes the namespaces; a failure halfway
 * is undone; recovery after a real process exit keeps the known container and
 * cleans the orphan.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import {
  CniNetworkManager,
  CniPluginError,
  type ContainerNetworkRequest,
  UnknownNetworkError,
} from '../../src/agent/containerizer/network/index.js';
import { netnsExists } from '../../src/agent/containerizer/network/netns.js';
import { silentLogger } from '../../src/lib/logger.js';
import { DEBIAN_CNI_DIR, fetchTcp, hostVeths, inNetns, linkExists, makeTestNetwork, serveOnceInNetns, skipReason, type TestNetwork } from './fixtures.js';

const HELPER = fileURLToPath(new URL('./setup-and-exit.js', import.meta.url));

function request(network: string, hostname?: string): ContainerNetworkRequest {
  return { networks: [{ name: network, portMappings: [], labels: [], groups: [] }], ...(hostname ? { hostname } : {}) };
}

describe('CNI networks with real plugins', { skip: skipReason(), timeout: 120_000 }, () => {
  let net: TestNetwork;
  let manager: CniNetworkManager;

  before(() => {
    net = makeTestNetwork('mgr');
    manager = new CniNetworkManager({ runtimeDir: net.runtimeDir, configDir: net.configDir, pluginDirs: [DEBIAN_CNI_DIR], log: silentLogger });
  });
  after(() => net.cleanup());

  it('gives two containers different IPs from the range; they reach each other by IP; teardown releases everything', async () => {
    const vethsBefore = hostVeths().length;
    try {
      const a = await manager.setUp('ctr-a', request(net.name, 'pod-a'));
      const b = await manager.setUp('ctr-b', request(net.name));
      const ipA = a.networks[0]!.addresses[0]!.address;
      const ipB = b.networks[0]!.addresses[0]!.address;
      assert.notEqual(ipA, ipB);
      for (const ip of [ipA, ipB]) assert.ok(ip.startsWith(`${net.prefix}.`), `${ip} is in ${net.subnet}`);
      assert.deepEqual(net.leases().sort(), [ipA, ipB].sort());
      assert.match(readFileSync(join(net.ipamDir, net.name, ipA), 'utf8'), /^ctr-a\s+eth0/);
      assert.equal(a.networks[0]!.ifName, 'eth0');
      assert.equal(hostVeths().length, vethsBefore + 2);

      // Inside: loopback up, eth0 with the IP.
      const addrs = inNetns(a.netnsPath, ['ip', '-o', 'addr', 'show']);
      assert.match(addrs, /\blo\s+inet 127\.0\.0\.1\/8/);
      assert.match(addrs, new RegExp(`eth0\\s+inet ${ipA.replace(/\./g, '\\.')}/24`));

      // B → A by IP over TCP, and A → B by ping.
      const server = await serveOnceInNetns(a.netnsPath, 8080, 'hello from a');
      assert.equal(fetchTcp(b.netnsPath, ipA, 8080), 'hello from a');
      await server.done;
      inNetns(a.netnsPath, ['busybox', 'ping', '-c1', '-W2', ipB]);

      // The files the runtime bind-mounts.
      assert.equal(readFileSync(a.files.hostname, 'utf8'), 'pod-a\n');
      assert.match(readFileSync(a.files.hosts, 'utf8'), new RegExp(`^${ipA.replace(/\./g, '\\.')} pod-a$`, 'm'));
      assert.equal(readFileSync(b.files.hostname, 'utf8'), 'ctr-b\n', 'the hostname defaults to the container id');
      assert.equal(readFileSync(a.files.resolvConf, 'utf8'), existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : '');

      await manager.tearDown('ctr-a');
      assert.deepEqual(net.leases(), [ipB], "a's lease released, b's kept");
      assert.equal(existsSync(a.netnsPath), false);
      assert.equal(netnsExists(a.netnsPath), false);
      assert.equal(existsSync(manager.paths.container('ctr-a')), false);
      assert.equal(manager.get('ctr-a'), undefined);
      await manager.tearDown('ctr-a'); // idempotent
      await manager.tearDown('never-existed');

      await manager.tearDown('ctr-b');
      assert.deepEqual(net.leases(), []);
      assert.equal(hostVeths().length, vethsBefore, 'the veth pairs went with the namespaces');
      assert.ok(linkExists(net.bridge), 'the bridge stays (plugins never delete it; the operator owns it)');
    } finally {
      // Idempotent: a no-op when the test got to its own teardown.
      await manager.tearDown('ctr-a');
      await manager.tearDown('ctr-b');
    }
  });

  it('CHECK passes for a healthy attachment', async () => {
    await manager.setUp('ctr-check', request(net.name));
    try {
      await manager.check('ctr-check');
    } finally {
      await manager.tearDown('ctr-check');
    }
  });

  it('undoes a set-up that fails halfway: the lease is released and the namespace removed', async () => {
    // A second plugin dir with a plugin that always fails ADD, after bridge in the list.
    const extraDir = join(net.dir, 'more-plugins');
    mkdirSync(extraDir, { recursive: true });
    writeFileSync(join(extraDir, 'always-fails'), '#!/bin/sh\n[ "$CNI_COMMAND" = ADD ] || exit 0\necho \'{"code": 11, "msg": "quota exceeded"}\'\nexit 1\n');
    chmodSync(join(extraDir, 'always-fails'), 0o755);
    const failing = makeTestNetwork('half', { extraPlugins: [{ type: 'always-fails' }] });
    try {
      const m = new CniNetworkManager({ runtimeDir: failing.runtimeDir, configDir: failing.configDir, pluginDirs: [DEBIAN_CNI_DIR, extraDir], log: silentLogger });
      await assert.rejects(m.setUp('ctr-half', request(failing.name)), (e: unknown) => {
        assert.ok(e instanceof CniPluginError);
        assert.equal(e.retryable, true, 'CNI code 11 means try again later');
        assert.match(e.message, /'always-fails' failed ADD .* code 11 \(try again later\) quota exceeded/);
        return true;
      });
      assert.deepEqual(failing.leases(), [], 'bridge + host-local ran ADD, then DEL released the IP');
      assert.equal(existsSync(m.paths.container('ctr-half')), false);
    } finally {
      failing.cleanup();
    }
  });

  it('refuses an unknown network before creating anything', async () => {
    await assert.rejects(manager.setUp('ctr-x', request('no-such-net')), (e: unknown) => e instanceof UnknownNetworkError && e.message.includes(net.name));
    assert.equal(existsSync(manager.paths.container('ctr-x')), false);
  });

  it('recovers after the process that set networks up exited: known adopted, orphan torn down', async () => {
    const out = execFileSync(process.execPath, [HELPER, net.runtimeDir, net.configDir, net.name, 'keep', 'drop'], { encoding: 'utf8' });
    const ips = new Map(out.trim().split('\n').map((l) => l.split(' ') as [string, string]));
    assert.equal(net.leases().length, 2);
    const restarted = new CniNetworkManager({ runtimeDir: net.runtimeDir, configDir: net.configDir, pluginDirs: [DEBIAN_CNI_DIR], log: silentLogger });
    const summary = await restarted.recover(['keep']);
    assert.deepEqual(summary, { recovered: ['keep'], removed: ['drop'], failed: [] });
    assert.deepEqual(net.leases(), [ips.get('keep')], "the orphan's lease was released");
    assert.equal(existsSync(restarted.paths.netns('drop')), false);
    const kept = restarted.get('keep');
    assert.equal(kept?.networks[0]?.addresses[0]?.address, ips.get('keep'));
    assert.ok(netnsExists(kept!.netnsPath));
    await restarted.tearDown('keep');
    assert.deepEqual(net.leases(), []);
  });
});
