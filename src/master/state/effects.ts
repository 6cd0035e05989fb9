/**
 * What the master core decides and the I/O edges carry out. The core never
 * writes to a socket; it appends effects, and master.ts drains them.
 */
import type { Event as SchedulerEvent } from '../../protocol/gen/mesos/v1/scheduler/scheduler_pb.js';
import type { AgentEvent } from '../../protocol/gen/mesoscale/internal/agent_link_pb.js';

export type Effect =
  /** Send an event on the framework's current subscription stream (dropped if none). */
  | { readonly kind: 'framework-event'; readonly frameworkId: string; readonly event: SchedulerEvent }
  /**
   * Close one framework subscription stream (failover, teardown, disconnect),
   * writing `finalEvent` (an ERROR) on that very stream first.
   */
  | { readonly kind: 'framework-close'; readonly frameworkId: string; readonly streamId: string; readonly finalEvent?: SchedulerEvent }
  /** Send an event on an agent's link stream (dropped if it is gone). */
  | { readonly kind: 'agent-event'; readonly agentId: string; readonly event: AgentEvent }
  /** Close an agent's link stream. */
  | { readonly kind: 'agent-close'; readonly agentId: string; readonly streamId: string };
