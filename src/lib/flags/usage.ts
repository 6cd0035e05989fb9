/**
 * Flags shown back to people: `GET /flags` / `GET_FLAGS` (every set flag as a
 * string, Mesos-style) and `--help` text laid out like stout's `usage()`.
 */
import type { FlagDefs, FlagValues } from './types.js';
import { formatFlagValue, isBooleanFlag, runtimeDef } from './types.js';

/**
 * The string form of every flag that has a value, for `{"flags": {...}}`.
 * Unset flags without a default are omitted; durations read `15secs`, sizes
 * `512MB`, booleans `true`/`false`, JSON compact. Keys are sorted like Mesos'.
 */
export function effectiveFlags<D extends FlagDefs>(
  defs: D,
  values: Partial<FlagValues<D>> | Readonly<Record<string, unknown>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const record = values as Readonly<Record<string, unknown>>;
  for (const name of Object.keys(defs).sort()) {
    const value = Object.hasOwn(record, name) ? record[name] : undefined;
    if (value === undefined) continue;
    out[name] = formatFlagValue(defs[name]!, value);
  }
  return out;
}

export interface UsageOptions {
  /** First line; default `Usage: <programName> [options]`. */
  readonly header?: string;
  readonly programName?: string;
}

/** Spaces between the flag column and the help column (stout's PAD). */
const PAD = 5;

/**
 * Help text: one entry per flag, sorted by name, booleans as `--[no-]name`,
 * others as `--name=VALUE`, aliases after the name, the help (multi-line help
 * indented) and `(default: X)` when there is a default.
 */
export function usage(defs: FlagDefs, options: UsageOptions = {}): string {
  const header = options.header ?? `Usage: ${options.programName ?? 'mesoscale'} [options]`;
  const names = Object.keys(defs).sort();

  const column = new Map<string, string>();
  for (const name of names) {
    const def = defs[name]!;
    const form = (n: string): string => (isBooleanFlag(def) ? `--[no-]${n}` : `--${n}=VALUE`);
    column.set(name, `  ${[name, ...(def.aliases ?? [])].map(form).join(', ')}`);
  }
  const width = Math.max(0, ...[...column.values()].map((c) => c.length)) + PAD;

  const lines = [header, ''];
  for (const name of names) {
    const def = runtimeDef(defs[name]!);
    let help = def.help;
    const notes: string[] = [];
    if (def.required === true) notes.push('required');
    if (def.aliases !== undefined && def.aliases.length > 0) notes.push(`deprecated: ${def.aliases.join(', ')}`);
    if (def.default !== undefined) notes.push(`default: ${formatFlagValue(def, def.default)}`);
    if (notes.length > 0) {
      const suffix = notes.map((n) => `(${n})`).join(' ');
      help = help.length === 0 || help.endsWith('\n') ? `${help}${suffix}` : `${help} ${suffix}`;
    }
    const [first = '', ...rest] = help.split(/\r?\n/);
    lines.push(column.get(name)!.padEnd(width) + first);
    for (const line of rest) lines.push(' '.repeat(width) + line);
  }
  return `${lines.join('\n')}\n`;
}
