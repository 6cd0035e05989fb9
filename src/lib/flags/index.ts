/**
 * Mesos-compatible flags (stout semantics): declare once with `defineFlags`,
 * load with `loadFlags(defs, process.argv.slice(2), process.env)`, show with
 * `effectiveFlags` (`GET /flags`) and `usage` (`--help`). See load.ts for the
 * rules and why this is not commander/yargs.
 *
 *   const agentFlags = defineFlags({
 *     work_dir: { type: 'path', required: true, help: 'Where the agent keeps its state' },
 *     agent_ping_timeout: { type: 'duration', default: 15_000, aliases: ['slave_ping_timeout'], help: '...' },
 *   });
 *   const { flags, warnings } = loadFlags(agentFlags, process.argv.slice(2), process.env);
 *   flags.work_dir;           // string
 *   flags.agent_ping_timeout; // number (ms)
 */
import { indexFlagNames } from './load.js';
import type { CheckedDefs, FlagDefs } from './types.js';

export { FlagError, FlagErrorCode } from './errors.js';
export {
  DEFAULT_ENV_PREFIX,
  loadFlags,
  type FlagSource,
  type LoadFlagsOptions,
  type LoadedFlags,
} from './load.js';
export {
  FLAG_TYPE_NAMES,
  formatFlagValue,
  parseFlagValue,
  type BuiltinFlagDef,
  type CustomFlagDef,
  type FlagCommon,
  type FlagDef,
  type FlagDefs,
  type FlagParser,
  type FlagTypeMap,
  type FlagTypeName,
  type FlagValue,
  type FlagValues,
} from './types.js';
export { effectiveFlags, usage, type UsageOptions } from './usage.js';

/**
 * Declares a set of flags, checking at compile time that each `default`,
 * `validate` and `format` fits the flag's type, and at run time that names and
 * aliases are well formed and unique (InvariantError otherwise).
 */
export function defineFlags<const D extends FlagDefs>(defs: D & NoInfer<CheckedDefs<D>>): D {
  indexFlagNames(defs);
  return defs;
}
