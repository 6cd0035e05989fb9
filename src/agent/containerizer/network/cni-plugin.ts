/**
 * Invokes one CNI plugin once, as the CNI spec (0.4 / 1.0, "Execution
 * protocol") defines it:
 *
 *   env    CNI_COMMAND=ADD|DEL|CHECK|VERSION, CNI_CONTAINERID, CNI_NETNS,
 *          CNI_IFNAME, CNI_PATH (where the plugin finds delegates such as
 *          host-local), CNI_ARGS (unset: nothing reads it from us)
 *   stdin  the plugin's network config JSON (name, cniVersion, its fields,
 *          prevResult, runtimeConfig)
 *   stdout ADD: the result JSON; DEL/CHECK: nothing
 *   error  non-zero exit with {cniVersion, code, msg, details} on stdout
 *
 * Every call is time-bounded (a plugin waiting on a lock or a DHCP daemon
 * must not hold a launch forever): on timeout the plugin is SIGKILLed and
 * CniTimeoutError is thrown.
 */
import { CniPluginError, CniPluginNotFoundError, CniResultError, CniTimeoutError } from './errors.js';
import { runTool } from './run-tool.js';

export const CniCommand = { ADD: 'ADD', DEL: 'DEL', CHECK: 'CHECK', VERSION: 'VERSION' } as const;
export type CniCommand = (typeof CniCommand)[keyof typeof CniCommand];

/** Mesos gives a plugin no explicit bound; ours is generous for IPAM locks yet finite. */
export const DEFAULT_PLUGIN_TIMEOUT_MS = 30_000;

export interface PluginCall {
  readonly command: CniCommand;
  /** Absolute path of the plugin executable. */
  readonly pluginPath: string;
  /** The plugin's type (for messages). */
  readonly pluginType: string;
  /** The network's name (for messages). */
  readonly network: string;
  readonly containerId: string;
  /** The netns path; '' for a DEL whose namespace is already gone (the spec allows it). */
  readonly netns: string;
  readonly ifName: string;
  /** CNI_PATH: the plugin dirs. */
  readonly pluginDirs: readonly string[];
  /** The JSON written to stdin. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly timeoutMs: number;
}

/** The plugin's parsed stdout (ADD: a result; DEL/CHECK: usually undefined). */
export async function invokePlugin(call: PluginCall): Promise<unknown> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CNI_COMMAND: call.command,
    CNI_CONTAINERID: call.containerId,
    CNI_NETNS: call.netns,
    CNI_IFNAME: call.ifName,
    CNI_PATH: call.pluginDirs.join(':'),
  };
  delete env.CNI_ARGS;
  let outcome;
  try {
    outcome = await runTool(call.pluginPath, [], { env, stdin: JSON.stringify(call.config), timeoutMs: call.timeoutMs });
  } catch {
    // The file vanished or is not executable since it was found.
    throw new CniPluginNotFoundError(call.pluginType, call.network, call.pluginDirs);
  }
  if (outcome.timedOut) throw new CniTimeoutError(call.pluginType, call.command, call.network, call.timeoutMs);
  if (outcome.code !== 0) throw pluginFailure(call, outcome.stdout, outcome.stderr, outcome.code, outcome.signal);
  const text = outcome.stdout.trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CniResultError(call.pluginType, call.network, `stdout is not JSON: ${text.slice(0, 200)}`);
  }
}

/** Builds the error from the plugin's CNI error JSON when it printed one, else from stderr. */
function pluginFailure(call: PluginCall, stdout: string, stderr: string, code: number | null, signal: NodeJS.Signals | null): CniPluginError {
  const base = { plugin: call.pluginType, command: call.command, network: call.network, containerId: call.containerId };
  try {
    const error = JSON.parse(stdout) as { code?: unknown; msg?: unknown; details?: unknown };
    if (typeof error.msg === 'string') {
      return new CniPluginError({
        ...base,
        ...(typeof error.code === 'number' ? { cniCode: error.code } : {}),
        msg: error.msg,
        ...(typeof error.details === 'string' && error.details !== '' ? { details: error.details } : {}),
      });
    }
  } catch {
    // not a CNI error object; fall through to stderr
  }
  const how = signal !== null ? `killed by ${signal}` : `exit status ${code}`;
  return new CniPluginError({ ...base, msg: `${how}: ${(stderr.trim() || stdout.trim() || '(no output)').slice(0, 2000)}` });
}
