/**
 * Bridges between protobuf `mesos.v1.Resource` messages and the pure resource
 * model in src/resources. The model speaks Mesos' JSON shape, so the bridge goes
 * through it; this keeps one parser of resource semantics (roles, reservations,
 * validation) instead of two.
 */
import { create } from '@bufbuild/protobuf';
import { ResourceSchema, type Resource as ResourceProto } from './gen/mesos/v1/mesos_pb.js';
import { fromMesosJson, toMesosJson } from './codec/json.js';
import { parseResourcesJson, Resources } from '../resources/index.js';

/** Throws ResourcesParseError (a MesoscaleError) for invalid resources. */
export function resourcesFromProto(list: readonly ResourceProto[]): Resources {
  if (list.length === 0) return Resources.EMPTY;
  return parseResourcesJson(list.map((r) => toMesosJson(ResourceSchema, r)));
}

export function resourcesToProto(resources: Resources): ResourceProto[] {
  return resources.toJSON().map((json) => fromMesosJson(ResourceSchema, json));
}

export function emptyResource(): ResourceProto {
  return create(ResourceSchema, {});
}
