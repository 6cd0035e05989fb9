/**
 * Container states as Mesos' containerizer logs them
 * ("Transitioning the state of container X from PREPARING to ISOLATING").
 *
 *   PROVISIONING ──► PREPARING ──► ISOLATING ──► FETCHING ──► RUNNING
 *        │               │              │            │            │
 *        └───────────────┴──────────────┴────────────┴────────────┴──► DESTROYING
 *
 * PROVISIONING (the image's rootfs is being built) belongs to the agent's
 * containerizer, which calls the runtime afterwards; the runtime enters at
 * PREPARING. FETCHING is the agent's fetcher, run from the runtime's
 * `beforeStart` hook while the container's cgroups exist but nothing runs.
 * Recovered containers enter at RUNNING. DESTROYING is terminal.
 */
import { ContainerStateError } from '../isolators/errors.js';

export const ContainerState = {
  PROVISIONING: 'PROVISIONING',
  PREPARING: 'PREPARING',
  ISOLATING: 'ISOLATING',
  FETCHING: 'FETCHING',
  RUNNING: 'RUNNING',
  DESTROYING: 'DESTROYING',
} as const;
export type ContainerState = (typeof ContainerState)[keyof typeof ContainerState];

const NEXT: Readonly<Record<ContainerState, readonly ContainerState[]>> = {
  PROVISIONING: ['PREPARING', 'DESTROYING'],
  PREPARING: ['ISOLATING', 'DESTROYING'],
  ISOLATING: ['FETCHING', 'DESTROYING'],
  FETCHING: ['RUNNING', 'DESTROYING'],
  RUNNING: ['DESTROYING'],
  DESTROYING: [],
};

export function canTransition(from: ContainerState, to: ContainerState): boolean {
  return NEXT[from].includes(to);
}

/** Returns `to`, or throws ContainerStateError (a bug: callers only follow the diagram). */
export function transition(containerId: string, from: ContainerState, to: ContainerState): ContainerState {
  if (!canTransition(from, to)) throw new ContainerStateError(containerId, from, to);
  return to;
}
