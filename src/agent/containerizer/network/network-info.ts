/**
 * A container's networking as Mesos reports it: TaskStatus.container_status.
 * network_infos, one NetworkInfo per CNI network with the name, the IPs the
 * container got there (without prefix length), and the requested labels,
 * groups and port mappings echoed back, as Mesos' network/cni status() does.
 */
import { create } from '@bufbuild/protobuf';

import {
  LabelsSchema,
  type NetworkInfo,
  NetworkInfo_IPAddressSchema,
  NetworkInfo_PortMappingSchema,
  NetworkInfo_Protocol,
  NetworkInfoSchema,
} from '../../../protocol/gen/mesos/v1/mesos_pb.js';
import type { ContainerNetwork } from './cni-manager.js';

export function networkInfosOf(network: ContainerNetwork): NetworkInfo[] {
  return network.networks.map((attached) =>
    create(NetworkInfoSchema, {
      name: attached.name,
      ipAddresses: attached.addresses.map((a) =>
        create(NetworkInfo_IPAddressSchema, {
          protocol: a.family === 6 ? NetworkInfo_Protocol.IPv6 : NetworkInfo_Protocol.IPv4,
          ipAddress: a.address,
        }),
      ),
      groups: [...attached.request.groups],
      ...(attached.request.labels.length > 0
        ? { labels: create(LabelsSchema, { labels: attached.request.labels.map((l) => ({ key: l.key, ...(l.value !== undefined ? { value: l.value } : {}) })) }) }
        : {}),
      portMappings: attached.request.portMappings.map((m) =>
        create(NetworkInfo_PortMappingSchema, { hostPort: m.hostPort, containerPort: m.containerPort, protocol: m.protocol }),
      ),
    }),
  );
}
