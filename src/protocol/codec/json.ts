/**
 * Mesos' JSON mapping for protobuf messages (stout's, not proto3 canonical JSON).
 *
 * Why not protobuf-es' own toJson/fromJson alone: Mesos clients expect
 * - int64/uint64 as JSON numbers (proto3 JSON writes strings),
 * - unset optional fields that declare a default to be written out,
 * - "true"/"false" strings accepted for bools, a lone value for a repeated field,
 * - numeric enum values rejected.
 * Output walks the descriptors ourselves; input is normalised to canonical JSON
 * and then parsed by protobuf-es, so base64, int64 and map handling stay theirs.
 * See shared/reference/mesos-http-api.md section 2.
 */
import {
  fromJson,
  type DescField,
  type DescMessage,
  type JsonValue,
  type MessageShape,
  ScalarType,
} from '@bufbuild/protobuf';
import { reflect, type ReflectMessage } from '@bufbuild/protobuf/reflect';
import { base64Encode } from '@bufbuild/protobuf/wire';
import { MesoscaleError } from '../../lib/errors.js';

export type JsonObject = { [key: string]: JsonValue };

/** Input that cannot become the requested message. Maps to HTTP 400. */
export class DecodeError extends MesoscaleError {
  constructor(message: string, cause?: unknown) {
    super('PROTOCOL_DECODE_FAILED', message, { httpStatus: 400, cause });
  }
}

// ---------------------------------------------------------------- output

export function toMesosJson<D extends DescMessage>(schema: D, message: MessageShape<D>): JsonObject {
  return writeMessage(reflect(schema, message));
}

function writeMessage(r: ReflectMessage): JsonObject {
  const out: JsonObject = {};
  for (const field of r.sortedFields) {
    if (!r.isSet(field)) {
      // stout writes an unset optional field whose declaration carries a default,
      // unless the field is deprecated (e.g. FrameworkInfo.role).
      if (field.fieldKind === 'scalar' || field.fieldKind === 'enum') {
        const def = field.getDefaultValue();
        if (def !== undefined && !field.deprecated && field.proto.defaultValue !== undefined && field.proto.defaultValue !== '') {
          out[field.name] = field.fieldKind === 'enum' ? enumName(field, def as number) : scalarToJson(field.scalar, def);
        }
      }
      continue;
    }
    out[field.name] = writeField(r, field);
  }
  return out;
}

function writeField(r: ReflectMessage, field: DescField): JsonValue {
  switch (field.fieldKind) {
    case 'scalar':
      return scalarToJson(field.scalar, r.get(field));
    case 'enum':
      return enumName(field, r.get(field) as number);
    case 'message':
      return writeMessage(r.get(field) as ReflectMessage);
    case 'list': {
      const list = r.get(field);
      const items: JsonValue[] = [];
      for (const item of list) {
        if (field.listKind === 'message') items.push(writeMessage(item as ReflectMessage));
        else if (field.listKind === 'enum') items.push(enumNameOf(field.enum.values, item as number));
        else items.push(scalarToJson(field.scalar, item));
      }
      return items;
    }
    case 'map': {
      const map = r.get(field);
      const obj: JsonObject = {};
      for (const [key, value] of map) {
        const k = String(key);
        if (field.mapKind === 'message') obj[k] = writeMessage(value as ReflectMessage);
        else if (field.mapKind === 'enum') obj[k] = enumNameOf(field.enum.values, value as number);
        else obj[k] = scalarToJson(field.scalar, value);
      }
      return obj;
    }
  }
}

function enumName(field: DescField & { fieldKind: 'enum' }, value: number): JsonValue {
  return enumNameOf(field.enum.values, value);
}

function enumNameOf(values: readonly { number: number; name: string }[], value: number): JsonValue {
  const v = values.find((e) => e.number === value);
  return v ? v.name : value;
}

function scalarToJson(type: ScalarType, value: unknown): JsonValue {
  switch (type) {
    case ScalarType.BYTES:
      return base64Encode(value as Uint8Array);
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return Number(value as bigint | string);
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT: {
      const n = value as number;
      if (Number.isFinite(n)) return n;
      return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
    }
    default:
      return value as JsonValue;
  }
}

// ---------------------------------------------------------------- input

/** Parse Mesos JSON (already JSON.parse'd) into a message, then check required fields. */
export function fromMesosJson<D extends DescMessage>(schema: D, json: unknown): MessageShape<D> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new DecodeError(`Expecting a JSON object for ${schema.typeName}`);
  }
  const normalized = normalizeMessage(schema, json as Record<string, unknown>, '');
  let message: MessageShape<D>;
  try {
    message = fromJson(schema, normalized, { ignoreUnknownFields: true });
  } catch (err) {
    throw new DecodeError(`Failed to convert JSON into ${schema.typeName} protobuf: ${(err as Error).message}`, err);
  }
  assertRequiredFields(schema, message);
  return message;
}

function normalizeMessage(desc: DescMessage, json: Record<string, unknown>, path: string): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(json)) {
    // stout matches proto field names exactly; other keys are ignored.
    const field = desc.fields.find((f) => f.name === key);
    if (field === undefined || value === null) continue;
    const where = path === '' ? key : `${path}.${key}`;
    const normalized = normalizeField(field, value, where);
    if (normalized !== undefined) out[field.name] = normalized;
  }
  return out;
}

function normalizeField(field: DescField, value: unknown, where: string): JsonValue | undefined {
  switch (field.fieldKind) {
    case 'scalar':
      return normalizeScalar(field.scalar, value, where);
    case 'enum':
      return normalizeEnum(field.enum.values, value, where);
    case 'message':
      return normalizeNested(field.message, value, where);
    case 'list': {
      if (!Array.isArray(value) && typeof value === 'object' && value !== null && field.listKind !== 'message') {
        throw new DecodeError(`Expecting an array or a single value for '${where}'`);
      }
      // stout accepts a lone value for a repeated field as a one-element list.
      const items = Array.isArray(value) ? value : [value];
      const out: JsonValue[] = [];
      items.forEach((item, i) => {
        const at = `${where}[${i}]`;
        const v =
          field.listKind === 'message'
            ? normalizeNested(field.message, item, at)
            : field.listKind === 'enum'
              ? normalizeEnum(field.enum.values, item, at)
              : normalizeScalar(field.scalar, item, at);
        if (v !== undefined) out.push(v);
      });
      return out;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw new DecodeError(`Expecting a JSON object for map field '${where}'`);
      }
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const at = `${where}.${k}`;
        const nv =
          field.mapKind === 'message'
            ? normalizeNested(field.message, v, at)
            : field.mapKind === 'enum'
              ? normalizeEnum(field.enum.values, v, at)
              : normalizeScalar(field.scalar, v, at);
        if (nv !== undefined) out[k] = nv;
      }
      return out;
    }
  }
}

function normalizeNested(desc: DescMessage, value: unknown, where: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DecodeError(`Expecting a JSON object for '${where}'`);
  }
  return normalizeMessage(desc, value as Record<string, unknown>, where);
}

function normalizeEnum(values: readonly { name: string }[], value: unknown, where: string): JsonValue | undefined {
  if (typeof value !== 'string') {
    throw new DecodeError(`Expecting a string (enum value name) for '${where}', got ${JSON.stringify(value)}`);
  }
  // An unknown name leaves the field unset, as stout does; a required enum is
  // then reported by the required-field check.
  return values.some((v) => v.name === value) ? value : undefined;
}

function normalizeScalar(type: ScalarType, value: unknown, where: string): JsonValue {
  if (type === ScalarType.BOOL) {
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new DecodeError(`Expecting a boolean for '${where}', got ${JSON.stringify(value)}`);
  }
  if (type === ScalarType.STRING || type === ScalarType.BYTES) {
    if (typeof value !== 'string') throw new DecodeError(`Expecting a string for '${where}', got ${JSON.stringify(value)}`);
    return value;
  }
  // Numeric: numbers and numeric strings are both accepted.
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    if (type === ScalarType.DOUBLE || type === ScalarType.FLOAT) {
      if (value === 'Infinity' || value === '-Infinity' || value === 'NaN') return value;
      const n = Number(value);
      if (Number.isFinite(n)) return n;
    } else if (/^-?\d+$/.test(value.trim())) {
      return value.trim();
    }
  }
  throw new DecodeError(`Expecting a number for '${where}', got ${JSON.stringify(value)}`);
}

// ---------------------------------------------------------------- required fields

/** Throws DecodeError listing every missing required field (as Mesos' 400 does). */
export function assertRequiredFields<D extends DescMessage>(schema: D, message: MessageShape<D>): void {
  const missing: string[] = [];
  collectMissing(reflect(schema, message), '', missing);
  if (missing.length > 0) {
    throw new DecodeError(`Missing required fields: ${missing.join(', ')}`);
  }
}

function collectMissing(r: ReflectMessage, path: string, missing: string[]): void {
  for (const field of r.fields) {
    const where = path === '' ? field.name : `${path}.${field.name}`;
    const required = field.proto.label === 2; // LABEL_REQUIRED
    if (!r.isSet(field)) {
      if (required) missing.push(where);
      continue;
    }
    if (field.fieldKind === 'message') {
      collectMissing(r.get(field) as ReflectMessage, where, missing);
    } else if (field.fieldKind === 'list' && field.listKind === 'message') {
      let i = 0;
      for (const item of r.get(field)) collectMissing(item as ReflectMessage, `${where}[${i++}]`, missing);
    } else if (field.fieldKind === 'map' && field.mapKind === 'message') {
      for (const [k, v] of r.get(field)) collectMissing(v as ReflectMessage, `${where}.${String(k)}`, missing);
    }
  }
}
