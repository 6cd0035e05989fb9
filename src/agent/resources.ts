/**
 * The agent's total resources (`--resources` plus auto-detection, reference
 * mesos-flags.md section 5) and the conversions between the pure resource
 * model (src/resources) and protobuf `Resource` / `Attribute` messages.
 *
 * Conversions go through Mesos' JSON form, which both sides already speak:
 * the model writes and reads Resource JSON, the codec maps it to protobuf.
 */
import { availableParallelism, totalmem } from 'node:os';
import { statfsSync } from 'node:fs';

import { create, type MessageShape } from '@bufbuild/protobuf';
import {
  type Attribute,
  attributeToJson,
  parseResources,
  parseResourcesJson,
  rangesResource,
  Resources,
  scalarResource,
  fromMilli,
} from '../resources/index.js';
import { formatRanges } from '../resources/values.js';
import { fromMesosJson, toMesosJson } from '../protocol/codec/json.js';
import {
  AttributeSchema,
  ResourceSchema,
  type Attribute as AttributeProto,
  type Resource as ResourceProto,
} from '../protocol/gen/mesos/v1/mesos_pb.js';

const MB = 1024 * 1024;
const GB = 1024 * MB;

/** What auto-detection looks at; `undefined` when it could not be read. */
export interface HostFacts {
  readonly cpus: number | undefined;
  readonly memBytes: number | undefined;
  /** Size of the filesystem holding --work_dir. */
  readonly diskBytes: number | undefined;
}

export function readHostFacts(workDir: string): HostFacts {
  let diskBytes: number | undefined;
  try {
    const fs = statfsSync(workDir);
    diskBytes = fs.blocks * fs.bsize;
  } catch {
    diskBytes = undefined;
  }
  return { cpus: availableParallelism(), memBytes: totalmem(), diskBytes };
}

/** Mesos' rule: RAM − 1 GB when RAM ≥ 2 GB, else half; fallback 1 GB; in MB, truncated. */
export function detectedMemMb(memBytes: number | undefined): number {
  if (memBytes === undefined || memBytes <= 0) return 1024;
  return Math.floor((memBytes >= 2 * GB ? memBytes - GB : memBytes / 2) / MB);
}

/** Mesos' rule: size − 5 GB when size ≥ 10 GB, else half; fallback 10 GB; in MB, truncated. */
export function detectedDiskMb(diskBytes: number | undefined): number {
  if (diskBytes === undefined || diskBytes <= 0) return 10 * 1024;
  return Math.floor((diskBytes >= 10 * GB ? diskBytes - 5 * GB : diskBytes / 2) / MB);
}

export const DEFAULT_PORTS: readonly [number, number] = [31000, 32000];

/**
 * `--resources` (text or JSON) with `cpus`, `mem`, `disk` and `ports` added
 * from `facts` when not named (presence by name: `cpus:0` disables detection).
 * Pure; throws ResourcesParseError for a bad `--resources`.
 */
export function agentTotalResources(text: string | undefined, defaultRole: string, facts: HostFacts): Resources {
  let total = text === undefined ? Resources.EMPTY : parseResources(text, { defaultRole });
  // By name, not by value: `cpus:0` parses to nothing but still disables detection.
  const named = new Set([...total.names(), ...(text === undefined ? [] : resourceNames(text))]);
  const role = { role: defaultRole };
  const detected = [];
  if (!named.has('cpus')) detected.push(scalarResource('cpus', facts.cpus ?? 1, role));
  if (!named.has('mem')) detected.push(scalarResource('mem', detectedMemMb(facts.memBytes), role));
  if (!named.has('disk')) detected.push(scalarResource('disk', detectedDiskMb(facts.diskBytes), role));
  if (!named.has('ports')) detected.push(rangesResource('ports', [DEFAULT_PORTS], role));
  total = total.add(Resources.of(detected));
  return total;
}

/** Names mentioned in a `--resources` value (text or JSON form), valid or not. */
function resourceNames(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const json = JSON.parse(trimmed) as unknown;
      return Array.isArray(json) ? json.map((r) => (r as { name?: unknown })?.name).filter((n): n is string => typeof n === 'string') : [];
    } catch {
      return [];
    }
  }
  return trimmed.split(';').map((piece) => piece.split(':')[0]!.replace(/\(.*$/, '').trim()).filter((n) => n !== '');
}

// ---------------------------------------------------------------- protobuf

export function toProtoResources(resources: Resources): ResourceProto[] {
  return resources.toJSON().map((json) => fromMesosJson(ResourceSchema, json));
}

export function fromProtoResources(resources: readonly ResourceProto[]): Resources {
  return parseResourcesJson(resources.map((r) => toMesosJson(ResourceSchema, r)));
}

export function toProtoAttributes(attributes: readonly Attribute[]): AttributeProto[] {
  return attributes.map((a) => fromMesosJson(AttributeSchema, attributeToJson(a)));
}

/** `cpus` + `mem` scalars as protobuf, for the command executor's overhead. */
export function scalarProto(name: string, value: number): MessageShape<typeof ResourceSchema> {
  return create(ResourceSchema, { name, type: 0, scalar: { value } });
}

/**
 * Mesos' legacy JSON model of Resources (`/state` `resources`): scalars summed
 * by name, ranges as `[a-b,c-d]`, sets as `{a,b}`. Reservations are folded in.
 */
export function legacyResourcesJson(resources: Resources): Record<string, number | string> {
  const scalars = new Map<string, number>();
  const ranges = new Map<string, [number, number][]>();
  const sets = new Map<string, Set<string>>();
  for (const r of resources) {
    if (r.type === 'SCALAR') scalars.set(r.name, (scalars.get(r.name) ?? 0) + r.milli);
    else if (r.type === 'RANGES') ranges.set(r.name, [...(ranges.get(r.name) ?? []), ...pairs(r.ranges)]);
    else sets.set(r.name, new Set([...(sets.get(r.name) ?? []), ...r.items]));
  }
  const out: Record<string, number | string> = {};
  // Mesos always shows the standard scalars, 0 when absent.
  for (const name of ['cpus', 'disk', 'gpus', 'mem']) out[name] = 0;
  for (const [name, milli] of scalars) out[name] = fromMilli(milli);
  for (const [name, list] of ranges) out[name] = formatRanges(rangesResource(name, list).ranges);
  for (const [name, items] of sets) out[name] = `{${[...items].sort().join(',')}}`;
  return out;
}

function pairs(flat: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}
