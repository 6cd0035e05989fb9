import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ResourcesErrorCode } from './errors.js';
import * as api from './index.js';
import { isReservationUsableBy, roleError } from './roles.js';

describe('roleError (table)', () => {
  const valid = ['*', 'ops', 'eng/ml', 'a.b', 'a-b', 'x_1'];
  const invalid = ['', '/a', 'a/', 'a//b', '.', '..', 'a/./b', '-a', 'a/-b', 'a b', 'a\tb', 'a\\b', 'a/*'];
  for (const role of valid) it(`accepts '${role}'`, () => assert.equal(roleError(role), undefined));
  for (const role of invalid) it(`rejects '${role}'`, () => assert.equal(typeof roleError(role), 'string'));
});

describe('isReservationUsableBy (table)', () => {
  const cases: [string, string, boolean][] = [
    ['*', 'anything', true],
    ['eng', 'eng', true],
    ['eng', 'eng/ml', true],
    ['eng', 'eng/ml/batch', true],
    ['eng/ml', 'eng', false],
    ['eng', 'engineering', false],
    ['ops', 'eng', false],
  ];
  for (const [reservation, role, want] of cases) {
    it(`${reservation} → ${role}: ${want}`, () => assert.equal(isReservationUsableBy(reservation, role), want));
  }
});

describe('error codes', () => {
  it('are distinct, prefixed and exported', () => {
    const codes = Object.values(ResourcesErrorCode);
    assert.equal(new Set(codes).size, codes.length);
    for (const code of codes) assert.match(code, /^(RESOURCES|ATTRIBUTES)_[A-Z_]+$/);
    assert.equal(api.ResourcesErrorCode, ResourcesErrorCode);
    assert.equal(new api.ResourcesParseError('x', 'y').code, ResourcesErrorCode.PARSE);
    assert.equal(new api.AttributesParseError('x', 'y').code, ResourcesErrorCode.ATTRIBUTES_PARSE);
    assert.equal(new api.InvalidResourceError('x').code, ResourcesErrorCode.INVALID);
  });
});
