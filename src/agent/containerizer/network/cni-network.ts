/**
 * Runs a network config list for one container interface, as libcni does:
 *
 *   ADD    plugins in order; each gets the previous plugin's result as
 *          `prevResult`; the last result is the network's result
 *   DEL    plugins in reverse order, each with the final ADD result as
 *          `prevResult` (spec ≥ 0.4.0) and the same runtimeConfig as ADD
 *          (portmap finds its rules from it)
 *   CHECK  plugins in order with the final ADD result (spec ≥ 0.4.0, unless
 *          the list sets disableCheck)
 *
 * Each plugin's stdin is its entry of the list plus the list's `name` and
 * `cniVersion`, the `runtimeConfig` keys it declared in `capabilities` (CNI's
 * CONVENTIONS.md: a plugin only sees what it asked for), and `args`.
 */
import { findPlugin, type NetworkConfigList, type PluginConfig } from './cni-config.js';
import { CniCommand, invokePlugin } from './cni-plugin.js';
import { type CniResult, parseCniResult, supportsPrevResultAndCheck } from './cni-result.js';
import { CniResultError } from './errors.js';

/** One interface of one container on one network: everything ADD was given, kept for DEL. */
export interface Attachment {
  readonly containerId: string;
  readonly ifName: string;
  readonly network: NetworkConfigList;
  /** Capability-keyed runtime values offered to the plugins, e.g. {portMappings: [...]}. */
  readonly runtimeConfig: Readonly<Record<string, unknown>>;
  /** The config's `args` (Mesos puts the NetworkInfo under "org.apache.mesos"). */
  readonly args?: Readonly<Record<string, unknown>>;
}

/** Where plugins live and how long one call may take. */
export interface PluginRunner {
  readonly pluginDirs: readonly string[];
  readonly timeoutMs: number;
}

/** The stdin JSON for one plugin of the list. */
export function pluginStdinConfig(
  network: NetworkConfigList,
  plugin: PluginConfig,
  attachment: Pick<Attachment, 'runtimeConfig' | 'args'>,
  prevResult: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const config: Record<string, unknown> = { ...plugin, name: network.name, cniVersion: network.cniVersion };
  const runtimeConfig: Record<string, unknown> = {};
  for (const [capability, wanted] of Object.entries(plugin.capabilities ?? {})) {
    if (wanted && attachment.runtimeConfig[capability] !== undefined) runtimeConfig[capability] = attachment.runtimeConfig[capability];
  }
  if (Object.keys(runtimeConfig).length > 0) config.runtimeConfig = runtimeConfig;
  else delete config.runtimeConfig;
  if (attachment.args !== undefined) config.args = { ...(plugin.args as object | undefined), ...attachment.args };
  if (prevResult !== undefined) config.prevResult = prevResult;
  return config;
}

/** True when some plugin of the list takes `capability` (e.g. portMappings). */
export function listHasCapability(network: NetworkConfigList, capability: string): boolean {
  return network.plugins.some((p) => p.capabilities?.[capability] === true);
}

async function call(
  runner: PluginRunner,
  command: CniCommand,
  attachment: Attachment,
  netns: string,
  plugin: PluginConfig,
  prevResult: Readonly<Record<string, unknown>> | undefined,
): Promise<unknown> {
  return invokePlugin({
    command,
    pluginPath: findPlugin(runner.pluginDirs, plugin.type, attachment.network.name),
    pluginType: plugin.type,
    network: attachment.network.name,
    containerId: attachment.containerId,
    netns,
    ifName: attachment.ifName,
    pluginDirs: runner.pluginDirs,
    config: pluginStdinConfig(attachment.network, plugin, attachment, prevResult),
    timeoutMs: runner.timeoutMs,
  });
}

/** ADD: returns the final result. On failure nothing is undone here: the caller runs DEL for the whole list. */
export async function addNetwork(runner: PluginRunner, attachment: Attachment, netns: string): Promise<CniResult> {
  let result: CniResult | undefined;
  for (const plugin of attachment.network.plugins) {
    const output = await call(runner, CniCommand.ADD, attachment, netns, plugin, result?.raw);
    if (output === undefined) throw new CniResultError(plugin.type, attachment.network.name, 'ADD printed no result');
    try {
      result = parseCniResult(output);
    } catch (err) {
      throw new CniResultError(plugin.type, attachment.network.name, (err as Error).message);
    }
  }
  if (result === undefined) throw new CniResultError('(none)', attachment.network.name, 'the list has no plugins');
  return result;
}

/**
 * DEL: every plugin in reverse order, even when one fails (a later plugin's
 * leftovers, e.g. the IPAM lease, must still be released); then throws the
 * first failure. `netns` may be '' when the namespace is already gone.
 */
export async function delNetwork(
  runner: PluginRunner,
  attachment: Attachment,
  netns: string,
  prevResult: Readonly<Record<string, unknown>> | undefined,
): Promise<void> {
  const prev = supportsPrevResultAndCheck(attachment.network.cniVersion) ? prevResult : undefined;
  let firstError: unknown;
  for (const plugin of [...attachment.network.plugins].reverse()) {
    try {
      await call(runner, CniCommand.DEL, attachment, netns, plugin, prev);
    } catch (err) {
      firstError ??= err;
    }
  }
  if (firstError !== undefined) throw firstError;
}

/** CHECK: throws the plugin's error when the interface is not as ADD left it. No-op for old versions or disableCheck. */
export async function checkNetwork(
  runner: PluginRunner,
  attachment: Attachment,
  netns: string,
  prevResult: Readonly<Record<string, unknown>>,
): Promise<void> {
  if (attachment.network.disableCheck || !supportsPrevResultAndCheck(attachment.network.cniVersion)) return;
  for (const plugin of attachment.network.plugins) await call(runner, CniCommand.CHECK, attachment, netns, plugin, prevResult);
}
