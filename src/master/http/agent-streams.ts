/** The agents' link streams, by agent id; events go out as protobuf records. */
import { toBinary } from '@bufbuild/protobuf';
import { AgentEventSchema, type AgentEvent } from '../../protocol/gen/mesoscale/internal/agent_link_pb.js';
import type { RecordIoResponse } from '../../http/stream.js';

export class AgentStreams {
  readonly #streams = new Map<string, { streamId: string; response: RecordIoResponse }>();

  attach(agentId: string, streamId: string, response: RecordIoResponse): void {
    const old = this.#streams.get(agentId);
    this.#streams.set(agentId, { streamId, response });
    if (old !== undefined && old.streamId !== streamId) old.response.end();
  }

  detach(agentId: string, streamId: string): void {
    if (this.#streams.get(agentId)?.streamId === streamId) this.#streams.delete(agentId);
  }

  send(agentId: string, event: AgentEvent): void {
    this.#streams.get(agentId)?.response.write(toBinary(AgentEventSchema, event));
  }

  close(agentId: string, streamId: string): void {
    const entry = this.#streams.get(agentId);
    if (entry?.streamId === streamId) {
      this.#streams.delete(agentId);
      entry.response.end();
    }
  }

  closeAll(): void {
    for (const entry of this.#streams.values()) entry.response.end();
    this.#streams.clear();
  }
}
