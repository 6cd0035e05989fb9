/**
 * Matching what a task needs against what an offer holds, using the shared
 * resource model (fixed-point scalars, ranges, sets, reservations) rather
 * than ad-hoc arithmetic on protobufs. Protobuf Resources cross into the model
 * through Mesos JSON, the one format both sides already speak.
 */
import { fromMesosJson, toMesosJson } from '../protocol/codec/json.js';
import { ResourceSchema, type Offer, type Resource } from '../protocol/gen/mesos/v1/mesos_pb.js';
import { parseResourcesJson, type Resources } from '../resources/index.js';

export function resourcesFromProtos(protos: readonly Resource[]): Resources {
  return parseResourcesJson(protos.map((r) => toMesosJson(ResourceSchema, r)));
}

export function resourcesToProtos(resources: Resources): Resource[] {
  return resources.toJSON().map((json) => fromMesosJson(ResourceSchema, json));
}

/** The role an offer was made for (Offer.allocation_info, or its resources' for older masters). */
export function offerRole(offer: Offer): string | undefined {
  return offer.allocationInfo?.role ?? offer.resources.find((r) => r.allocationInfo !== undefined)?.allocationInfo?.role;
}

/** Whether `offer` holds at least `wanted` (allocation aside: an offer's resources are all allocated to its role). */
export function offerFits(offer: Offer, wanted: Resources): boolean {
  return resourcesFromProtos(offer.resources).unallocate().contains(wanted.unallocate());
}

/**
 * The task's resources to launch on `offer`: `wanted`, allocated to the
 * offer's role as a multi-role scheduler must (the master would fill it in
 * for single-role ones).
 */
export function taskResourcesFor(offer: Offer, wanted: Resources): Resource[] {
  const role = offerRole(offer);
  return resourcesToProtos(role === undefined ? wanted : wanted.unallocate().allocate(role));
}

/** The agent's base URL from Offer.url (`http://ip:port`), if the master sent one. */
export function agentUrlOf(offer: Offer): string | undefined {
  const url = offer.url;
  const address = url?.address;
  if (url === undefined || address === undefined || address.port === 0) return undefined;
  const host = address.ip !== '' ? address.ip : address.hostname;
  const scheme = url.scheme === '' ? 'http' : url.scheme;
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}
