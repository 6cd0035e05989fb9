import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MesoscaleError } from '../../lib/errors.js';
import * as api from './index.js';

describe('allocator error registry', () => {
  const instances: MesoscaleError[] = [
    new api.UnknownAgentError('a'),
    new api.UnknownFrameworkError('f'),
    new api.DuplicateAgentError('a'),
    new api.DuplicateFrameworkError('f'),
    new api.RoleNotSubscribedError('f', 'r'),
    new api.InvalidRoleError('r', 'why'),
    new api.InvalidWeightError('r', 0),
    new api.InvalidAllocatorResourcesError('why'),
    new api.ResourcesNotAllocatedError('f', 'a', 'r', 'cpus:1', ''),
    new api.InvalidAllocatorOptionsError('why'),
  ];

  it('has one exported class per code, each a MesoscaleError with an HTTP status', () => {
    const codes = Object.values(api.AllocatorErrorCode);
    assert.equal(new Set(codes).size, codes.length, 'codes are distinct');
    assert.deepEqual(instances.map((e) => e.code).sort(), [...codes].sort());
    for (const e of instances) {
      assert.ok(e instanceof MesoscaleError);
      assert.match(e.code, /^ALLOCATOR_[A-Z_]+$/);
      assert.equal(typeof e.httpStatus, 'number');
      assert.equal(e.retryable, false);
      assert.equal(e.name, e.constructor.name);
    }
  });
});
