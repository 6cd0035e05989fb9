/**
 * Content-Type / Accept handling shared by every Mesos HTTP endpoint, and
 * decoding/encoding of message bodies in either codec.
 * Rules: shared/reference/mesos-http-api.md sections 1.2 and 1.6.
 */
import { fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { MesoscaleError } from '../../lib/errors.js';
import { assertRequiredFields, DecodeError, fromMesosJson, toMesosJson } from './json.js';

export const MediaType = {
  JSON: 'application/json',
  PROTOBUF: 'application/x-protobuf',
  RECORDIO: 'application/recordio',
} as const;
export type MessageMediaType = typeof MediaType.JSON | typeof MediaType.PROTOBUF;

export class MediaTypeError extends MesoscaleError {
  constructor(code: 'PROTOCOL_MISSING_CONTENT_TYPE' | 'PROTOCOL_UNSUPPORTED_MEDIA_TYPE' | 'PROTOCOL_NOT_ACCEPTABLE', message: string) {
    super(code, message, { httpStatus: code === 'PROTOCOL_MISSING_CONTENT_TYPE' ? 400 : code === 'PROTOCOL_NOT_ACCEPTABLE' ? 406 : 415 });
  }
}

/** The request body's codec. Mesos wants the header exactly; we also accept parameters (e.g. charset). */
export function requestMediaType(contentType: string | undefined): MessageMediaType {
  if (contentType === undefined || contentType.trim() === '') {
    throw new MediaTypeError('PROTOCOL_MISSING_CONTENT_TYPE', 'Expecting \'Content-Type\' to be present');
  }
  const base = contentType.split(';')[0]!.trim().toLowerCase();
  if (base === MediaType.JSON || base === MediaType.PROTOBUF) return base;
  throw new MediaTypeError(
    'PROTOCOL_UNSUPPORTED_MEDIA_TYPE',
    `Expecting 'Content-Type' of ${MediaType.JSON} or ${MediaType.PROTOBUF}, got '${contentType}'`,
  );
}

/** Whether an Accept header admits a media type (absent header and wildcards admit all). */
export function accepts(accept: string | undefined, type: string): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  const [major] = type.split('/');
  for (const part of accept.split(',')) {
    const [range, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    if (range === '*/*' || range === type || range === `${major}/*`) return true;
  }
  return false;
}

/** JSON wins when both are acceptable, as in Mesos. */
export function responseMediaType(accept: string | undefined): MessageMediaType {
  if (accepts(accept, MediaType.JSON)) return MediaType.JSON;
  if (accepts(accept, MediaType.PROTOBUF)) return MediaType.PROTOBUF;
  throw new MediaTypeError(
    'PROTOCOL_NOT_ACCEPTABLE',
    `Expecting 'Accept' to allow '${MediaType.JSON}' or '${MediaType.PROTOBUF}'`,
  );
}

export function decodeMessage<D extends DescMessage>(schema: D, mediaType: MessageMediaType, body: Uint8Array): MessageShape<D> {
  if (mediaType === MediaType.JSON) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
    } catch (err) {
      throw new DecodeError(`Failed to parse body into JSON: ${(err as Error).message}`, err);
    }
    return fromMesosJson(schema, parsed);
  }
  let message: MessageShape<D>;
  try {
    message = fromBinary(schema, body);
  } catch (err) {
    throw new DecodeError(`Failed to parse body into ${schema.typeName}: ${(err as Error).message}`, err);
  }
  assertRequiredFields(schema, message);
  return message;
}

export function encodeMessage<D extends DescMessage>(schema: D, message: MessageShape<D>, mediaType: MessageMediaType): Uint8Array {
  if (mediaType === MediaType.JSON) return Buffer.from(JSON.stringify(toMesosJson(schema, message)), 'utf8');
  return toBinary(schema, message);
}
