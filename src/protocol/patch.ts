/**
 * A copy of a protobuf-es message with some fields replaced.
 *
 * Why not `{ ...message, field }`: protobuf-es keeps proto2 defaults on the
 * message's prototype, which a spread drops (an unset `failover_timeout` would
 * read as undefined instead of 0), and nested plain objects are not messages.
 */
import { clone, create, type DescMessage, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';

export function patch<D extends DescMessage>(schema: D, message: MessageShape<D>, fields: MessageInitShape<D>): MessageShape<D> {
  const copy = clone(schema, message);
  const replacement = create(schema, fields) as Record<string, unknown>;
  for (const key of Object.keys(fields as object)) {
    (copy as Record<string, unknown>)[key] = replacement[key];
  }
  return copy;
}
