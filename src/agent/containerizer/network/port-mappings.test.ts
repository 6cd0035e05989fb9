import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { create } from '@bufbuild/protobuf';

import { ContainerInfo_Type, ContainerInfoSchema, ResourceSchema, Value_Type } from '../../../protocol/gen/mesos/v1/mesos_pb.js';
import { NetworkRequestError, PortMappingError } from './errors.js';
import { checkHostPortsAllocated, normalizePortMappings, portRangesOf, toCniPortMappings } from './port-mappings.js';
import { interfaceName, networkRequestFromContainerInfo, validateNetworkRequest } from './request.js';

describe('port mappings and network requests', () => {
  it('defaults the protocol to tcp, lower-cases it, and refuses bad ports and duplicates', () => {
    assert.deepEqual(normalizePortMappings('n', [{ hostPort: 31000, containerPort: 80 }, { hostPort: 31000, containerPort: 53, protocol: 'UDP' }]), [
      { hostPort: 31000, containerPort: 80, protocol: 'tcp' },
      { hostPort: 31000, containerPort: 53, protocol: 'udp' },
    ]);
    assert.throws(() => normalizePortMappings('n', [{ hostPort: 0, containerPort: 80 }]), PortMappingError);
    assert.throws(() => normalizePortMappings('n', [{ hostPort: 1, containerPort: 80, protocol: 'icmp' }]), /protocol 'icmp'/);
    assert.throws(() => normalizePortMappings('n', [{ hostPort: 5, containerPort: 80 }, { hostPort: 5, containerPort: 81 }]), /mapped twice/);
    assert.deepEqual(toCniPortMappings([{ hostPort: 1, containerPort: 2, protocol: 'tcp' }]), [{ hostPort: 1, containerPort: 2, protocol: 'tcp' }]);
  });

  it('checks host ports against the task\'s ports resources', () => {
    const ports = create(ResourceSchema, { name: 'ports', type: Value_Type.RANGES, ranges: { range: [{ begin: 31000n, end: 31005n }] } });
    const ranges = portRangesOf([create(ResourceSchema, { name: 'cpus', type: Value_Type.SCALAR, scalar: { value: 1 } }), ports]);
    assert.deepEqual(ranges, [{ begin: 31000, end: 31005 }]);
    checkHostPortsAllocated([{ hostPort: 31002, containerPort: 80, protocol: 'tcp' }], ranges);
    assert.throws(() => checkHostPortsAllocated([{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }], ranges), /8080\/tcp .*\[31000-31005\]/);
  });

  it('builds a request from ContainerInfo.network_infos: named networks only, in order', () => {
    const info = create(ContainerInfoSchema, {
      type: ContainerInfo_Type.MESOS,
      hostname: 'web-1',
      networkInfos: [
        { name: 'pods', portMappings: [{ hostPort: 31000, containerPort: 8080 }], labels: { labels: [{ key: 'tier', value: 'web' }] } },
        { name: '' },
        { name: 'storage', groups: ['g1'] },
      ],
    });
    const request = networkRequestFromContainerInfo('c1', info);
    assert.deepEqual(request, {
      hostname: 'web-1',
      networks: [
        { name: 'pods', portMappings: [{ hostPort: 31000, containerPort: 8080, protocol: 'tcp' }], labels: [{ key: 'tier', value: 'web' }], groups: [] },
        { name: 'storage', portMappings: [], labels: [], groups: ['g1'] },
      ],
    });
    assert.equal(networkRequestFromContainerInfo('c1', create(ContainerInfoSchema, { type: ContainerInfo_Type.MESOS })), undefined);
    assert.equal(networkRequestFromContainerInfo('c1', undefined), undefined);
    assert.deepEqual([0, 1].map(interfaceName), ['eth0', 'eth1']);
  });

  it('refuses duplicate networks and bad hostnames', () => {
    const net = { name: 'pods', portMappings: [], labels: [], groups: [] };
    assert.throws(() => validateNetworkRequest('c1', { networks: [net, net] }), (e: unknown) => e instanceof NetworkRequestError && /listed twice/.test(e.message));
    assert.throws(() => validateNetworkRequest('c1', { networks: [net], hostname: 'bad_name' }), /not a valid hostname/);
    validateNetworkRequest('0a1b2c3d-1111-2222-3333-444455556666', { networks: [net] });
  });
});
