/**
 * `--min_allocatable_resources`: the smallest offer worth making.
 *
 *     cpus:0.01|mem:32          either 0.01 cpus or 32 MB of memory
 *     cpus:1;mem:128|gpus:1     (1 cpu and 128 MB) or 1 gpu
 *
 * `;` joins quantities that must all be met (AND), `|` separates
 * alternatives (OR). Quantities ignore reservations; for RANGES and SET
 * resources the quantity is the number of elements (`ports:10` = ten ports).
 */
import { ResourcesParseError } from './errors.js';
import { MILLI, toMilli } from './resource.js';
import type { Resources } from './resources.js';
import { parseNonNegativeNumber } from './parse-text.js';

export interface ResourceQuantity {
  readonly name: string;
  /** Quantity in milli-units. */
  readonly milli: number;
}

/** Quantities that must all be present (AND). */
export type MinAllocatableSet = readonly ResourceQuantity[];

export const DEFAULT_MIN_ALLOCATABLE_RESOURCES = 'cpus:0.01|mem:32';

const SUBJECT = 'min_allocatable_resources';

/** Parse the flag value. An empty value gives no sets: every non-empty offer is allocatable. */
export function parseMinAllocatableResources(text: string): MinAllocatableSet[] {
  const stripped = text.replace(/\s+/g, '');
  if (stripped.length === 0) return [];
  const sets: MinAllocatableSet[] = [];
  for (const alternative of stripped.split('|')) {
    if (alternative.length === 0) throw new ResourcesParseError(stripped, `empty alternative between '|'`, SUBJECT);
    const totals = new Map<string, number>();
    for (const piece of alternative.split(';')) {
      if (piece.length === 0) continue;
      const colon = piece.indexOf(':');
      if (colon <= 0 || colon === piece.length - 1 || piece.indexOf(':', colon + 1) >= 0) {
        throw new ResourcesParseError(piece, `expected name:quantity`, SUBJECT);
      }
      const name = piece.slice(0, colon);
      if (/[()[\]{},]/.test(name)) {
        throw new ResourcesParseError(piece, `'${name}' is not a plain resource name (no roles here)`, SUBJECT);
      }
      const value = parseNonNegativeNumber(piece.slice(colon + 1));
      if (typeof value === 'string') throw new ResourcesParseError(piece, value, SUBJECT);
      totals.set(name, (totals.get(name) ?? 0) + toMilli(value));
    }
    if (totals.size === 0) throw new ResourcesParseError(alternative, 'no quantities', SUBJECT);
    sets.push([...totals].map(([name, milli]) => ({ name, milli })));
  }
  return sets;
}

/** `cpus:0.01|mem:32` (round-trips through the parser). */
export function formatMinAllocatableResources(sets: readonly MinAllocatableSet[]): string {
  return sets.map((set) => set.map((q) => `${q.name}:${q.milli / MILLI}`).join(';')).join('|');
}

/**
 * True if `resources` is worth offering: non-empty and, when sets are given,
 * meeting every quantity of at least one set.
 */
export function isAllocatable(resources: Resources, minSets: readonly MinAllocatableSet[]): boolean {
  if (resources.isEmpty()) return false;
  if (minSets.length === 0) return true;
  for (const set of minSets) {
    let ok = true;
    for (const q of set) {
      if (resources.quantityMilli(q.name) < q.milli) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}
