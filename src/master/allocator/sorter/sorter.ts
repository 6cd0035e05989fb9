/**
 * The Sorter interface (Mesos `sorter/sorter.hpp`): orders clients (roles,
 * or frameworks within a role) by how much they hold. A plain data
 * structure: no I/O, no clock.
 */
import { type Resources, ResourceType } from '../../../resources/index.js';

export interface Sorter<T = undefined> {
  /** Add an inactive client, with an optional payload for findInOrder visitors. */
  add(client: string, data?: T): void;
  /** Forget a client and its allocation. */
  remove(client: string): void;
  contains(client: string): boolean;
  /** Include the client in sort(). */
  activate(client: string): void;
  /** Leave the client out of sort() (its allocation still counts). */
  deactivate(client: string): void;
  isActive(client: string): boolean;
  updateWeight(client: string, weight: number): void;
  /** Record that `client` was given `resources` (only scalars matter for DRF). */
  allocated(client: string, resources: Resources): void;
  /** Record that `client` gave `resources` back. */
  unallocated(client: string, resources: Resources): void;
  /**
   * Active clients, the one that should be offered first at index 0. The
   * array belongs to the sorter: read it before the next call to sort().
   */
  sort(): readonly string[];
  /**
   * Visit active clients in sort() order until `visit` returns true and
   * return that client (undefined if none). Same order as sort() without
   * building an array; what `visit` changes in this sorter applies from the
   * next call.
   */
  findInOrder(visit: (client: string, data: T) => boolean): string | undefined;
  /** The client's current share (what sort() orders by). */
  share(client: string): number;
  /** Scalar quantities held by `client`, milli-units by name. */
  allocation(client: string): ReadonlyMap<string, number>;
  /** Number of clients, active or not. */
  readonly size: number;
}

/**
 * Cluster-wide scalar totals (milli-units by resource name), the
 * denominator of every DRF share. One instance is shared by the role sorter
 * and every framework sorter: adding an agent updates it once instead of
 * once per sorter, and `version` tells each sorter that its shares are stale.
 */
export class ScalarTotals {
  readonly #milli = new Map<string, number>();
  #version = 0;
  #names: string[] = [];
  #values: number[] = [];

  get version(): number {
    return this.#version;
  }

  add(resources: Resources): void {
    this.#apply(resources, 1);
  }

  subtract(resources: Resources): void {
    this.#apply(resources, -1);
  }

  get(name: string): number {
    return this.#milli.get(name) ?? 0;
  }

  /** Parallel arrays of names and positive totals, rebuilt when totals change. */
  get names(): readonly string[] {
    return this.#names;
  }

  get values(): readonly number[] {
    return this.#values;
  }

  entries(): [string, number][] {
    return [...this.#milli];
  }

  #apply(resources: Resources, sign: 1 | -1): void {
    let changed = false;
    for (const r of resources) {
      if (r.type !== ResourceType.SCALAR) continue;
      const next = (this.#milli.get(r.name) ?? 0) + sign * r.milli;
      if (next > 0) this.#milli.set(r.name, next);
      else this.#milli.delete(r.name);
      changed = true;
    }
    if (!changed) return;
    this.#version++;
    this.#names = [...this.#milli.keys()];
    this.#values = [...this.#milli.values()];
  }
}
