/**
 * Resources from Mesos Resource JSON: an array of plain objects such as
 * `{"name":"cpus","type":"SCALAR","scalar":{"value":2},"role":"ops"}` as
 * JSON.parse returns them (no protobuf types).
 *
 * Both reservation formats are read: pre-refinement (`role`, plus
 * `reservation` for a dynamic one) and post-refinement (`reservations`
 * stack). Entries with neither get the default role. `disk`, `revocable`,
 * `shared` and `provider_id` are not part of this model and are rejected
 * rather than silently dropped.
 */
import { ResourcesParseError } from './errors.js';
import type { ResourceJson } from './json.js';
import {
  type Label,
  type Reservation,
  type Resource,
  type ResourceOptions,
  ReservationType,
  rangesResource,
  scalarResource,
  setResource,
} from './resource.js';
import { Resources } from './resources.js';
import { UNRESERVED_ROLE, roleError } from './roles.js';
import { type ParseResourcesOptions, parseResourcesText } from './parse-text.js';

const UNSUPPORTED_FIELDS = ['disk', 'revocable', 'shared', 'provider_id'] as const;

function excerpt(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A uint64 from JSON: a number or a decimal string (proto3 writes uint64 as strings). */
function toUint(x: unknown): number | undefined {
  const n = typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : x;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function parseLabels(x: unknown, fail: (reason: string) => never): Label[] | undefined {
  if (x === undefined) return undefined;
  if (!isObject(x) || (x.labels !== undefined && !Array.isArray(x.labels))) {
    fail('labels must be {"labels":[{"key":...,"value":...}]}');
  }
  const out: Label[] = [];
  for (const l of (x.labels as unknown[] | undefined) ?? []) {
    if (!isObject(l) || typeof l.key !== 'string') fail('each label needs a string key');
    if (l.value !== undefined && typeof l.value !== 'string') fail(`label '${l.key}' value must be a string`);
    out.push(l.value === undefined ? { key: l.key } : { key: l.key, value: l.value as string });
  }
  return out;
}

function parseReservations(entry: Record<string, unknown>, defaultRole: string, fail: (reason: string) => never): Reservation[] {
  if (entry.reservations !== undefined && !(Array.isArray(entry.reservations) && entry.reservations.length === 0)) {
    if (!Array.isArray(entry.reservations)) fail('reservations must be an array');
    const stack: Reservation[] = [];
    for (const r of entry.reservations as unknown[]) {
      if (!isObject(r)) fail('each reservation must be an object');
      const type = r.type ?? ReservationType.DYNAMIC;
      if (type !== ReservationType.STATIC && type !== ReservationType.DYNAMIC) {
        fail(`reservation type '${String(type)}' must be STATIC or DYNAMIC`);
      }
      if (typeof r.role !== 'string' || r.role === UNRESERVED_ROLE) fail('each reservation needs a role other than *');
      const err = roleError(r.role);
      if (err !== undefined) fail(err);
      if (r.principal !== undefined && typeof r.principal !== 'string') fail('reservation principal must be a string');
      const labels = parseLabels(r.labels, fail);
      stack.push({ type, role: r.role, principal: r.principal as string | undefined, labels });
    }
    if (entry.role !== undefined && entry.role !== UNRESERVED_ROLE && entry.role !== stack[stack.length - 1]!.role) {
      fail(`role '${String(entry.role)}' disagrees with the reservations stack`);
    }
    return stack;
  }
  const role = entry.role ?? defaultRole;
  if (typeof role !== 'string') fail('role must be a string');
  const err = roleError(role);
  if (err !== undefined) fail(err);
  if (role === UNRESERVED_ROLE) {
    if (entry.reservation !== undefined) fail(`'reservation' needs a role other than *`);
    return [];
  }
  if (entry.reservation === undefined) return [{ type: ReservationType.STATIC, role }];
  if (!isObject(entry.reservation)) fail('reservation must be an object');
  const { principal } = entry.reservation;
  if (principal !== undefined && typeof principal !== 'string') fail('reservation principal must be a string');
  return [{ type: ReservationType.DYNAMIC, role, principal, labels: parseLabels(entry.reservation.labels, fail) }];
}

function parseEntry(entry: unknown, index: number, defaultRole: string): Resource {
  function fail(reason: string): never {
    throw new ResourcesParseError(excerpt(entry), `entry ${index}: ${reason}`, 'resources JSON');
  }
  if (!isObject(entry)) fail('expected a Resource object');
  const { name, type } = entry;
  if (typeof name !== 'string' || name.length === 0) fail('name must be a non-empty string');
  for (const field of UNSUPPORTED_FIELDS) {
    if (entry[field] !== undefined) fail(`'${field}' is not supported by the mesoscale resource model`);
  }
  const reservations = parseReservations(entry, defaultRole, fail);
  const opts: ResourceOptions = { reservations };
  if (entry.allocation_info !== undefined) {
    const info = entry.allocation_info;
    if (!isObject(info) || (info.role !== undefined && typeof info.role !== 'string')) {
      fail('allocation_info must be {"role": string}');
    }
    if (typeof info.role === 'string') {
      const err = roleError(info.role);
      if (err !== undefined) fail(err);
      opts.allocationRole = info.role;
    }
  }

  switch (type) {
    case 'SCALAR': {
      const scalar = entry.scalar;
      if (!isObject(scalar) || typeof scalar.value !== 'number') fail('SCALAR resource needs scalar.value (a number)');
      const value = scalar.value as number;
      if (!Number.isFinite(value) || value < 0) fail(`scalar.value ${value} must be a non-negative finite number`);
      return scalarResource(name, value, opts);
    }
    case 'RANGES': {
      const ranges = entry.ranges ?? { range: [] };
      if (!isObject(ranges) || (ranges.range !== undefined && !Array.isArray(ranges.range))) {
        fail('RANGES resource needs ranges.range (an array)');
      }
      const pairs: [number, number][] = [];
      for (const r of (ranges.range as unknown[] | undefined) ?? []) {
        const begin = isObject(r) ? toUint(r.begin) : undefined;
        const end = isObject(r) ? toUint(r.end) : undefined;
        if (begin === undefined || end === undefined) fail(`range ${excerpt(r)} needs non-negative integer begin and end`);
        if (begin > end) fail(`range ${begin}-${end} has begin > end`);
        pairs.push([begin, end]);
      }
      return rangesResource(name, pairs, opts);
    }
    case 'SET': {
      const set = entry.set ?? { item: [] };
      if (!isObject(set) || (set.item !== undefined && !Array.isArray(set.item))) fail('SET resource needs set.item (an array)');
      const items = (set.item as unknown[] | undefined) ?? [];
      if (!items.every((i) => typeof i === 'string')) fail('set items must be strings');
      return setResource(name, items as string[], opts);
    }
    case 'TEXT':
      return fail('TEXT values are not allowed for resources');
    default:
      return fail(`type must be SCALAR, RANGES or SET, not ${excerpt(type)}`);
  }
}

/**
 * Resources from parsed Resource JSON (an array of objects). Entries with the
 * same name must have the same type. Throws ResourcesParseError.
 */
export function parseResourcesJson(json: unknown, options: ParseResourcesOptions = {}): Resources {
  const defaultRole = options.defaultRole ?? UNRESERVED_ROLE;
  const badDefault = roleError(defaultRole);
  if (badDefault !== undefined) throw new ResourcesParseError(defaultRole, badDefault, 'default role');
  if (!Array.isArray(json)) {
    throw new ResourcesParseError(excerpt(json), 'expected an array of Resource objects', 'resources JSON');
  }
  const types = new Map<string, string>();
  const parsed: Resource[] = [];
  json.forEach((entry: unknown, i) => {
    const r = parseEntry(entry, i, defaultRole);
    const known = types.get(r.name);
    if (known !== undefined && known !== r.type) {
      throw new ResourcesParseError(excerpt(entry), `entry ${i}: '${r.name}' is already a ${known} resource`, 'resources JSON');
    }
    types.set(r.name, r.type);
    parsed.push(r);
  });
  return Resources.of(parsed);
}

/**
 * The agent's `--resources` value in either form: a JSON array (when the
 * text starts with `[`) or the `name(role):value;...` text form.
 */
export function parseResources(text: string, options: ParseResourcesOptions = {}): Resources {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (err) {
      throw new ResourcesParseError(excerpt(trimmed), `not valid JSON (${(err as Error).message})`, 'resources JSON');
    }
    return parseResourcesJson(json, options);
  }
  return parseResourcesText(text, options);
}

export type { ResourceJson };
