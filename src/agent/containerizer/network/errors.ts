/**
 * Errors of CNI networking (the network/cni isolator). Each has a stable code
 * (listed in docs/networking.md) and a message naming the network, the file or
 * the plugin involved, and what to change.
 */
import { MesoscaleError } from '../../../lib/errors.js';

export const CniErrorCode = {
  /** A file in --network_cni_config_dir is not a valid CNI network config (list). */
  CONFIG: 'CNI_CONFIG_INVALID',
  /** A container asked for a network no config file defines. */
  UNKNOWN_NETWORK: 'CNI_UNKNOWN_NETWORK',
  /** A plugin `type` has no executable in --network_cni_plugins_dir. */
  PLUGIN_NOT_FOUND: 'CNI_PLUGIN_NOT_FOUND',
  /** A plugin exited non-zero (its CNI error code and message are kept). */
  PLUGIN_FAILED: 'CNI_PLUGIN_FAILED',
  /** A plugin did not finish within the time allowed and was killed. */
  PLUGIN_TIMEOUT: 'CNI_PLUGIN_TIMEOUT',
  /** A plugin printed something that is not a CNI result. */
  RESULT_INVALID: 'CNI_RESULT_INVALID',
  /** A network namespace could not be created or removed. */
  NETNS: 'CNI_NETNS_FAILED',
  /** A bad request: duplicate networks, a nested container with its own network, a bad hostname ... */
  REQUEST: 'CNI_REQUEST_INVALID',
  /** A port mapping that is malformed or not backed by the task's `ports` resources. */
  PORT_MAPPING: 'CNI_PORT_MAPPING_INVALID',
  /** Tearing a container's networks down left something behind (retried by the next cleanup/recover). */
  TEARDOWN: 'CNI_TEARDOWN_FAILED',
} as const;
export type CniErrorCode = (typeof CniErrorCode)[keyof typeof CniErrorCode];

export class CniConfigError extends MesoscaleError {
  readonly file: string;
  constructor(file: string, reason: string, cause?: unknown) {
    super(CniErrorCode.CONFIG, `CNI network config '${file}': ${reason}`, { cause });
    this.file = file;
  }
}

export class UnknownNetworkError extends MesoscaleError {
  readonly network: string;
  constructor(network: string, configDir: string, known: readonly string[]) {
    const list = known.length > 0 ? known.join(', ') : 'none';
    super(
      CniErrorCode.UNKNOWN_NETWORK,
      `Unknown CNI network '${network}': no .conf/.conflist/.json file in ${configDir} has "name": "${network}" (known: ${list})`,
    );
    this.network = network;
  }
}

export class CniPluginNotFoundError extends MesoscaleError {
  readonly plugin: string;
  constructor(plugin: string, network: string, dirs: readonly string[]) {
    super(
      CniErrorCode.PLUGIN_NOT_FOUND,
      `CNI plugin '${plugin}' (network '${network}') is not an executable in ${dirs.join(':')}; ` +
        'install it (Debian: apt-get install containernetworking-plugins, into /usr/lib/cni) or fix --network_cni_plugins_dir',
    );
    this.plugin = plugin;
  }
}

/** Hints for the CNI spec's well-known error codes (spec 1.0, "Error"). */
const CNI_CODE_HINTS: Readonly<Record<number, string>> = {
  1: "the config's cniVersion is not supported by this plugin",
  2: 'the config has a field this plugin does not support',
  3: 'the container or its interface is unknown to the plugin',
  4: 'invalid CNI_* environment (a bug in the caller)',
  5: 'I/O failure in the plugin',
  6: 'the plugin could not decode the config',
  7: 'the network config is invalid',
  11: 'try again later',
};

export class CniPluginError extends MesoscaleError {
  readonly plugin: string;
  readonly command: string;
  readonly network: string;
  /** The CNI error code the plugin returned; undefined when it printed no CNI error. */
  readonly cniCode: number | undefined;
  readonly details: string | undefined;
  constructor(options: { plugin: string; command: string; network: string; containerId: string; cniCode?: number; msg: string; details?: string }) {
    const hint = options.cniCode !== undefined ? CNI_CODE_HINTS[options.cniCode] : undefined;
    const code = options.cniCode !== undefined ? ` code ${options.cniCode}${hint ? ` (${hint})` : ''}` : '';
    const details = options.details ? `; ${options.details}` : '';
    super(
      CniErrorCode.PLUGIN_FAILED,
      `CNI plugin '${options.plugin}' failed ${options.command} for container ${options.containerId} on network '${options.network}':${code} ${options.msg}${details}`,
      { retryable: options.cniCode === 11 },
    );
    this.plugin = options.plugin;
    this.command = options.command;
    this.network = options.network;
    this.cniCode = options.cniCode;
    this.details = options.details;
  }
}

export class CniTimeoutError extends MesoscaleError {
  constructor(plugin: string, command: string, network: string, timeoutMs: number) {
    super(
      CniErrorCode.PLUGIN_TIMEOUT,
      `CNI plugin '${plugin}' did not finish ${command} on network '${network}' within ${timeoutMs} ms and was killed; ` +
        'check the plugin (a DHCP plugin needs its daemon, IPAM may wait on a lock) or raise the plugin timeout',
      { retryable: true },
    );
  }
}

export class CniResultError extends MesoscaleError {
  constructor(plugin: string, network: string, reason: string) {
    super(CniErrorCode.RESULT_INVALID, `CNI plugin '${plugin}' on network '${network}' returned an invalid result: ${reason}`);
  }
}

export class NetnsError extends MesoscaleError {
  readonly path: string;
  constructor(path: string, message: string, cause?: unknown) {
    super(CniErrorCode.NETNS, `network namespace '${path}': ${message}`, { cause });
    this.path = path;
  }
}

export class NetworkRequestError extends MesoscaleError {
  constructor(containerId: string, message: string) {
    super(CniErrorCode.REQUEST, `Container ${containerId}: ${message}`, { httpStatus: 400 });
  }
}

export class PortMappingError extends MesoscaleError {
  constructor(message: string) {
    super(CniErrorCode.PORT_MAPPING, message, { httpStatus: 400 });
  }
}

export class NetworkTeardownError extends MesoscaleError {
  readonly containerId: string;
  readonly failures: readonly string[];
  constructor(containerId: string, failures: readonly string[]) {
    super(
      CniErrorCode.TEARDOWN,
      `Container ${containerId}: CNI teardown incomplete (${failures.join('; ')}); ` +
        'its records are kept, so the next cleanup or agent recovery runs DEL again',
      { retryable: true },
    );
    this.containerId = containerId;
    this.failures = failures;
  }
}
