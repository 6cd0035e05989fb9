import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ResourcesParseError } from './errors.js';
import { parseResources, parseResourcesJson } from './parse-json.js';
import { parseResourcesText } from './parse-text.js';

describe('parseResourcesText: valid input (table)', () => {
  const cases: { input: string; defaultRole?: string; want: string }[] = [
    { input: 'cpus:2;mem:1024', want: 'cpus:2;mem:1024' },
    { input: 'cpus:0.5', want: 'cpus:0.5' },
    { input: 'cpus:.5', want: 'cpus:0.5' },
    { input: 'cpus:1e1', want: 'cpus:10' },
    { input: 'cpus:1.23456', want: 'cpus:1.235' },
    { input: ' cpus : 2 ; mem : 1024 ; ', want: 'cpus:2;mem:1024' },
    { input: 'cpus:1;cpus:2', want: 'cpus:3' },
    { input: 'ports:[31000-32000]', want: 'ports:[31000-32000]' },
    { input: 'ports:[21000-24000,30000-34000]', want: 'ports:[21000-24000,30000-34000]' },
    { input: 'ports:[5-6,1-4]', want: 'ports:[1-6]' },
    { input: 'ports:[]', want: '' },
    { input: 'bugs(debug):{a,b}', want: 'bugs(debug):{a,b}' },
    { input: 'gpus(ml):1;cpus:2', want: 'gpus(ml):1;cpus:2' },
    { input: 'cpus:2;mem(eng/ml):10', want: 'cpus:2;mem(eng/ml):10' },
    { input: 'cpus:2;mem:10', defaultRole: 'ops', want: 'cpus(ops):2;mem(ops):10' },
    { input: 'cpus:2;mem(*):10', defaultRole: 'ops', want: 'cpus(ops):2;mem:10' },
    { input: '', want: '' },
    { input: 'cpus:0', want: '' },
    {
      input: 'cpus:2;mem:1024;disk:20000;ports:[31000-32000];gpus(ml):1;bugs(debug):{a,b}',
      want: 'cpus:2;mem:1024;disk:20000;ports:[31000-32000];gpus(ml):1;bugs(debug):{a,b}',
    },
  ];
  for (const c of cases) {
    it(`'${c.input}'${c.defaultRole ? ` (default role ${c.defaultRole})` : ''}`, () => {
      const opts = c.defaultRole === undefined ? {} : { defaultRole: c.defaultRole };
      assert.equal(parseResourcesText(c.input, opts).toString(), c.want);
    });
  }

  it('marks a role as a static reservation', () => {
    const [r] = parseResourcesText('cpus(ops):1');
    assert.deepEqual(r!.reservations, [{ type: 'STATIC', role: 'ops' }]);
    assert.equal(r!.role, 'ops');
  });

  it('round-trips its own output', () => {
    const text = 'cpus:2.5;mem(ops):10;ports:[1-5,7-9];s:{a,b}';
    assert.equal(parseResourcesText(parseResourcesText(text).toString()).toString(), text);
  });
});

describe('parseResourcesText: errors quote the bad piece (table)', () => {
  const cases: { input: string; message: string }[] = [
    { input: 'cpus:abc', message: `Invalid resources 'cpus:abc': 'abc' is not a number` },
    { input: 'cpus:2;mem:x1', message: `Invalid resources 'mem:x1': 'x1' is not a number` },
    { input: 'cpus', message: `Invalid resources 'cpus': missing ':' between name and value` },
    { input: 'cpus:1:2', message: `Invalid resources 'cpus:1:2': more than one ':'` },
    { input: ':2', message: `Invalid resources ':2': resource name is empty` },
    { input: 'cpus:', message: `Invalid resources 'cpus:': value is empty` },
    { input: 'cpus:-1', message: `Invalid resources 'cpus:-1': '-1' is negative` },
    { input: 'cpus:0x10', message: `Invalid resources 'cpus:0x10': '0x10' is not a number` },
    { input: 'cpus:Infinity', message: `Invalid resources 'cpus:Infinity': 'Infinity' is not a number` },
    { input: 'cpus:1e999', message: `Invalid resources 'cpus:1e999': '1e999' is not a finite number` },
    { input: 'cpus():1', message: `Invalid resources 'cpus():1': role in 'cpus()' is empty` },
    { input: 'cpus(ops:1', message: `Invalid resources 'cpus(ops:1': 'cpus(ops' must be name(role)` },
    { input: 'cpus(a//b):1', message: `Invalid resources 'cpus(a//b):1': role 'a//b' contains an empty path component ('//')` },
    { input: 'ports:[1-2', message: `Invalid resources 'ports:[1-2': '[1-2' is not a range list like [31000-32000]` },
    { input: 'ports:[5-1]', message: `Invalid resources 'ports:[5-1]': '5-1' has begin > end` },
    { input: 'ports:[a-b]', message: `Invalid resources 'ports:[a-b]': 'a-b' is not a range 'begin-end' of non-negative integers` },
    { input: 'ports:[1-2,]', message: `Invalid resources 'ports:[1-2,]': '' is not a range 'begin-end' of non-negative integers` },
    { input: 's:{a,a}', message: `Invalid resources 's:{a,a}': set '{a,a}' has 'a' twice` },
    { input: 's:{a,}', message: `Invalid resources 's:{a,}': set '{a,}' has an empty item` },
    { input: 'cpus:1;cpus:[1-2]', message: `Invalid resources 'cpus:[1-2]': 'cpus' is already a SCALAR resource, cannot also be RANGES` },
  ];
  for (const c of cases) {
    it(`'${c.input}'`, () => {
      assert.throws(
        () => parseResourcesText(c.input),
        (err: unknown) => {
          assert.ok(err instanceof ResourcesParseError);
          assert.equal(err.code, 'RESOURCES_PARSE_ERROR');
          assert.equal(err.httpStatus, 400);
          assert.equal(err.message, c.message);
          return true;
        },
      );
    });
  }

  it('rejects an invalid default role', () => {
    assert.throws(() => parseResourcesText('cpus:1', { defaultRole: '' }), { code: 'RESOURCES_PARSE_ERROR' });
  });
});

describe('parseResourcesJson', () => {
  it('parses the reference example', () => {
    const r = parseResources(
      '[{"name":"cpus","type":"SCALAR","scalar":{"value":2}},{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":32000}]}},{"name":"mem","type":"SCALAR","scalar":{"value":1024},"role":"ops"}]',
    );
    assert.equal(r.toString(), 'cpus:2;ports:[31000-32000];mem(ops):1024');
  });

  const cases: { name: string; json: unknown; defaultRole?: string; want: string }[] = [
    { name: 'set', json: [{ name: 's', type: 'SET', set: { item: ['b', 'a'] } }], want: 's:{a,b}' },
    { name: 'default role applies', json: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }], defaultRole: 'ops', want: 'cpus(ops):1' },
    { name: 'explicit * beats default role', json: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: '*' }], defaultRole: 'ops', want: 'cpus:1' },
    {
      name: 'post-refinement stack',
      json: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'STATIC', role: 'eng' }, { type: 'DYNAMIC', role: 'eng/ml', principal: 'p' }] }],
      want: 'cpus(eng/ml):1',
    },
    { name: 'uint64 strings', json: [{ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: '1', end: '3' }] } }], want: 'ports:[1-3]' },
    { name: 'allocation info', json: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, allocation_info: { role: 'web' } }], want: 'cpus(allocated: web):1' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const opts = c.defaultRole === undefined ? {} : { defaultRole: c.defaultRole };
      assert.equal(parseResourcesJson(c.json, opts).toString(), c.want);
    });
  }

  it('reads pre-refinement dynamic reservations', () => {
    const [r] = parseResourcesJson([{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: 'ops', reservation: { principal: 'alice' } }]);
    assert.deepEqual(r!.reservations, [{ type: 'DYNAMIC', role: 'ops', principal: 'alice', labels: undefined }]);
  });

  it('round-trips toJSON output', () => {
    const text = 'cpus(ops):2;ports:[1-2,4-4];s:{x};mem:1.5';
    const r = parseResourcesText(text).allocate('ops');
    assert.ok(parseResourcesJson(JSON.parse(JSON.stringify(r))).equals(r));
  });

  const errors: { name: string; json: unknown; reason: RegExp }[] = [
    { name: 'not an array', json: { name: 'cpus' }, reason: /expected an array of Resource objects/ },
    { name: 'entry not object', json: [1], reason: /entry 0: expected a Resource object/ },
    { name: 'no name', json: [{ type: 'SCALAR', scalar: { value: 1 } }], reason: /entry 0: name must be a non-empty string/ },
    { name: 'TEXT type', json: [{ name: 'x', type: 'TEXT', text: { value: 'a' } }], reason: /TEXT values are not allowed/ },
    { name: 'bad type', json: [{ name: 'x', type: 'FOO' }], reason: /type must be SCALAR, RANGES or SET/ },
    { name: 'no scalar', json: [{ name: 'x', type: 'SCALAR' }], reason: /needs scalar.value/ },
    { name: 'negative scalar', json: [{ name: 'x', type: 'SCALAR', scalar: { value: -1 } }], reason: /non-negative finite/ },
    { name: 'bad range', json: [{ name: 'p', type: 'RANGES', ranges: { range: [{ begin: 5, end: 1 }] } }], reason: /begin > end/ },
    { name: 'mixed types', json: [{ name: 'p', type: 'SCALAR', scalar: { value: 1 } }, { name: 'p', type: 'SET', set: { item: ['a'] } }], reason: /entry 1: 'p' is already a SCALAR resource/ },
    { name: 'disk unsupported', json: [{ name: 'disk', type: 'SCALAR', scalar: { value: 1 }, disk: {} }], reason: /'disk' is not supported/ },
    { name: 'reservation to *', json: [{ name: 'c', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'STATIC', role: '*' }] }], reason: /role other than \*/ },
  ];
  for (const c of errors) {
    it(`rejects: ${c.name}`, () => {
      assert.throws(
        () => parseResourcesJson(c.json),
        (err: unknown) => err instanceof ResourcesParseError && err.message.startsWith('Invalid resources JSON ') && c.reason.test(err.message),
      );
    });
  }

  it('reports malformed JSON text', () => {
    assert.throws(() => parseResources('[{"name":'), /Invalid resources JSON .*not valid JSON/);
  });
});
