/**
 * Mesos Resource JSON (stout mapping of `mesos.v1.Resource`), as plain
 * objects. Parsing lives in parse-json.ts; this file only writes.
 */
import { type Reservation, type Resource, ResourceType, fromMilli } from './resource.js';
import { rangePairs } from './values.js';

export interface ReservationJson {
  type?: 'STATIC' | 'DYNAMIC' | 'UNKNOWN';
  role?: string;
  principal?: string;
  labels?: { labels?: { key: string; value?: string }[] };
}

export interface ResourceJson {
  name: string;
  type: 'SCALAR' | 'RANGES' | 'SET';
  scalar?: { value: number };
  ranges?: { range: { begin: number; end: number }[] };
  set?: { item: string[] };
  /** Pre-refinement reservation role (deprecated in Mesos, still accepted). */
  role?: string;
  /** Pre-refinement dynamic reservation info. */
  reservation?: { principal?: string; labels?: ReservationJson['labels'] };
  /** Post-refinement reservation stack. */
  reservations?: ReservationJson[];
  allocation_info?: { role?: string };
}

function reservationToJson(r: Reservation): ReservationJson {
  const out: ReservationJson = { type: r.type, role: r.role };
  if (r.principal !== undefined) out.principal = r.principal;
  if (r.labels !== undefined && r.labels.length > 0) {
    out.labels = { labels: r.labels.map((l) => (l.value === undefined ? { key: l.key } : { key: l.key, value: l.value })) };
  }
  return out;
}

/** Post-refinement JSON (`reservations` stack, `allocation_info`). */
export function resourceToJson(r: Resource): ResourceJson {
  const out: ResourceJson = { name: r.name, type: r.type };
  switch (r.type) {
    case ResourceType.SCALAR:
      out.scalar = { value: fromMilli(r.milli) };
      break;
    case ResourceType.RANGES:
      out.ranges = { range: rangePairs(r.ranges).map(([begin, end]) => ({ begin, end })) };
      break;
    case ResourceType.SET:
      out.set = { item: [...r.items] };
      break;
  }
  if (r.reservations.length > 0) out.reservations = r.reservations.map(reservationToJson);
  if (r.allocationRole !== undefined) out.allocation_info = { role: r.allocationRole };
  return out;
}
