/**
 * CNI networking (Mesos' network/cni): the public surface for the isolator
 * adapter (isolators/network/cni.ts), the agent and tests. See docs/networking.md.
 */
export { CniNetworkManager, type AttachedNetwork, type CniManagerOptions, type CniRecovery, type ContainerNetwork } from './cni-manager.js';
export { findNetworkConfig, loadNetworkConfigs, parseNetworkConfig, parsePluginDirs, type NetworkConfigList, type PluginConfig } from './cni-config.js';
export { DEFAULT_PLUGIN_TIMEOUT_MS } from './cni-plugin.js';
export type { ContainerAddress } from './cni-result.js';
export { CONTAINER_FILE_DESTINATIONS, type ContainerNetworkFiles } from './container-files.js';
export { parseDefaultContainerDns, type DefaultContainerDns } from './dns.js';
export * from './errors.js';
export { networkInfosOf } from './network-info.js';
export { CniPaths } from './paths.js';
export { checkHostPortsAllocated, normalizePortMappings, portRangesOf, type PortMapping, type PortRange } from './port-mappings.js';
export { networkRequestFromContainerInfo, validateNetworkRequest, type ContainerNetworkRequest, type NetworkRequest } from './request.js';
