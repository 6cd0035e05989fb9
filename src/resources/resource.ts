/**
 * One Mesos resource: a name, a value, who it is reserved for and who it is
 * allocated to. Plain data, no protobuf.
 *
 * Scalars are integer milli-units (value × 1000, rounded): Mesos does all
 * scalar arithmetic in fixed point with three decimals, so `0.1 + 0.2`
 * is exactly `0.3` and `cpus:0.0001` is nothing at all.
 *
 * Every Resource object has all three value fields (`milli`, `ranges`,
 * `items`) so V8 sees one object shape; the two unused ones are empty.
 */
import { InvalidResourceError } from './errors.js';
import { UNRESERVED_ROLE, roleError } from './roles.js';
import {
  EMPTY_ITEMS,
  EMPTY_RANGES,
  type FlatRanges,
  formatRanges,
  itemsEqual,
  normalizeItems,
  normalizeRanges,
  rangesEqual,
} from './values.js';

export const ResourceType = { SCALAR: 'SCALAR', RANGES: 'RANGES', SET: 'SET' } as const;
export type ResourceType = (typeof ResourceType)[keyof typeof ResourceType];

export const ReservationType = { STATIC: 'STATIC', DYNAMIC: 'DYNAMIC' } as const;
export type ReservationType = (typeof ReservationType)[keyof typeof ReservationType];

export interface Label {
  readonly key: string;
  readonly value?: string | undefined;
}

/** One level of a reservation (Mesos ReservationInfo, post-refinement format). */
export interface Reservation {
  readonly type: ReservationType;
  readonly role: string;
  readonly principal?: string | undefined;
  readonly labels?: readonly Label[] | undefined;
}

export interface Resource {
  readonly name: string;
  readonly type: ResourceType;
  /** SCALAR: integer milli-units (> 0 once inside a Resources). Other types: 0. */
  readonly milli: number;
  /** RANGES: flat `[b0, e0, b1, e1 ...]`, inclusive, sorted, coalesced. Other types: empty. */
  readonly ranges: FlatRanges;
  /** SET: sorted distinct items. Other types: empty. */
  readonly items: readonly string[];
  /** Reservation role (the innermost of `reservations`); `*` when unreserved. */
  readonly role: string;
  /** Reservation stack, outermost first; empty when unreserved. */
  readonly reservations: readonly Reservation[];
  /** Role the resource is offered or allocated to; undefined while unallocated. */
  readonly allocationRole: string | undefined;
}

/** Options shared by the resource constructors. */
export interface ResourceOptions {
  /** Reservation role; `*` (default) = unreserved. */
  role?: string;
  /** STATIC (default for a non-`*` role) or DYNAMIC. */
  reservationType?: ReservationType;
  principal?: string;
  /** Full reservation stack (refinement); overrides role/reservationType/principal. */
  reservations?: readonly Reservation[];
  allocationRole?: string;
}

export const MILLI = 1000;
const NO_RESERVATIONS: readonly Reservation[] = Object.freeze([]) as readonly Reservation[];

/** value × 1000 rounded to an integer (Mesos fixed point). */
export function toMilli(value: number): number {
  return Math.round(value * MILLI);
}

export function fromMilli(milli: number): number {
  return milli / MILLI;
}

/** `2`, `0.5`, `0.001`: at most three decimals, no trailing zeros. */
export function formatMilli(milli: number): string {
  if (milli % MILLI === 0) return String(milli / MILLI);
  return (milli / MILLI).toFixed(3).replace(/0+$/, '');
}

function reservationsFrom(options: ResourceOptions | undefined): readonly Reservation[] {
  if (options === undefined) return NO_RESERVATIONS;
  if (options.reservations !== undefined) {
    for (const r of options.reservations) {
      const err = r.role === UNRESERVED_ROLE ? `reservation role cannot be '*'` : roleError(r.role);
      if (err !== undefined) throw new InvalidResourceError(`Invalid reservation: ${err}`);
    }
    return options.reservations.length === 0 ? NO_RESERVATIONS : options.reservations;
  }
  const role = options.role ?? UNRESERVED_ROLE;
  if (role === UNRESERVED_ROLE) return NO_RESERVATIONS;
  const err = roleError(role);
  if (err !== undefined) throw new InvalidResourceError(`Invalid reservation: ${err}`);
  const reservation: Reservation =
    options.principal === undefined
      ? { type: options.reservationType ?? ReservationType.STATIC, role }
      : { type: options.reservationType ?? ReservationType.DYNAMIC, role, principal: options.principal };
  return [reservation];
}

function make(
  name: string,
  type: ResourceType,
  milli: number,
  ranges: FlatRanges,
  items: readonly string[],
  options: ResourceOptions | undefined,
): Resource {
  if (name.length === 0) throw new InvalidResourceError('Invalid resource: name is empty');
  const reservations = reservationsFrom(options);
  const allocationRole = options?.allocationRole;
  if (allocationRole !== undefined) {
    const err = roleError(allocationRole);
    if (err !== undefined) throw new InvalidResourceError(`Invalid allocation role: ${err}`);
  }
  return {
    name,
    type,
    milli,
    ranges,
    items,
    role: reservations.length === 0 ? UNRESERVED_ROLE : reservations[reservations.length - 1]!.role,
    reservations,
    allocationRole,
  };
}

/** A SCALAR resource of `value` units (rounded to 3 decimals). */
export function scalarResource(name: string, value: number, options?: ResourceOptions): Resource {
  if (!Number.isFinite(value) || value < 0) {
    throw new InvalidResourceError(`Invalid scalar resource '${name}': ${value} is not a non-negative finite number`);
  }
  return make(name, ResourceType.SCALAR, toMilli(value), EMPTY_RANGES, EMPTY_ITEMS, options);
}

/** A SCALAR resource of `milli` milli-units (an integer). */
export function scalarResourceMilli(name: string, milli: number, options?: ResourceOptions): Resource {
  if (!Number.isSafeInteger(milli) || milli < 0) {
    throw new InvalidResourceError(`Invalid scalar resource '${name}': ${milli} milli-units is not a non-negative integer`);
  }
  return make(name, ResourceType.SCALAR, milli, EMPTY_RANGES, EMPTY_ITEMS, options);
}

/** A RANGES resource from inclusive `[begin, end]` pairs (any order, may overlap). */
export function rangesResource(
  name: string,
  ranges: readonly (readonly [number, number])[],
  options?: ResourceOptions,
): Resource {
  for (const [b, e] of ranges) {
    if (!Number.isSafeInteger(b) || !Number.isSafeInteger(e) || b < 0 || e < b) {
      throw new InvalidResourceError(`Invalid ranges resource '${name}': [${b}-${e}] is not a range of non-negative integers`);
    }
  }
  return make(name, ResourceType.RANGES, 0, normalizeRanges(ranges), EMPTY_ITEMS, options);
}

/** A SET resource; duplicate items collapse. */
export function setResource(name: string, items: Iterable<string>, options?: ResourceOptions): Resource {
  return make(name, ResourceType.SET, 0, EMPTY_RANGES, normalizeItems(items), options);
}

/** Same resource with another value (internal; inputs already normalized). */
export function withValue(r: Resource, milli: number, ranges: FlatRanges, items: readonly string[]): Resource {
  return {
    name: r.name,
    type: r.type,
    milli,
    ranges,
    items,
    role: r.role,
    reservations: r.reservations,
    allocationRole: r.allocationRole,
  };
}

/** Same resource, allocated to `role` (undefined = unallocated). */
export function withAllocationRole(r: Resource, role: string | undefined): Resource {
  if (r.allocationRole === role) return r;
  return {
    name: r.name,
    type: r.type,
    milli: r.milli,
    ranges: r.ranges,
    items: r.items,
    role: r.role,
    reservations: r.reservations,
    allocationRole: role,
  };
}

/** Same value and allocation, with another (already validated) reservation stack. */
export function withReservations(r: Resource, reservations: readonly Reservation[]): Resource {
  return {
    name: r.name,
    type: r.type,
    milli: r.milli,
    ranges: r.ranges,
    items: r.items,
    role: reservations.length === 0 ? UNRESERVED_ROLE : reservations[reservations.length - 1]!.role,
    reservations,
    allocationRole: r.allocationRole,
  };
}

/** Same value, unreserved and unallocated. */
export function stripped(r: Resource): Resource {
  if (r.reservations.length === 0 && r.allocationRole === undefined) return r;
  return {
    name: r.name,
    type: r.type,
    milli: r.milli,
    ranges: r.ranges,
    items: r.items,
    role: UNRESERVED_ROLE,
    reservations: NO_RESERVATIONS,
    allocationRole: undefined,
  };
}

export function isEmptyResource(r: Resource): boolean {
  switch (r.type) {
    case ResourceType.SCALAR:
      return r.milli <= 0;
    case ResourceType.RANGES:
      return r.ranges.length === 0;
    case ResourceType.SET:
      return r.items.length === 0;
  }
}

function labelsEqual(a: readonly Label[] | undefined, b: readonly Label[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i]!.key !== y[i]!.key || x[i]!.value !== y[i]!.value) return false;
  return true;
}

function reservationsEqual(a: readonly Reservation[], b: readonly Reservation[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.role !== y.role || x.type !== y.type || x.principal !== y.principal || !labelsEqual(x.labels, y.labels)) {
      return false;
    }
  }
  return true;
}

/**
 * True if `a` and `b` are the same kind of resource (name, type, reservation,
 * allocation) and so merge into one entry of a Resources.
 */
export function sameKey(a: Resource, b: Resource): boolean {
  return (
    a.name === b.name &&
    a.type === b.type &&
    a.role === b.role &&
    a.allocationRole === b.allocationRole &&
    reservationsEqual(a.reservations, b.reservations)
  );
}

export function sameValue(a: Resource, b: Resource): boolean {
  return a.milli === b.milli && rangesEqual(a.ranges, b.ranges) && itemsEqual(a.items, b.items);
}

/** Mesos quantity in milli-units: scalar value, or 1000 per range number / set item. */
export function quantityMilli(r: Resource): number {
  switch (r.type) {
    case ResourceType.SCALAR:
      return r.milli;
    case ResourceType.RANGES: {
      let n = 0;
      for (let i = 0; i < r.ranges.length; i += 2) n += r.ranges[i + 1]! - r.ranges[i]! + 1;
      return n * MILLI;
    }
    case ResourceType.SET:
      return r.items.length * MILLI;
  }
}

export function formatValue(r: Resource): string {
  switch (r.type) {
    case ResourceType.SCALAR:
      return formatMilli(r.milli);
    case ResourceType.RANGES:
      return formatRanges(r.ranges);
    case ResourceType.SET:
      return `{${r.items.join(',')}}`;
  }
}

/**
 * `cpus:2`, `mem(ops):1024`, `cpus(allocated: web):1`. Only the innermost
 * reservation role is shown; the text form cannot express refinement stacks,
 * principals or labels (use JSON for those).
 */
export function formatResource(r: Resource): string {
  let head = r.name;
  if (r.role !== UNRESERVED_ROLE) head += `(${r.role})`;
  if (r.allocationRole !== undefined) head += `(allocated: ${r.allocationRole})`;
  return `${head}:${formatValue(r)}`;
}
