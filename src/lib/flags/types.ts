/**
 * Flag definitions and the value types they produce.
 *
 *   defineFlags({
 *     work_dir:           { type: 'path', required: true, help: '...' },
 *     agent_ping_timeout: { type: 'duration', default: 15_000, aliases: ['slave_ping_timeout'], help: '...' },
 *     resources:          { type: parseResources, help: '...' },
 *   })
 *
 * gives, after loading, `{ work_dir: string; agent_ping_timeout: number;
 * resources: Resources | undefined }`: a flag's value is `T | undefined` unless
 * it is `required: true` or has a `default`. Durations are milliseconds, byte
 * sizes are bytes, `json` is `unknown` (narrow it with a custom parser instead).
 */
import { formatBytes, parseBytes } from '../bytes.js';
import { formatDuration, parseDuration } from '../duration.js';

/** Built-in value types and what each parses to. */
export interface FlagTypeMap {
  string: string;
  /** Whole number, optional sign. */
  int: number;
  /** Decimal number. */
  number: number;
  /** `true`/`false`/`1`/`0` only. */
  bool: boolean;
  /** stout duration (`15secs`), as milliseconds. */
  duration: number;
  /** stout byte size (`512MB`), as bytes. */
  bytes: number;
  /** Taken literally, even when it starts with `file://`. */
  path: string;
  json: unknown;
}
export type FlagTypeName = keyof FlagTypeMap;

export const FLAG_TYPE_NAMES: readonly FlagTypeName[] = [
  'string',
  'int',
  'number',
  'bool',
  'duration',
  'bytes',
  'path',
  'json',
];

/** A custom value type: turns the text into a value or throws an Error saying why not. */
export type FlagParser<T> = (text: string) => T;

/** What every flag has, whatever its type. */
export interface FlagCommon {
  readonly help: string;
  /** Loading fails unless the flag is given (a default also satisfies it). */
  readonly required?: boolean;
  /** Other accepted names, deprecated: using one adds a warning (e.g. `slave_ping_timeout`). */
  readonly aliases?: readonly string[];
}

/**
 * A flag of a built-in type. `validate` returns an error message (or throws)
 * when a parsed value is unacceptable; it is not applied to defaults. `format`
 * overrides the string shown by `/flags` and help.
 */
export type BuiltinFlagDef<P extends FlagTypeName = FlagTypeName> = FlagCommon & {
  readonly type: P;
  readonly default?: FlagTypeMap[P];
  readonly validate?: (value: FlagTypeMap[P]) => string | undefined | void;
  readonly format?: (value: FlagTypeMap[P]) => string;
};

/**
 * A flag with its own parser. `default`, `validate` and `format` are checked
 * against the parser's return type by `defineFlags` (see CheckedDefs), but
 * TypeScript cannot infer `validate`'s parameter from here: annotate it.
 */
export interface CustomFlagDef extends FlagCommon {
  readonly type: FlagParser<unknown>;
  readonly default?: unknown;
  readonly validate?: unknown;
  readonly format?: unknown;
}

/**
 * One flag definition. A union discriminated by `type`, so that for built-in
 * types TypeScript types `validate`'s parameter and checks `default` by itself.
 */
export type FlagDef = { readonly [P in FlagTypeName]: BuiltinFlagDef<P> }[FlagTypeName] | CustomFlagDef;

export type FlagDefs = { readonly [name: string]: FlagDef };

/** How the loader sees any definition at run time. */
export interface RuntimeFlagDef extends FlagCommon {
  readonly type: FlagTypeName | FlagParser<unknown>;
  readonly default?: unknown;
  readonly validate?: (value: unknown) => string | undefined | void;
  readonly format?: (value: unknown) => string;
}

export function runtimeDef(def: FlagDef): RuntimeFlagDef {
  return def as RuntimeFlagDef;
}

/** The value type of one definition. */
export type FlagValue<Def> = Def extends { readonly type: infer P }
  ? P extends FlagTypeName
    ? FlagTypeMap[P]
    : P extends FlagParser<infer V>
      ? V
      : never
  : never;

/** Ties a custom flag's `default`, `validate` and `format` to its parser's return type. */
type CheckedDef<Def> = Def extends { readonly type: FlagParser<infer V> }
  ? {
      readonly default?: V;
      readonly validate?: (value: V) => string | undefined | void;
      readonly format?: (value: V) => string;
    }
  : unknown;

export type CheckedDefs<D> = { readonly [K in keyof D]: CheckedDef<D[K]> };

type IsAlwaysSet<Def> = Def extends { readonly required: true }
  ? true
  : Def extends { readonly default: unknown }
    ? true
    : false;

/** The loaded values: `flags.work_dir` is `string`, `flags.quiet` is `boolean` ... */
export type FlagValues<D extends FlagDefs> = {
  -readonly [K in keyof D]: IsAlwaysSet<D[K]> extends true ? FlagValue<D[K]> : FlagValue<D[K]> | undefined;
};

// ---------------------------------------------------------------------------
// Built-in parsers and formatters.

const INT = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseBool(text: string): boolean {
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new Error(`Invalid boolean '${text}': use true, false, 1 or 0`);
}

function parseInt(text: string): number {
  const value = Number(text);
  if (!INT.test(text)) throw new Error(`Invalid integer '${text}': expected whole decimal digits`);
  if (!Number.isSafeInteger(value)) throw new Error(`Invalid integer '${text}': out of range`);
  return value;
}

function parseNumber(text: string): number {
  const value = Number(text);
  if (!DECIMAL.test(text) || !Number.isFinite(value)) throw new Error(`Invalid number '${text}'`);
  return value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`Invalid JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

const PARSERS: { readonly [P in FlagTypeName]: FlagParser<FlagTypeMap[P]> } = {
  string: (text) => text,
  int: parseInt,
  number: parseNumber,
  bool: parseBool,
  duration: parseDuration,
  bytes: parseBytes,
  path: (text) => text,
  json: parseJson,
};

/** Types whose text is a scalar token: surrounding whitespace read from a file is dropped. */
const SCALAR: ReadonlySet<FlagTypeName> = new Set(['int', 'number', 'bool', 'duration', 'bytes']);

export function isBooleanFlag(def: FlagDef | RuntimeFlagDef): boolean {
  return def.type === 'bool';
}

/** Parses `text` as the definition's type. Throws an Error whose message says why. */
export function parseFlagValue(def: FlagDef | RuntimeFlagDef, text: string): unknown {
  return typeof def.type === 'function' ? def.type(text) : PARSERS[def.type](text);
}

/**
 * The text to parse when the value came from a `file://` reference. Scalar types
 * are trimmed; a string loses one trailing newline (what `echo value > file`
 * adds); JSON and custom types get the contents as they are.
 */
export function fileContentsAsValue(def: FlagDef | RuntimeFlagDef, contents: string): string {
  if (typeof def.type === 'function' || def.type === 'json') return contents;
  if (SCALAR.has(def.type)) return contents.trim();
  return contents.replace(/\r?\n$/, '');
}

/** The string form of a value for `/flags` and help text, Mesos-style. */
export function formatFlagValue(flagDef: FlagDef | RuntimeFlagDef, value: unknown): string {
  const def = flagDef as RuntimeFlagDef;
  if (def.format !== undefined) return def.format(value);
  switch (def.type) {
    case 'duration':
      return formatDuration(value as number);
    case 'bytes':
      return formatBytes(value as number);
    case 'json':
      return JSON.stringify(value);
    default:
      if (typeof value === 'string') return value;
      if (typeof value === 'object' && value !== null) {
        // Custom types: prefer a meaningful toString, else JSON.
        const text = String(value);
        return text === '[object Object]' ? JSON.stringify(value) : text;
      }
      return String(value);
  }
}
