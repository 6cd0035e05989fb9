/**
 * Dominant Resource Fairness sorter (Mesos `sorter/drf/sorter.cpp`).
 *
 * share(client) = max over scalar resource names of
 *                 allocated(client, name) / clusterTotal(name), divided by weight.
 * Ties: fewer allocations first (each allocated() call counts one), then
 * client name. The comparison is a total order, so the sorted order is
 * unique and every path below yields the same result as a full sort.
 *
 * Laziness, as Mesos does it, plus one refinement:
 *  - When everything may have changed (cluster totals, first use), a dirty
 *    flag makes the next sort() recompute every share and sort from scratch.
 *  - When single clients change (allocated, unallocated, weight), they are
 *    queued; the next sort() or findInOrder() moves just those clients to
 *    their new place. An allocation round changes one client per agent, so
 *    this turns a full sort per agent into O(log n) plus a short splice in
 *    a SortedBlockList.
 *
 * Invariant when not dirty: `#order` holds exactly the active clients,
 * sorted by each client's *stored* key (`key*` fields), which only changes
 * when the client is re-placed, so a queued client can still be found.
 */
import { type Resources, ResourceType } from '../../../resources/index.js';
import { InvariantError } from '../../../lib/errors.js';
import { SortedBlockList } from './sorted-block-list.js';
import type { ScalarTotals, Sorter } from './sorter.js';

class Client<T> {
  readonly name: string;
  /** Caller's payload, handed to findInOrder visitors (saves a lookup by name). */
  readonly data: T;
  weight = 1;
  active = false;
  /** Scalar allocation, milli-units by resource name. */
  readonly allocation = new Map<string, number>();
  /** Number of allocated() calls; DRF tie-breaker. */
  count = 0;
  /** Key the client is currently placed with in `#order`. */
  keyShare = 0;
  keyCount = 0;
  /** Position of `name` among all client names: the last tie-breaker, as a number. */
  nameRank = 0;
  queued = false;
  constructor(name: string, data: T) {
    this.name = name;
    this.data = data;
  }
}

function compare(a: Client<unknown>, b: Client<unknown>): number {
  if (a.keyShare !== b.keyShare) return a.keyShare < b.keyShare ? -1 : 1;
  if (a.keyCount !== b.keyCount) return a.keyCount - b.keyCount;
  return a.nameRank - b.nameRank;
}

export interface DrfSorterOptions {
  /** Resource names left out of share calculations (`--fair_sharing_excluded_resource_names`). */
  excludedResourceNames?: Iterable<string>;
}

export class DrfSorter<T = undefined> implements Sorter<T> {
  readonly #totals: ScalarTotals;
  readonly #excluded: ReadonlySet<string>;
  readonly #clients = new Map<string, Client<T>>();
  /** Active clients in sorted order (by stored key); meaningless while dirty. */
  readonly #order = new SortedBlockList<Client<T>>(compare);
  /** Materialized names for sort(); undefined when stale. */
  #names: string[] | undefined;
  #dirty = true;
  /** Name ranks are stale (a client was added); refreshed before any ordered operation. */
  #ranksStale = false;
  #seenVersion = -1;
  #queue: Client<T>[] = [];

  constructor(totals: ScalarTotals, options: DrfSorterOptions = {}) {
    this.#totals = totals;
    this.#excluded = new Set(options.excludedResourceNames ?? []);
  }

  get size(): number {
    return this.#clients.size;
  }

  add(name: string, data?: T): void {
    if (this.#clients.has(name)) throw new InvariantError(`sorter already has client '${name}'`);
    this.#clients.set(name, new Client(name, data as T));
    this.#ranksStale = true;
  }

  remove(name: string): void {
    const c = this.#get(name);
    if (c.active) this.deactivate(name);
    this.#clients.delete(name);
  }

  contains(name: string): boolean {
    return this.#clients.has(name);
  }

  activate(name: string): void {
    const c = this.#get(name);
    if (c.active) return;
    c.active = true;
    this.#names = undefined;
    if (this.#dirty) return; // the rebuild picks it up
    this.#rankNames();
    c.keyShare = this.#computeShare(c);
    c.keyCount = c.count;
    this.#order.insert(c);
  }

  deactivate(name: string): void {
    const c = this.#get(name);
    if (!c.active) return;
    c.active = false;
    this.#names = undefined;
    if (this.#dirty) return;
    if (!this.#order.remove(c)) throw new InvariantError(`sorter lost track of client '${c.name}'`);
  }

  isActive(name: string): boolean {
    return this.#get(name).active;
  }

  updateWeight(name: string, weight: number): void {
    const c = this.#get(name);
    if (c.weight === weight) return;
    c.weight = weight;
    this.#touch(c);
  }

  allocated(name: string, resources: Resources): void {
    const c = this.#get(name);
    const entries = resources.entries;
    for (let i = 0; i < entries.length; i++) {
      const r = entries[i]!;
      if (r.type !== ResourceType.SCALAR) continue;
      c.allocation.set(r.name, (c.allocation.get(r.name) ?? 0) + r.milli);
    }
    c.count++;
    this.#touch(c);
  }

  unallocated(name: string, resources: Resources): void {
    const c = this.#get(name);
    const entries = resources.entries;
    for (let i = 0; i < entries.length; i++) {
      const r = entries[i]!;
      if (r.type !== ResourceType.SCALAR) continue;
      const left = (c.allocation.get(r.name) ?? 0) - r.milli;
      if (left > 0) c.allocation.set(r.name, left);
      else c.allocation.delete(r.name);
    }
    this.#touch(c);
  }

  sort(): readonly string[] {
    this.#refresh();
    this.#names ??= this.#order.toArray().map((c) => c.name);
    return this.#names;
  }

  /**
   * Visit active clients in sort order until `visit` returns true; returns
   * that client, or undefined. The allocator's hot path: no array is built.
   * Changes made by `visit` to this sorter apply from the next call.
   */
  findInOrder(visit: (client: string, data: T) => boolean): string | undefined {
    this.#refresh();
    return this.#order.find((c) => visit(c.name, c.data))?.name;
  }

  share(name: string): number {
    return this.#computeShare(this.#get(name));
  }

  allocation(name: string): ReadonlyMap<string, number> {
    return this.#get(name).allocation;
  }

  weight(name: string): number {
    return this.#get(name).weight;
  }

  /** Share ignoring the weight: the plain dominant share. */
  dominantShare(name: string): number {
    const c = this.#get(name);
    return this.#computeShare(c) * c.weight;
  }

  /** Bring `#order` up to date: full rebuild when dirty, else re-place queued clients. */
  #refresh(): void {
    this.#rankNames();
    if (this.#seenVersion !== this.#totals.version) {
      this.#dirty = true;
      this.#seenVersion = this.#totals.version;
    }
    if (this.#dirty) {
      const active: Client<T>[] = [];
      for (const c of this.#clients.values()) {
        c.queued = false;
        if (!c.active) continue;
        c.keyShare = this.#computeShare(c);
        c.keyCount = c.count;
        active.push(c);
      }
      active.sort(compare);
      this.#order.reset(active);
      this.#queue = [];
      this.#names = undefined;
      this.#dirty = false;
      return;
    }
    if (this.#queue.length === 0) return;
    const queue = this.#queue;
    this.#queue = [];
    for (const c of queue) {
      c.queued = false;
      if (!c.active) continue;
      const share = this.#computeShare(c);
      if (share === c.keyShare && c.count === c.keyCount) continue;
      if (this.#order.size === 1) {
        // Alone in the order (e.g. the only framework of a role): nowhere to move.
        c.keyShare = share;
        c.keyCount = c.count;
        continue;
      }
      if (!this.#order.remove(c)) throw new InvariantError(`sorter lost track of client '${c.name}'`);
      c.keyShare = share;
      c.keyCount = c.count;
      this.#order.insert(c);
      this.#names = undefined;
    }
  }

  /**
   * Give every client its rank in name order. Ranks keep the relative
   * order of existing clients, so `#order` stays sorted; only additions
   * make them stale (O(n log n), once per batch of additions).
   */
  #rankNames(): void {
    if (!this.#ranksStale) return;
    const all = [...this.#clients.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (let i = 0; i < all.length; i++) all[i]!.nameRank = i;
    this.#ranksStale = false;
  }

  #get(name: string): Client<T> {
    const c = this.#clients.get(name);
    if (c === undefined) throw new InvariantError(`sorter has no client '${name}'`);
    return c;
  }

  #touch(c: Client<T>): void {
    if (this.#dirty || c.queued || !c.active) return;
    c.queued = true;
    this.#queue.push(c);
  }

  #computeShare(c: Client<T>): number {
    if (c.allocation.size === 0) return 0;
    const names = this.#totals.names;
    const totals = this.#totals.values;
    let share = 0;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (this.#excluded.size > 0 && this.#excluded.has(name)) continue;
      const allocated = c.allocation.get(name);
      if (allocated === undefined) continue;
      const ratio = allocated / totals[i]!;
      if (ratio > share) share = ratio;
    }
    return share / c.weight;
  }
}
