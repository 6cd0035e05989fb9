/**
 * Decline filters ("refused offer filters", Mesos `RefusedOfferFilter`).
 *
 * When a framework declines (or does not use all of) an offer, the returned
 * resources are remembered for (framework, role, agent) until `expiresAt`.
 * While active, a filter suppresses a candidate offer on that agent only if
 * the candidate is a SUBSET of the refused resources: once the agent has
 * more free resources than were refused, it is offered again early.
 *
 * Timing (scheduler Filters.refuse_seconds):
 *   missing (undefined)              no filter (rescinds, task ends)
 *   0                                no filter
 *   negative, NaN, ±∞, unrepresentable   5 seconds (the default)
 *   more than 365 days               365 days
 * and a filter never expires before the next allocation cycle:
 * expiresAt = now + max(refuse, allocation interval). A filter is active
 * while now < expiresAt.
 *
 * Expiry is lazy: filters sit in a min-heap by expiry and are dropped at
 * the start of an allocation round (and before any count is reported).
 */
import type { Resources } from '../../resources/index.js';

export const DEFAULT_REFUSE_SECONDS = 5;
export const MAX_REFUSE_SECONDS = 365 * 24 * 60 * 60;
/** Mesos Duration is int64 nanoseconds; larger values are unrepresentable. */
const MAX_REPRESENTABLE_SECONDS = 9_223_372_036;

/**
 * Filter lifetime in milliseconds for a `refuse_seconds` value, or
 * undefined when no filter is installed.
 */
export function filterDurationMs(refuseSeconds: number | undefined, allocationIntervalMs: number): number | undefined {
  if (refuseSeconds === undefined || refuseSeconds === 0) return undefined;
  let seconds = refuseSeconds;
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_REPRESENTABLE_SECONDS) seconds = DEFAULT_REFUSE_SECONDS;
  if (seconds > MAX_REFUSE_SECONDS) seconds = MAX_REFUSE_SECONDS;
  return Math.max(seconds * 1000, allocationIntervalMs);
}

/** Where a filter lives: one (framework, role) pair's filters by agent id. */
export interface FilterOwner {
  readonly filters: Map<string, OfferFilter[]>;
  /** Active filter count, shared by all owners of one role (per-role metric). */
  readonly roleFilterCount: { value: number };
}

export interface OfferFilter {
  readonly owner: FilterOwner;
  readonly agentId: string;
  /** Refused resources, unallocated form. */
  readonly resources: Resources;
  readonly expiresAt: number;
  readonly seq: number;
  removed: boolean;
}

/** Is a candidate offer (unallocated form) refused by an active filter? */
export function isFiltered(owner: FilterOwner, agentId: string, candidate: Resources, now: number): boolean {
  const list = owner.filters.get(agentId);
  if (list === undefined) return false;
  for (const f of list) {
    if (f.expiresAt > now && f.resources.contains(candidate)) return true;
  }
  return false;
}

/**
 * All filters of one allocator: installs them on their owners, expires
 * them in time order and keeps the active counts (total, per role).
 */
export class OfferFilterStore {
  #heap: OfferFilter[] = [];
  /** Heap entries already removed (revive, agent removal), dropped lazily. */
  #dead = 0;
  #active = 0;
  #seq = 0;

  /** Active filters in total. */
  get size(): number {
    return this.#active;
  }

  add(owner: FilterOwner, agentId: string, resources: Resources, expiresAt: number): OfferFilter {
    const filter: OfferFilter = { owner, agentId, resources, expiresAt, seq: this.#seq++, removed: false };
    const list = owner.filters.get(agentId);
    if (list === undefined) owner.filters.set(agentId, [filter]);
    else list.push(filter);
    owner.roleFilterCount.value++;
    this.#active++;
    this.#push(filter);
    return filter;
  }

  /** Drop every filter with expiresAt <= now; returns how many. */
  expire(now: number): number {
    let n = 0;
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]!.expiresAt <= now) {
      const f = this.#pop();
      if (f.removed) {
        this.#dead--;
        continue;
      }
      this.#detach(f);
      n++;
    }
    return n;
  }

  /** Remove all filters of one (framework, role) pair (REVIVE, role removal). */
  clearOwner(owner: FilterOwner): void {
    for (const list of owner.filters.values()) for (const f of list) this.#release(f);
    owner.filters.clear();
    this.#compact();
  }

  /** Remove the filters of `owner` on one agent (agent removal). */
  clearOwnerAgent(owner: FilterOwner, agentId: string): void {
    const list = owner.filters.get(agentId);
    if (list === undefined) return;
    for (const f of list) this.#release(f);
    owner.filters.delete(agentId);
    this.#compact();
  }

  /** Take `f` off its owner and the counts (heap entry removed lazily). */
  /** Rebuild the heap without removed entries once they dominate it (long filters, many revives). */
  #compact(): void {
    if (this.#dead < 1024 || this.#dead * 2 < this.#heap.length) return;
    const live = this.#heap.filter((f) => !f.removed);
    this.#heap = [];
    this.#dead = 0;
    for (const f of live) this.#push(f);
  }

  #detach(f: OfferFilter): void {
    const list = f.owner.filters.get(f.agentId);
    if (list !== undefined) {
      const i = list.indexOf(f);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) f.owner.filters.delete(f.agentId);
    }
    this.#release(f, false);
  }

  /** Mark `f` removed; if it is still in the heap, the entry stays until popped or compacted. */
  #release(f: OfferFilter, inHeap = true): void {
    if (f.removed) return;
    f.removed = true;
    if (inHeap) this.#dead++;
    f.owner.roleFilterCount.value--;
    this.#active--;
  }

  #push(f: OfferFilter): void {
    const heap = this.#heap;
    heap.push(f);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (!before(f, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = f;
  }

  #pop(): OfferFilter {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const child = r < heap.length && before(heap[r]!, heap[l]!) ? r : l;
        if (!before(heap[child]!, last)) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function before(a: OfferFilter, b: OfferFilter): boolean {
  return a.expiresAt < b.expiresAt || (a.expiresAt === b.expiresAt && a.seq < b.seq);
}
