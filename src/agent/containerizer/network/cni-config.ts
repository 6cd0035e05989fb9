/**
 * CNI network configurations from `--network_cni_config_dir`, found by the
 * network's `name` (not the file name), as libcni and Mesos find them.
 *
 * Accepted files (libcni's extensions): `*.conflist` (a list: `plugins: [...]`),
 * `*.conf` and `*.json` (one plugin; a `.json` with `plugins` is a list). A
 * single-plugin file becomes a one-element list, so the rest of the code runs
 * lists only. Two files naming the same network are an error, as in Mesos:
 * which one wins must not depend on directory order.
 *
 * Plugins are found by `type` in `--network_cni_plugins_dir`, which may hold
 * several directories separated by ':' (Mesos allows this; the list is also
 * what plugins get as CNI_PATH to find their delegates, e.g. bridge → host-local).
 */
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

import { CniConfigError, CniPluginNotFoundError, UnknownNetworkError } from './errors.js';

/** One plugin entry of a list: `type` plus whatever that plugin reads. */
export interface PluginConfig {
  readonly type: string;
  /** Which runtimeConfig keys this plugin wants (`{portMappings: true}` for portmap). */
  readonly capabilities?: Readonly<Record<string, boolean>>;
  readonly [field: string]: unknown;
}

export interface NetworkConfigList {
  readonly name: string;
  readonly cniVersion: string;
  readonly disableCheck: boolean;
  readonly plugins: readonly PluginConfig[];
  /** The file it came from, for error messages. */
  readonly file: string;
}

export const CONFIG_EXTENSIONS = ['.conf', '.conflist', '.json'] as const;

/** CNI's rule for network names (libcni validates the same). */
const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** A plugin type is a file name in the plugins dirs; anything path-like would escape them. */
const PLUGIN_TYPE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkPlugin(file: string, raw: unknown, where: string): PluginConfig {
  if (!isObject(raw)) throw new CniConfigError(file, `${where} must be a JSON object`);
  if (typeof raw.type !== 'string' || !PLUGIN_TYPE.test(raw.type)) {
    throw new CniConfigError(file, `${where} needs "type": the plugin's file name in the plugins dir (got ${JSON.stringify(raw.type)})`);
  }
  if (raw.capabilities !== undefined && !isObject(raw.capabilities)) {
    throw new CniConfigError(file, `${where}: "capabilities" must be an object such as {"portMappings": true}`);
  }
  return raw as PluginConfig;
}

/** Parses one file's text; `file` is only for messages and the record. */
export function parseNetworkConfig(text: string, file: string): NetworkConfigList {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CniConfigError(file, `not valid JSON (${(err as Error).message})`, err);
  }
  if (!isObject(raw)) throw new CniConfigError(file, 'must be a JSON object');
  if (typeof raw.name !== 'string' || !NETWORK_NAME.test(raw.name)) {
    throw new CniConfigError(file, `needs "name" matching ${NETWORK_NAME} (got ${JSON.stringify(raw.name)})`);
  }
  if (typeof raw.cniVersion !== 'string' || raw.cniVersion === '') {
    throw new CniConfigError(file, 'needs "cniVersion", e.g. "1.0.0" (Debian 12\'s plugins support 0.1.0 to 1.0.0)');
  }
  const isList = extname(file) === '.conflist' || raw.plugins !== undefined;
  if (!isList) {
    // A single plugin: the whole object is its config; name and cniVersion are re-added per call.
    const { name, cniVersion, ...plugin } = raw;
    return { name, cniVersion, disableCheck: false, plugins: [checkPlugin(file, plugin, 'the config')], file };
  }
  if (!Array.isArray(raw.plugins) || raw.plugins.length === 0) {
    throw new CniConfigError(file, 'a .conflist needs a non-empty "plugins" array');
  }
  const plugins = raw.plugins.map((p, i) => checkPlugin(file, p, `plugins[${i}]`));
  return { name: raw.name, cniVersion: raw.cniVersion, disableCheck: raw.disableCheck === true, plugins, file };
}

/** Every network defined in `dir`, by name. Throws CniConfigError for a bad file or a duplicate name. */
export function loadNetworkConfigs(dir: string): Map<string, NetworkConfigList> {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    throw new CniConfigError(dir, `cannot read --network_cni_config_dir (${(err as Error).message})`, err);
  }
  const networks = new Map<string, NetworkConfigList>();
  for (const name of names) {
    if (!(CONFIG_EXTENSIONS as readonly string[]).includes(extname(name))) continue;
    const file = join(dir, name);
    const network = parseNetworkConfig(readFileSync(file, 'utf8'), file);
    const earlier = networks.get(network.name);
    if (earlier) {
      throw new CniConfigError(file, `network '${network.name}' is also defined in ${earlier.file}; keep one`);
    }
    networks.set(network.name, network);
  }
  return networks;
}

/** The network named `name` in `dir`, re-read each time so networks can be added without a restart. */
export function findNetworkConfig(dir: string, name: string): NetworkConfigList {
  const networks = loadNetworkConfigs(dir);
  const network = networks.get(name);
  if (!network) throw new UnknownNetworkError(name, dir, [...networks.keys()]);
  return network;
}

/** Splits `--network_cni_plugins_dir` (':'-separated, empty entries ignored). */
export function parsePluginDirs(flag: string): string[] {
  return flag
    .split(':')
    .map((d) => d.trim())
    .filter((d) => d !== '');
}

/** The executable for plugin `type`: the first dir that has it. */
export function findPlugin(dirs: readonly string[], type: string, network: string): string {
  for (const dir of dirs) {
    const path = join(dir, type);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not in this dir
    }
  }
  throw new CniPluginNotFoundError(type, network, dirs);
}

/**
 * Checks that every plugin of the network exists, IPAM delegates included
 * (bridge finds host-local through CNI_PATH); used at startup so a typo fails early.
 */
export function checkPluginsInstalled(network: NetworkConfigList, dirs: readonly string[]): void {
  for (const plugin of network.plugins) {
    findPlugin(dirs, plugin.type, network.name);
    const ipam = plugin.ipam;
    if (isObject(ipam) && typeof ipam.type === 'string') findPlugin(dirs, ipam.type, network.name);
  }
}
