/**
 * Helper process for the recovery test: sets up CNI networks for the given
 * container ids and exits without tearing them down, as an agent that dies
 * would. Prints "<containerId> <ip>" per container.
 *
 *   node setup-and-exit.js <runtimeDir> <configDir> <network> <containerId>...
 */
import { CniNetworkManager } from '../../src/agent/containerizer/network/index.js';
import { silentLogger } from '../../src/lib/logger.js';

const [runtimeDir, configDir, network, ...containerIds] = process.argv.slice(2);
if (!runtimeDir || !configDir || !network || containerIds.length === 0) {
  console.error('usage: setup-and-exit <runtimeDir> <configDir> <network> <containerId>...');
  process.exit(2);
}
const manager = new CniNetworkManager({ runtimeDir, configDir, pluginDirs: ['/usr/lib/cni'], log: silentLogger });
for (const containerId of containerIds) {
  const set = await manager.setUp(containerId, { networks: [{ name: network, portMappings: [], labels: [], groups: [] }] });
  console.log(`${containerId} ${set.networks[0]!.addresses[0]!.address}`);
}
