/**
 * Loading flags the way stout does (`3rdparty/stout/include/stout/flags/flags.hpp`),
 * so `mesoscale master` and `mesoscale agent` accept what `mesos-master` and
 * `mesos-agent` accept, with the same environment variables.
 *
 * Why not commander or yargs: stout's rules do not map onto them. Every flag
 * can also come from `MESOS_<NAME>` (the part after the prefix lower-cased,
 * unknown ones ignored, consulted only when the command line lacks the flag);
 * booleans are `--name`, `--no-name` or `--name=true|false|1|0` and nothing
 * else; `file:///path` means "the value is in that file" except for path flags;
 * a flag given under its name and its deprecated alias is an error, an alias
 * alone a warning; unknown flags are fatal but positional arguments are
 * ignored; and values are typed (durations like `15secs`, sizes like `512MB`).
 * Emulating all of that on top of a general parser would take more code than
 * this, and its error messages would not name the source of a bad value.
 *
 * Steps of `loadFlags`:
 *   1. Scan argv up to `--`: split `--name[=value]`, lower-case the name, strip
 *      `no-`, resolve aliases; reject unknown, malformed and repeated flags.
 *   2. Scan the environment (sorted, for stable errors) for `<prefix><NAME>`
 *      naming a known flag or alias not already on the command line.
 *   3. Parse each value (reading `file://` references), then validate it.
 *   4. Fill in defaults, then fail if a required flag is still unset.
 */
import { readFileSync } from 'node:fs';

import { InvariantError } from '../errors.js';
import { FlagError, FlagErrorCode } from './errors.js';
import {
  FLAG_TYPE_NAMES,
  type FlagDefs,
  type FlagValues,
  type RuntimeFlagDef,
  fileContentsAsValue,
  isBooleanFlag,
  parseFlagValue,
  runtimeDef,
} from './types.js';

export const DEFAULT_ENV_PREFIX = 'MESOS_';

export interface LoadFlagsOptions {
  /** Prefix of environment variables; default `MESOS_` (both master and agent use it). */
  envPrefix?: string;
  /** Reads a `file://` value; default `fs.readFileSync(path, 'utf8')`. */
  readFile?: (path: string) => string;
}

/** Where a flag's value came from. */
export type FlagSource =
  | { readonly kind: 'command-line'; readonly arg: string }
  | { readonly kind: 'environment'; readonly variable: string }
  | { readonly kind: 'default' };

export interface LoadedFlags<D extends FlagDefs> {
  readonly flags: FlagValues<D>;
  /** One line per deprecated alias used; log them at startup. */
  readonly warnings: string[];
  /** Where each set flag came from (absent: unset, no default). */
  readonly sources: { readonly [K in keyof D]?: FlagSource };
  /** Arguments that are not flags, plus everything after `--`. */
  readonly args: string[];
}

/** A name as typed (flag or alias) resolved to its definition. */
interface NameEntry {
  /** The name itself (the alias, for an alias). */
  readonly name: string;
  /** The canonical flag name. */
  readonly flag: string;
  readonly def: RuntimeFlagDef;
  readonly isAlias: boolean;
}

const NAME = /^[a-z0-9][a-z0-9_]*$/;
const FILE_SCHEME = 'file://';
/** Longest command-line argument quoted in full in a message. */
const ARG_QUOTE_LIMIT = 120;

/**
 * Maps every accepted name to its flag, checking the definitions on the way.
 * Bad definitions are bugs in mesoscale, hence InvariantError.
 */
export function indexFlagNames(defs: FlagDefs): Map<string, NameEntry> {
  const index = new Map<string, NameEntry>();
  const claim = (name: string, entry: NameEntry): void => {
    if (!NAME.test(name)) {
      throw new InvariantError(
        `flag name '${name}' must be lower-case letters, digits and '_' (names are lower-cased when loaded; '-' would clash with '--no-')`,
      );
    }
    const taken = index.get(name);
    if (taken !== undefined) {
      throw new InvariantError(`flag name '${name}' of '${entry.flag}' is already used by flag '${taken.flag}'`);
    }
    index.set(name, entry);
  };
  for (const [flag, flagDef] of Object.entries(defs)) {
    const def = runtimeDef(flagDef);
    if (typeof def.type !== 'function' && !FLAG_TYPE_NAMES.includes(def.type)) {
      throw new InvariantError(`flag '${flag}' has unknown type '${String(def.type)}'`);
    }
    claim(flag, { name: flag, flag, def, isAlias: false });
    for (const alias of def.aliases ?? []) claim(alias, { name: alias, flag, def, isAlias: true });
  }
  return index;
}

function quoteArg(arg: string): string {
  return arg.length <= ARG_QUOTE_LIMIT ? arg : `${arg.slice(0, ARG_QUOTE_LIMIT)}...`;
}

function describeSource(source: FlagSource): string {
  switch (source.kind) {
    case 'command-line':
      return quoteArg(source.arg);
    case 'environment':
      return `environment variable ${source.variable}`;
    case 'default':
      return 'its default';
  }
}

/** Levenshtein distance, for "did you mean" on unknown flags. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function suggestion(name: string, defs: FlagDefs): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const flag of Object.keys(defs)) {
    // A typo, or one name a longer/shorter form of the other (work_directory).
    const related = Math.min(name.length, flag.length) >= 4 && (name.startsWith(flag) || flag.startsWith(name));
    const d = related ? 1 : editDistance(name, flag);
    if (d < bestDistance) {
      best = flag;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? `; did you mean --${best}?` : '';
}

/** A value found for a flag, before parsing. */
interface RawValue {
  readonly entry: NameEntry;
  readonly text: string;
  readonly source: FlagSource;
}

/**
 * Loads `defs` from command-line arguments (`process.argv.slice(2)`; a leading
 * program path is harmless since it does not start with `--`) and the
 * environment. Throws FlagError naming the flag and the source of the value.
 */
export function loadFlags<D extends FlagDefs>(
  defs: D,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  options: LoadFlagsOptions = {},
): LoadedFlags<D> {
  const prefix = options.envPrefix ?? DEFAULT_ENV_PREFIX;
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const index = indexFlagNames(defs);
  const raw = new Map<string, RawValue>(); // by canonical flag name
  const args: string[] = [];
  const warnings: string[] = [];

  // 1. Command line.
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      args.push(arg);
      continue;
    }
    const source: FlagSource = { kind: 'command-line', arg };
    const eq = arg.indexOf('=');
    const typed = (eq === -1 ? arg.slice(2) : arg.slice(2, eq)).toLowerCase();
    const value = eq === -1 ? undefined : arg.slice(eq + 1);
    const negated = typed.startsWith('no-');
    const name = negated ? typed.slice(3) : typed;

    const entry = index.get(name);
    if (entry === undefined) {
      const where = quoteArg(arg);
      throw new FlagError(
        FlagErrorCode.unknown,
        name,
        `Failed to load unknown flag '${name}' from ${where}${suggestion(name, defs)}`,
        { source: where },
      );
    }
    const previous = raw.get(entry.flag);
    if (previous !== undefined) {
      fail(FlagErrorCode.duplicate, entry.flag, source, `already given as ${describeSource(previous.source)}`);
    }

    let text: string;
    if (isBooleanFlag(entry.def)) {
      if (negated && value !== undefined) {
        fail(
          FlagErrorCode.invalid,
          entry.flag,
          source,
          `a negated boolean flag takes no value; use --${name}=${value} or --no-${name}`,
        );
      }
      text = negated ? 'false' : value === undefined || value === '' ? 'true' : value;
    } else {
      if (negated) {
        fail(FlagErrorCode.invalid, entry.flag, source, `only boolean flags can be negated with '--no-'`);
      }
      if (value === undefined) {
        fail(FlagErrorCode.invalid, entry.flag, source, `missing value; use --${name}=VALUE`);
      }
      text = value;
    }
    raw.set(entry.flag, { entry, text, source });
  }

  // 2. Environment, only for flags the command line did not set.
  const fromCommandLine = new Set(raw.keys());
  for (const variable of Object.keys(env).sort()) {
    const value = env[variable];
    if (!variable.startsWith(prefix) || value === undefined) continue;
    const entry = index.get(variable.slice(prefix.length).toLowerCase());
    if (entry === undefined || fromCommandLine.has(entry.flag)) continue;
    const source: FlagSource = { kind: 'environment', variable };
    const previous = raw.get(entry.flag);
    if (previous !== undefined) {
      fail(FlagErrorCode.duplicate, entry.flag, source, `already set by ${describeSource(previous.source)}`);
    }
    const text = isBooleanFlag(entry.def) && value === '' ? 'true' : value;
    raw.set(entry.flag, { entry, text, source });
  }

  // 3. Parse and validate, in the order found.
  const values: Record<string, unknown> = {};
  const sources: Record<string, FlagSource> = {};
  for (const { entry, text, source } of raw.values()) {
    const { flag, def } = entry;
    let valueText = text;
    let fromFile = '';
    if (text.startsWith(FILE_SCHEME) && def.type !== 'path') {
      const path = text.slice(FILE_SCHEME.length);
      try {
        valueText = fileContentsAsValue(def, readFile(path));
      } catch (err) {
        fail(FlagErrorCode.invalid, flag, source, `cannot read file '${path}': ${messageOf(err)}`, err);
      }
      fromFile = `value read from '${path}': `;
    }

    let value: unknown;
    try {
      value = parseFlagValue(def, valueText);
    } catch (err) {
      fail(FlagErrorCode.invalid, flag, source, fromFile + messageOf(err), err);
    }
    let problem: string | undefined | void;
    try {
      problem = def.validate?.(value);
    } catch (err) {
      fail(FlagErrorCode.invalid, flag, source, fromFile + messageOf(err), err);
    }
    if (typeof problem === 'string') fail(FlagErrorCode.invalid, flag, source, fromFile + problem);

    if (entry.isAlias) {
      const [used, instead] =
        source.kind === 'command-line'
          ? [`--${entry.name}`, `--${flag}`]
          : [describeSource(source), `${prefix}${flag.toUpperCase()}`];
      warnings.push(`Loaded deprecated flag '${entry.name}' from ${used}; use ${instead} instead`);
    }
    values[flag] = value;
    sources[flag] = source;
  }

  // 4. Defaults, then required flags.
  const missing: string[] = [];
  for (const [flag, flagDef] of Object.entries(defs)) {
    const def = runtimeDef(flagDef);
    if (Object.hasOwn(values, flag)) continue;
    if (def.default !== undefined) {
      values[flag] = def.default;
      sources[flag] = { kind: 'default' };
    } else {
      values[flag] = undefined;
      if (def.required === true) missing.push(flag);
    }
  }
  if (missing.length > 0) throw missingError(missing, prefix);

  return { flags: values as FlagValues<D>, warnings, sources: sources as LoadedFlags<D>['sources'], args };
}

function fail(code: FlagErrorCode, flag: string, source: FlagSource, reason: string, cause?: unknown): never {
  const where = describeSource(source);
  throw new FlagError(code, flag, `Failed to load flag '${flag}' from ${where}: ${reason}`, { source: where, cause });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function missingError(missing: string[], prefix: string): FlagError {
  const list = (items: string[], word: string): string =>
    items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} ${word} ${items.at(-1)!}`;
  const names = list(
    missing.map((f) => `'${f}'`),
    'and',
  );
  const flags = list(
    missing.map((f) => `--${f}=VALUE`),
    'and',
  );
  const vars = list(
    missing.map((f) => `${prefix}${f.toUpperCase()}`),
    'and',
  );
  const message =
    missing.length === 1
      ? `Flag ${names} is required, but it was not provided; pass ${flags} or set ${vars}`
      : `Flags ${names} are required, but they were not provided; pass ${flags}, or set ${vars}`;
  return new FlagError(FlagErrorCode.missing, missing[0]!, message);
}
