/**
 * Port mappings through the real `portmap` plugin: NetworkInfo.port_mappings
 * become CNI runtimeConfig.portMappings for the plugin that declares the
 * capability; the host port reaches the container port; DEL removes the
 * container's DNAT chain. The bridge gets the gateway IP here (the host must
 * route to the containers); the test removes every iptables chain it created.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { CniNetworkManager, normalizePortMappings } from '../../src/agent/containerizer/network/index.js';
import { silentLogger } from '../../src/lib/logger.js';
import { DEBIAN_CNI_DIR, fetchTcp, makeTestNetwork, serveOnceInNetns, skipReason, type TestNetwork } from './fixtures.js';
import { chainsWithPrefix, removeChainsCreatedSince, snapshotChains } from './iptables.js';

describe('port mappings through portmap', { skip: skipReason(), timeout: 60_000 }, () => {
  let net: TestNetwork;
  let chainsBefore: ReturnType<typeof snapshotChains>;

  before(() => {
    chainsBefore = snapshotChains();
    net = makeTestNetwork('pmap', { gateway: true, extraPlugins: [{ type: 'portmap', capabilities: { portMappings: true }, snat: false }] });
  });
  after(() => {
    net.cleanup();
    removeChainsCreatedSince(chainsBefore);
  });

  it('maps a host port to the container port and removes the rule on teardown', async () => {
    const manager = new CniNetworkManager({ runtimeDir: net.runtimeDir, configDir: net.configDir, pluginDirs: [DEBIAN_CNI_DIR], log: silentLogger });
    const hostPort = 20_000 + (process.pid % 10_000);
    const dnatBefore = chainsWithPrefix('nat', 'CNI-DN-').length;
    const container = await manager.setUp('ctr-pm', {
      networks: [{ name: net.name, portMappings: normalizePortMappings(net.name, [{ hostPort, containerPort: 8080 }]), labels: [], groups: [] }],
    });
    try {
      assert.equal(chainsWithPrefix('nat', 'CNI-DN-').length, dnatBefore + 1, 'portmap made a DNAT chain for the container');
      const server = await serveOnceInNetns(container.netnsPath, 8080, 'via portmap');
      // The gateway address is the host's own (on the bridge): OUTPUT DNAT applies to local destinations.
      assert.equal(fetchTcp(undefined, `${net.prefix}.1`, hostPort), 'via portmap');
      await server.done;
    } finally {
      await manager.tearDown('ctr-pm');
    }
    assert.equal(chainsWithPrefix('nat', 'CNI-DN-').length, dnatBefore, "DEL (given ADD's runtimeConfig again) removed the chain");
    assert.deepEqual(net.leases(), []);
  });
});
