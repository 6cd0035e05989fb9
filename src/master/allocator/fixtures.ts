/**
 * Shared fixtures for the allocator's behaviour tests (not a test file).
 */
import { ManualClock } from '../../lib/clock.js';
import { SeededRng } from '../../lib/rng.js';
import { type Resources, parseResourcesText } from '../../resources/index.js';
import { type AllocatorOptions, type HierarchicalAllocator, type OfferDecision, createAllocator } from './index.js';

export const R = (text: string): Resources => parseResourcesText(text);
export const AGENT = 'cpus:4;mem:1024';

/** An allocator on a manual clock at 0, seed 7, 1 s allocation interval. */
export function setup(options: Partial<AllocatorOptions> = {}): { clock: ManualClock; a: HierarchicalAllocator } {
  const clock = new ManualClock(0);
  const a = createAllocator({ clock, rng: new SeededRng(7), allocationIntervalMs: 1000, ...options });
  return { clock, a };
}

/** Agents `agent-0` .. `agent-<n-1>`, each with `resources`. */
export function addAgents(a: HierarchicalAllocator, n: number, resources = AGENT): void {
  for (let i = 0; i < n; i++) a.addAgent(`agent-${i}`, { total: R(resources) });
}

export function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

export const byFramework = (d: OfferDecision): string => d.frameworkId;

/** Decline everything offered, with a filter of `refuseSeconds`. */
export function declineAll(a: HierarchicalAllocator, decisions: OfferDecision[], refuseSeconds?: number): void {
  for (const d of decisions) a.recoverResources(d.frameworkId, d.agentId, d.resources, refuseSeconds);
}
