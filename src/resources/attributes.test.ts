import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  type Attribute,
  attributeToJson,
  attributesToLegacyJson,
  formatAttributes,
  parseAttributes,
} from './attributes.js';
import { AttributesParseError } from './errors.js';

describe('parseAttributes (table)', () => {
  const cases: { input: string; want: Attribute[] }[] = [
    {
      input: 'rack:abc;zone:west;os:centos5;level:10;keys:[1000-1500]',
      want: [
        { name: 'rack', type: 'TEXT', text: 'abc' },
        { name: 'zone', type: 'TEXT', text: 'west' },
        { name: 'os', type: 'TEXT', text: 'centos5' },
        { name: 'level', type: 'SCALAR', scalar: 10 },
        { name: 'keys', type: 'RANGES', ranges: [[1000, 1500]] },
      ],
    },
    { input: 'a:1.5\nb:x', want: [{ name: 'a', type: 'SCALAR', scalar: 1.5 }, { name: 'b', type: 'TEXT', text: 'x' }] },
    { input: 'a:-3', want: [{ name: 'a', type: 'TEXT', text: '-3' }] },
    { input: 'a:1e999', want: [{ name: 'a', type: 'TEXT', text: '1e999' }] },
    { input: 'a: hello world ', want: [{ name: 'a', type: 'TEXT', text: 'helloworld' }] },
    { input: 'url:http://x:80', want: [{ name: 'url', type: 'TEXT', text: 'http://x:80' }] },
    { input: 'r:[5-6,1-2]', want: [{ name: 'r', type: 'RANGES', ranges: [[1, 2], [5, 6]] }] },
    { input: 'a:1;a:2', want: [{ name: 'a', type: 'SCALAR', scalar: 1 }, { name: 'a', type: 'SCALAR', scalar: 2 }] },
    { input: '', want: [] },
    { input: ';;', want: [] },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.input), () => assert.deepEqual(parseAttributes(c.input), c.want));
  }
});

describe('parseAttributes errors name the piece (table)', () => {
  const cases: { input: string; message: string }[] = [
    { input: 'rack', message: `Invalid attributes 'rack': missing ':' between name and value` },
    { input: 'rack:a;zone', message: `Invalid attributes 'zone': missing ':' between name and value` },
    { input: ':abc', message: `Invalid attributes ':abc': attribute name is empty` },
    { input: 'rack:', message: `Invalid attributes 'rack:': value of 'rack' is empty` },
    { input: 'keys:[1-', message: `Invalid attributes 'keys:[1-': '[1-' is not a range list like [31000-32000]` },
    { input: 's:{a,b}', message: `Invalid attributes 's:{a,b}': sets are not valid attribute values` },
  ];
  for (const c of cases) {
    it(c.input, () => {
      assert.throws(
        () => parseAttributes(c.input),
        (err: unknown) => err instanceof AttributesParseError && err.code === 'ATTRIBUTES_PARSE_ERROR' && err.message === c.message,
      );
    });
  }
});

describe('attribute output forms', () => {
  const attrs = parseAttributes('rack:abc;level:10;keys:[1000-1500]');
  it('formats back to the flag form', () => assert.equal(formatAttributes(attrs), 'rack:abc;level:10;keys:[1000-1500]'));
  it('writes protobuf JSON', () => {
    assert.deepEqual(attrs.map(attributeToJson), [
      { name: 'rack', type: 'TEXT', text: { value: 'abc' } },
      { name: 'level', type: 'SCALAR', scalar: { value: 10 } },
      { name: 'keys', type: 'RANGES', ranges: { range: [{ begin: 1000, end: 1500 }] } },
    ]);
  });
  it('writes the legacy /state form', () => {
    assert.deepEqual(attributesToLegacyJson(attrs), { rack: 'abc', level: 10, keys: '[1000-1500]' });
  });
});
