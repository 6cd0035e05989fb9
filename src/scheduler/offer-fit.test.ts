import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { create } from '@bufbuild/protobuf';

import { OfferSchema, Value_Type } from '../protocol/gen/mesos/v1/mesos_pb.js';
import { parseResources } from '../resources/index.js';
import { agentUrlOf, offerFits, taskResourcesFor } from './offer-fit.js';

const offer = create(OfferSchema, {
  id: { value: 'O-1' },
  agentId: { value: 'S-1' },
  allocationInfo: { role: 'dev' },
  url: { scheme: 'http', address: { hostname: 'node-1', ip: '10.0.0.7', port: 5051 }, path: '/slave(1)' },
  resources: [
    { name: 'cpus', type: Value_Type.SCALAR, scalar: { value: 0.5 }, allocationInfo: { role: 'dev' } },
    { name: 'mem', type: Value_Type.SCALAR, scalar: { value: 256 }, allocationInfo: { role: 'dev' } },
  ],
});

describe('offer fit', () => {
  it('fits what the offer holds, in fixed point (0.1 + 0.4 = 0.5 exactly)', () => {
    assert.ok(offerFits(offer, parseResources('cpus:0.1;cpus:0.4;mem:256')));
    assert.equal(offerFits(offer, parseResources('cpus:0.501')), false);
    assert.equal(offerFits(offer, parseResources('cpus:0.1;disk:10')), false);
  });

  it("allocates the task's resources to the offer's role", () => {
    const resources = taskResourcesFor(offer, parseResources('cpus:0.1;mem:32'));
    assert.deepEqual(resources.map((r) => [r.name, r.scalar?.value, r.allocationInfo?.role]), [
      ['cpus', 0.1, 'dev'],
      ['mem', 32, 'dev'],
    ]);
  });

  it('finds the agent from Offer.url', () => {
    assert.equal(agentUrlOf(offer), 'http://10.0.0.7:5051');
    assert.equal(agentUrlOf(create(OfferSchema, {})), undefined);
  });
});
