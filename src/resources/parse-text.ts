/**
 * The agent's `--resources` text form:
 *
 *     name[(role)]:value;name[(role)]:value...
 *
 * value: scalar `2` / `0.5`, ranges `[31000-32000,33000-33010]`, set `{a,b}`.
 * Whitespace is ignored, empty `;` pieces are skipped, a missing role means
 * the default role (`*` = unreserved, anything else = static reservation).
 * Repeats of the same name and role add up; one name with two value types is
 * an error. Errors quote the offending piece:
 * `Invalid resources 'cpus:abc': 'abc' is not a number`.
 */
import { ResourcesParseError } from './errors.js';
import { type Resource, ResourceType, rangesResource, scalarResource, setResource } from './resource.js';
import { Resources } from './resources.js';
import { UNRESERVED_ROLE, roleError } from './roles.js';

export interface ParseResourcesOptions {
  /** Role of resources given without `(role)`; `*` (default) = unreserved. */
  defaultRole?: string;
}

const NUMBER = /^\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^\d+$/;

/**
 * A non-negative finite decimal number, or a reason why `text` is not one.
 * Accepts `2`, `0.5`, `.5`, `1e3`; rejects hex, `Infinity`, `NaN`, empty.
 */
export function parseNonNegativeNumber(text: string): number | string {
  if (text.length === 0) return 'value is empty';
  if (text.startsWith('-')) {
    return NUMBER.test(text.slice(1)) ? `'${text}' is negative` : `'${text}' is not a number`;
  }
  if (!NUMBER.test(text)) return `'${text}' is not a number`;
  const value = Number(text);
  if (!Number.isFinite(value)) return `'${text}' is not a finite number`;
  return value;
}

/**
 * `[a-b,c-d]` → pairs, or a reason. Bounds are non-negative integers with
 * begin <= end. `[]` is an empty list.
 */
export function parseRangesText(text: string): [number, number][] | string {
  if (!text.startsWith('[') || !text.endsWith(']')) return `'${text}' is not a range list like [31000-32000]`;
  const body = text.slice(1, -1);
  if (body.length === 0) return [];
  const pairs: [number, number][] = [];
  for (const part of body.split(',')) {
    const dash = part.indexOf('-');
    const b = dash < 0 ? '' : part.slice(0, dash);
    const e = dash < 0 ? '' : part.slice(dash + 1);
    if (!INTEGER.test(b) || !INTEGER.test(e)) return `'${part}' is not a range 'begin-end' of non-negative integers`;
    const begin = Number(b);
    const end = Number(e);
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end)) return `'${part}' is out of range`;
    if (begin > end) return `'${part}' has begin > end`;
    pairs.push([begin, end]);
  }
  return pairs;
}

/** `{a,b}` → items, or a reason. Empty and duplicate items are errors. */
export function parseSetText(text: string): string[] | string {
  if (!text.startsWith('{') || !text.endsWith('}')) return `'${text}' is not a set like {a,b}`;
  const body = text.slice(1, -1);
  if (body.length === 0) return [];
  const items = body.split(',');
  const seen = new Set<string>();
  for (const item of items) {
    if (item.length === 0) return `set '${text}' has an empty item`;
    if (seen.has(item)) return `set '${text}' has '${item}' twice`;
    seen.add(item);
  }
  return items;
}

/** Parse one `name[(role)]:value` piece (whitespace already removed). */
function parsePiece(piece: string, defaultRole: string): Resource {
  function fail(reason: string): never {
    throw new ResourcesParseError(piece, reason);
  }
  const colon = piece.indexOf(':');
  if (colon < 0) fail(`missing ':' between name and value`);
  if (piece.indexOf(':', colon + 1) >= 0) fail(`more than one ':'`);
  const head = piece.slice(0, colon);
  const valueText = piece.slice(colon + 1);

  let name = head;
  let role = defaultRole;
  const open = head.indexOf('(');
  if (open >= 0) {
    if (!head.endsWith(')')) fail(`'${head}' must be name(role)`);
    name = head.slice(0, open);
    role = head.slice(open + 1, -1);
    if (role.length === 0) fail(`role in '${head}' is empty`);
  } else if (head.includes(')')) {
    fail(`'${head}' must be name(role)`);
  }
  if (name.length === 0) fail('resource name is empty');
  if (/[()[\]{},]/.test(name)) fail(`'${name}' is not a valid resource name`);
  const badRole = roleError(role);
  if (badRole !== undefined) fail(badRole);
  const options = role === UNRESERVED_ROLE ? undefined : { role };

  if (valueText.startsWith('[')) {
    const pairs = parseRangesText(valueText);
    if (typeof pairs === 'string') fail(pairs);
    return rangesResource(name, pairs, options);
  }
  if (valueText.startsWith('{')) {
    const items = parseSetText(valueText);
    if (typeof items === 'string') fail(items);
    return setResource(name, items, options);
  }
  const value = parseNonNegativeNumber(valueText);
  if (typeof value === 'string') fail(value);
  return scalarResource(name, value, options);
}

/** Parse the `--resources` text form. Throws ResourcesParseError. */
export function parseResourcesText(text: string, options: ParseResourcesOptions = {}): Resources {
  const defaultRole = options.defaultRole ?? UNRESERVED_ROLE;
  const badDefault = roleError(defaultRole);
  if (badDefault !== undefined) throw new ResourcesParseError(defaultRole, badDefault, 'default role');
  const types = new Map<string, ResourceType>();
  const parsed: Resource[] = [];
  for (const raw of text.split(';')) {
    const piece = raw.replace(/\s+/g, '');
    if (piece.length === 0) continue;
    const r = parsePiece(piece, defaultRole);
    const known = types.get(r.name);
    if (known !== undefined && known !== r.type) {
      throw new ResourcesParseError(piece, `'${r.name}' is already a ${known} resource, cannot also be ${r.type}`);
    }
    types.set(r.name, r.type);
    parsed.push(r);
  }
  return Resources.of(parsed);
}
