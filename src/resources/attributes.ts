/**
 * Agent attributes (`--attributes`): `rack:abc;level:10;keys:[1000-1500]`.
 *
 * Pieces are separated by `;` or newlines and split at the first `:`. A
 * value in brackets is RANGES, a non-negative finite number is SCALAR,
 * anything else is TEXT with whitespace removed. Sets (`{...}`) are not
 * valid attribute values. Repeated names are kept, in order.
 */
import { AttributesParseError } from './errors.js';
import { parseNonNegativeNumber, parseRangesText } from './parse-text.js';
import { normalizeRanges, rangePairs } from './values.js';

export type Attribute =
  | { readonly name: string; readonly type: 'SCALAR'; readonly scalar: number }
  | { readonly name: string; readonly type: 'RANGES'; readonly ranges: readonly (readonly [number, number])[] }
  | { readonly name: string; readonly type: 'TEXT'; readonly text: string };

/** Protobuf JSON of an Attribute, as offered in `Offer.attributes`. */
export type AttributeJson =
  | { name: string; type: 'SCALAR'; scalar: { value: number } }
  | { name: string; type: 'RANGES'; ranges: { range: { begin: number; end: number }[] } }
  | { name: string; type: 'TEXT'; text: { value: string } };

function parseAttribute(piece: string): Attribute {
  const colon = piece.indexOf(':');
  if (colon < 0) throw new AttributesParseError(piece, `missing ':' between name and value`);
  const name = piece.slice(0, colon).trim();
  const raw = piece.slice(colon + 1).replace(/\s+/g, '');
  if (name.length === 0) throw new AttributesParseError(piece, 'attribute name is empty');
  if (raw.length === 0) throw new AttributesParseError(piece, `value of '${name}' is empty`);
  if (raw.startsWith('[')) {
    const pairs = parseRangesText(raw);
    if (typeof pairs === 'string') throw new AttributesParseError(piece, pairs);
    return { name, type: 'RANGES', ranges: rangePairs(normalizeRanges(pairs)) };
  }
  if (raw.startsWith('{')) throw new AttributesParseError(piece, 'sets are not valid attribute values');
  const value = parseNonNegativeNumber(raw);
  if (typeof value === 'number') return { name, type: 'SCALAR', scalar: value };
  return { name, type: 'TEXT', text: raw };
}

/** Parse `--attributes`. Throws AttributesParseError naming the bad piece. */
export function parseAttributes(text: string): Attribute[] {
  const out: Attribute[] = [];
  for (const raw of text.split(/[;\n]/)) {
    if (raw.trim().length === 0) continue;
    out.push(parseAttribute(raw.trim()));
  }
  return out;
}

function formatAttributeValue(a: Attribute): string {
  switch (a.type) {
    case 'SCALAR':
      return String(a.scalar);
    case 'RANGES':
      return `[${a.ranges.map(([b, e]) => `${b}-${e}`).join(',')}]`;
    case 'TEXT':
      return a.text;
  }
}

/** `rack:abc;level:10;keys:[1000-1500]` (round-trips through parseAttributes). */
export function formatAttributes(attributes: readonly Attribute[]): string {
  return attributes.map((a) => `${a.name}:${formatAttributeValue(a)}`).join(';');
}

export function attributeToJson(a: Attribute): AttributeJson {
  switch (a.type) {
    case 'SCALAR':
      return { name: a.name, type: 'SCALAR', scalar: { value: a.scalar } };
    case 'RANGES':
      return { name: a.name, type: 'RANGES', ranges: { range: a.ranges.map(([begin, end]) => ({ begin, end })) } };
    case 'TEXT':
      return { name: a.name, type: 'TEXT', text: { value: a.text } };
  }
}

/**
 * Legacy `/state` form: `{"rack":"abc","level":10,"keys":"[1000-1500]"}`.
 * With repeated names the last one wins, as in Mesos' JSON model.
 */
export function attributesToLegacyJson(attributes: readonly Attribute[]): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const a of attributes) out[a.name] = a.type === 'SCALAR' ? a.scalar : formatAttributeValue(a);
  return out;
}
