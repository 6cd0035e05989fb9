/**
 * An immutable collection of resources (Mesos `Resources`).
 *
 * Invariant: entries are non-empty and no two entries share a key (name,
 * type, reservation stack, allocation role); same-key entries are merged on
 * the way in. Every operation returns a new Resources (or `this` when
 * nothing changes) and never mutates its inputs, so a Resources can be
 * shared freely: the allocator keeps agent totals, allocations and filters
 * as Resources values.
 *
 * Entries keep insertion order. Agents hold a handful of entries, so linear
 * scans beat any hashing here; the allocator benchmark runs these
 * operations tens of thousands of times per allocation round.
 */
import { InvalidResourceError } from './errors.js';
import { type ResourceJson, resourceToJson } from './json.js';
import {
  type Reservation,
  ReservationType,
  type Resource,
  ResourceType,
  formatResource,
  fromMilli,
  isEmptyResource,
  quantityMilli,
  sameKey,
  sameValue,
  stripped,
  withAllocationRole,
  withReservations,
  withValue,
} from './resource.js';
import { UNRESERVED_ROLE, isReservationUsableBy, roleError } from './roles.js';
import {
  addItems,
  addRanges,
  containsItems,
  containsRanges,
  subtractItems,
  subtractRanges,
} from './values.js';

function merge(a: Resource, b: Resource): Resource {
  switch (a.type) {
    case ResourceType.SCALAR:
      return withValue(a, a.milli + b.milli, a.ranges, a.items);
    case ResourceType.RANGES:
      return withValue(a, 0, addRanges(a.ranges, b.ranges), a.items);
    case ResourceType.SET:
      return withValue(a, 0, a.ranges, addItems(a.items, b.items));
  }
}

/** `a - b` for same-key resources; may return an empty resource. */
function minus(a: Resource, b: Resource): Resource {
  switch (a.type) {
    case ResourceType.SCALAR:
      return withValue(a, a.milli - b.milli, a.ranges, a.items);
    case ResourceType.RANGES:
      return withValue(a, 0, subtractRanges(a.ranges, b.ranges), a.items);
    case ResourceType.SET:
      return withValue(a, 0, a.ranges, subtractItems(a.items, b.items));
  }
}

function covers(a: Resource, b: Resource): boolean {
  switch (a.type) {
    case ResourceType.SCALAR:
      return a.milli >= b.milli;
    case ResourceType.RANGES:
      return containsRanges(a.ranges, b.ranges);
    case ResourceType.SET:
      return containsItems(a.items, b.items);
  }
}

function indexOfKey(list: readonly Resource[], r: Resource): number {
  for (let i = 0; i < list.length; i++) if (sameKey(list[i]!, r)) return i;
  return -1;
}

/** Add `r` into the mutable, normalized `list`. */
function addInto(list: Resource[], r: Resource): void {
  if (isEmptyResource(r)) return;
  const i = indexOfKey(list, r);
  if (i < 0) list.push(r);
  else list[i] = merge(list[i]!, r);
}

export class Resources implements Iterable<Resource> {
  static readonly EMPTY: Resources = new Resources([]);

  readonly #list: readonly Resource[];
  /** Cached: does any entry carry a reservation? */
  #reserved: boolean | undefined;
  /**
   * Set on the result of allocate() when the source had no allocation
   * roles: that source, so unallocate() can hand it back without copying.
   * Offers go out allocated and come back to be unallocated, so this saves
   * a copy per offer on the allocator's hot path.
   */
  #source: Resources | undefined;
  /** Single-slot cache of the last allocate(role) result. */
  #allocatedRole: string | undefined;
  #allocated: Resources | undefined;

  private constructor(list: readonly Resource[]) {
    this.#list = list;
  }

  /** Resources from any mix of resources and collections; merges and drops empties. */
  static of(...parts: (Resource | Iterable<Resource>)[]): Resources {
    const list: Resource[] = [];
    for (const part of parts) {
      if (isResource(part)) addInto(list, part);
      else for (const r of part) addInto(list, r);
    }
    return list.length === 0 ? Resources.EMPTY : new Resources(list);
  }

  get size(): number {
    return this.#list.length;
  }

  /**
   * The entries themselves (read-only): for hot loops that want an indexed
   * `for` instead of the iterator protocol.
   */
  get entries(): readonly Resource[] {
    return this.#list;
  }

  [Symbol.iterator](): Iterator<Resource> {
    return this.#list[Symbol.iterator]();
  }

  toArray(): Resource[] {
    return [...this.#list];
  }

  isEmpty(): boolean {
    return this.#list.length === 0;
  }

  add(other: Resources | Resource): Resources {
    if (other instanceof Resources) {
      if (other.#list.length === 0) return this;
      if (this.#list.length === 0) return other;
      const list = this.#list.slice();
      for (const r of other.#list) addInto(list, r);
      return new Resources(list);
    }
    if (isEmptyResource(other)) return this;
    const list = this.#list.slice();
    addInto(list, other);
    return new Resources(list);
  }

  /**
   * Remove `other` from this. Saturating, like Mesos: a resource that would
   * become empty or negative disappears, and parts of `other` that are not
   * here are ignored. `(a + b) - b` equals `a`.
   */
  subtract(other: Resources | Resource): Resources {
    if (other === this) return Resources.EMPTY;
    const others = other instanceof Resources ? other.#list : isEmptyResource(other) ? [] : [other];
    if (others.length === 0 || this.#list.length === 0) return this;
    let list: Resource[] | undefined;
    for (const o of others) {
      const current = list ?? this.#list;
      const i = indexOfKey(current, o);
      if (i < 0) continue;
      list ??= this.#list.slice();
      const left = minus(list[i]!, o);
      if (isEmptyResource(left)) list.splice(i, 1);
      else list[i] = left;
    }
    if (list === undefined) return this;
    return list.length === 0 ? Resources.EMPTY : new Resources(list);
  }

  /** True if `other` is a subset of this (same keys, values contained). */
  contains(other: Resources | Resource): boolean {
    if (other === this) return true;
    const others = other instanceof Resources ? other.#list : isEmptyResource(other) ? [] : [other];
    const list = this.#list;
    for (const o of others) {
      const i = indexOfKey(list, o);
      if (i < 0 || !covers(list[i]!, o)) return false;
    }
    return true;
  }

  equals(other: Resources): boolean {
    if (this === other) return true;
    const a = this.#list;
    const b = other.#list;
    if (a.length !== b.length) return false;
    for (const r of a) {
      const i = indexOfKey(b, r);
      if (i < 0 || !sameValue(b[i]!, r)) return false;
    }
    return true;
  }

  filter(predicate: (r: Resource) => boolean): Resources {
    const list = this.#list.filter(predicate);
    if (list.length === this.#list.length) return this;
    return list.length === 0 ? Resources.EMPTY : new Resources(list);
  }

  /** Entries named `name` (any reservation). */
  named(name: string): Resources {
    return this.filter((r) => r.name === name);
  }

  /** Entries reserved to exactly `role` (`*` gives the unreserved ones). */
  reservedTo(role: string): Resources {
    return this.filter((r) => r.role === role);
  }

  unreserved(): Resources {
    return this.reservedTo(UNRESERVED_ROLE);
  }

  /** Entries with any reservation. */
  reserved(): Resources {
    return this.filter((r) => r.role !== UNRESERVED_ROLE);
  }

  hasReservations(): boolean {
    if (this.#reserved === undefined) {
      this.#reserved = this.#list.some((r) => r.reservations.length > 0);
    }
    return this.#reserved;
  }

  /**
   * What a framework subscribed to `role` may be offered: unreserved
   * resources plus those reserved to `role` or one of its ancestors.
   */
  allocatableTo(role: string): Resources {
    if (!this.hasReservations()) return this;
    return this.filter((r) => isReservationUsableBy(r.role, role));
  }

  /** Sum of the scalar resources named `name` across all reservations, in units. */
  scalar(name: string): number {
    return fromMilli(this.scalarMilli(name));
  }

  scalarMilli(name: string): number {
    let milli = 0;
    for (const r of this.#list) if (r.name === name && r.type === ResourceType.SCALAR) milli += r.milli;
    return milli;
  }

  /** Mesos quantity of `name` in milli-units (ranges and sets: 1000 per element). */
  quantityMilli(name: string): number {
    let milli = 0;
    for (const r of this.#list) if (r.name === name) milli += quantityMilli(r);
    return milli;
  }

  /** Distinct names, in entry order. */
  names(): string[] {
    return [...new Set(this.#list.map((r) => r.name))];
  }

  /** Scalar totals in milli-units by name, ignoring reservations and allocation. */
  scalarTotals(): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.#list) {
      if (r.type === ResourceType.SCALAR) out.set(r.name, (out.get(r.name) ?? 0) + r.milli);
    }
    return out;
  }

  /**
   * Same values, unallocated and merged by name, ignoring reservations: the
   * totals by name. With a `role` other than `*`, everything becomes a
   * static reservation to that role (Mesos `Resources::flatten(role)`).
   */
  flatten(role: string = UNRESERVED_ROLE): Resources {
    if (role === UNRESERVED_ROLE) {
      let changed = false;
      for (const r of this.#list) {
        if (r.reservations.length > 0 || r.allocationRole !== undefined) {
          changed = true;
          break;
        }
      }
      if (!changed) return this;
      return Resources.of(this.#list.map(stripped));
    }
    const err = roleError(role);
    if (err !== undefined) throw new InvalidResourceError(`Invalid reservation: ${err}`);
    const reservations: readonly Reservation[] = [{ type: ReservationType.STATIC, role }];
    return Resources.of(this.#list.map((r) => withReservations(stripped(r), reservations)));
  }

  /** Every entry marked as allocated to `role`. */
  allocate(role: string): Resources {
    if (this.#allocatedRole === role && this.#allocated !== undefined) return this.#allocated;
    let same = true;
    let unallocated = true;
    for (const r of this.#list) {
      if (r.allocationRole !== role) same = false;
      if (r.allocationRole !== undefined) unallocated = false;
    }
    if (same) return this;
    if (!unallocated) return Resources.of(this.#list.map((r) => withAllocationRole(r, role)));
    // Keys stay distinct when every entry goes from no role to the same role: no merging needed.
    const out = new Resources(this.#list.map((r) => withAllocationRole(r, role)));
    out.#reserved = this.#reserved;
    out.#source = this;
    // An offer declined is usually offered again as the very same object.
    this.#allocatedRole = role;
    this.#allocated = out;
    return out;
  }

  /** Every entry with its allocation role cleared. */
  unallocate(): Resources {
    if (this.#source !== undefined) return this.#source;
    const list = this.#list;
    if (list.length === 0 || list[0]!.allocationRole === undefined && list.every((r) => r.allocationRole === undefined)) {
      return this;
    }
    const role = list[0]!.allocationRole;
    if (role !== undefined && list.every((r) => r.allocationRole === role)) {
      const out = new Resources(list.map((r) => withAllocationRole(r, undefined)));
      out.#reserved = this.#reserved;
      return out;
    }
    return Resources.of(list.map((r) => withAllocationRole(r, undefined)));
  }

  /** Allocation roles present (undefined stands for unallocated entries). */
  allocationRoles(): Set<string | undefined> {
    return new Set(this.#list.map((r) => r.allocationRole));
  }

  /** Mesos text form: `cpus:2;mem:1024;ports:[31000-32000];disk(ops):10`. */
  toString(): string {
    return this.#list.map(formatResource).join(';');
  }

  /** Array of Mesos Resource JSON objects (post-refinement format). */
  toJSON(): ResourceJson[] {
    return this.#list.map(resourceToJson);
  }
}

function isResource(x: Resource | Iterable<Resource>): x is Resource {
  return typeof (x as Resource).name === 'string' && typeof (x as Resource).type === 'string';
}
