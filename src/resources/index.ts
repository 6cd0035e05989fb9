/**
 * Public surface of the resource model: plain data, no I/O, no protobuf.
 * Other components import from here, never from the files behind it.
 */
export { ResourcesErrorCode, ResourcesParseError, AttributesParseError, InvalidResourceError } from './errors.js';
export {
  ResourceType,
  ReservationType,
  type Label,
  type Reservation,
  type Resource,
  type ResourceOptions,
  MILLI,
  toMilli,
  fromMilli,
  formatMilli,
  scalarResource,
  scalarResourceMilli,
  rangesResource,
  setResource,
  formatResource,
  quantityMilli,
} from './resource.js';
export { Resources } from './resources.js';
export { type ResourceJson, type ReservationJson, resourceToJson } from './json.js';
export { type ParseResourcesOptions, parseResourcesText } from './parse-text.js';
export { parseResourcesJson, parseResources } from './parse-json.js';
export {
  type ResourceQuantity,
  type MinAllocatableSet,
  DEFAULT_MIN_ALLOCATABLE_RESOURCES,
  parseMinAllocatableResources,
  formatMinAllocatableResources,
  isAllocatable,
} from './min-allocatable.js';
export {
  type Attribute,
  type AttributeJson,
  parseAttributes,
  formatAttributes,
  attributeToJson,
  attributesToLegacyJson,
} from './attributes.js';
export { UNRESERVED_ROLE, roleError, isValidRole, isReservationUsableBy } from './roles.js';
export { type FlatRanges, rangePairs, rangesCount } from './values.js';
