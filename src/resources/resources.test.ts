import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseResourcesText } from './parse-text.js';
import { rangesResource, scalarResource, setResource } from './resource.js';
import { Resources } from './resources.js';

const R = (text: string, defaultRole?: string) =>
  parseResourcesText(text, defaultRole === undefined ? {} : { defaultRole });

describe('Resources arithmetic (table)', () => {
  const cases: { a: string; b: string; add: string; sub: string; aContainsB: boolean }[] = [
    { a: 'cpus:2;mem:1024', b: 'cpus:1', add: 'cpus:3;mem:1024', sub: 'cpus:1;mem:1024', aContainsB: true },
    { a: 'cpus:2', b: 'cpus:2', add: 'cpus:4', sub: '', aContainsB: true },
    { a: 'cpus:1', b: 'cpus:2', add: 'cpus:3', sub: '', aContainsB: false },
    { a: 'cpus:0.1', b: 'cpus:0.2', add: 'cpus:0.3', sub: '', aContainsB: false },
    { a: 'cpus:2', b: 'mem:10', add: 'cpus:2;mem:10', sub: 'cpus:2', aContainsB: false },
    { a: 'cpus(ops):2', b: 'cpus:1', add: 'cpus(ops):2;cpus:1', sub: 'cpus(ops):2', aContainsB: false },
    { a: 'cpus(ops):2;cpus:1', b: 'cpus(ops):1', add: 'cpus(ops):3;cpus:1', sub: 'cpus(ops):1;cpus:1', aContainsB: true },
    { a: 'ports:[1-10]', b: 'ports:[3-4]', add: 'ports:[1-10]', sub: 'ports:[1-2,5-10]', aContainsB: true },
    { a: 'ports:[1-10]', b: 'ports:[11-12]', add: 'ports:[1-12]', sub: 'ports:[1-10]', aContainsB: false },
    { a: 'ports:[1-2]', b: 'ports:[1-2]', add: 'ports:[1-2]', sub: '', aContainsB: true },
    { a: 'disks:{a,b}', b: 'disks:{b}', add: 'disks:{a,b}', sub: 'disks:{a}', aContainsB: true },
    { a: 'disks:{a}', b: 'disks:{c}', add: 'disks:{a,c}', sub: 'disks:{a}', aContainsB: false },
    { a: '', b: '', add: '', sub: '', aContainsB: true },
    { a: '', b: 'cpus:1', add: 'cpus:1', sub: '', aContainsB: false },
  ];
  for (const c of cases) {
    it(`'${c.a}' vs '${c.b}'`, () => {
      const a = R(c.a);
      const b = R(c.b);
      assert.ok(a.add(b).equals(R(c.add)), `add gave ${a.add(b)}`);
      assert.ok(a.subtract(b).equals(R(c.sub)), `subtract gave ${a.subtract(b)}`);
      assert.equal(a.contains(b), c.aContainsB);
      assert.equal(a.add(b).contains(a), true);
      assert.equal(a.add(b).contains(b), true);
    });
  }
});

describe('Resources', () => {
  it('merges same-key entries and drops empty ones', () => {
    const r = Resources.of(scalarResource('cpus', 1), scalarResource('cpus', 0.5), scalarResource('mem', 0), rangesResource('ports', []));
    assert.equal(r.size, 1);
    assert.equal(r.toString(), 'cpus:1.5');
  });

  it('keeps exact fixed-point sums', () => {
    let r = Resources.EMPTY;
    for (let i = 0; i < 10; i++) r = r.add(scalarResource('cpus', 0.1));
    assert.equal(r.scalar('cpus'), 1);
    assert.equal(r.scalarMilli('cpus'), 1000);
    assert.ok(r.subtract(scalarResource('cpus', 0.3)).equals(R('cpus:0.7')));
    assert.ok(R('cpus:0.0001').isEmpty(), 'below 3 decimals rounds to nothing');
  });

  it('equals ignores entry order', () => {
    assert.ok(R('cpus:1;mem:2').equals(R('mem:2;cpus:1')));
    assert.ok(!R('cpus:1;mem:2').equals(R('cpus:1;mem:3')));
    assert.ok(!R('cpus:1').equals(R('cpus(ops):1')));
  });

  it('filters by name and role', () => {
    const r = R('cpus:2;cpus(ops):1;mem(ops):64;ports:[1-3]');
    assert.equal(r.named('cpus').toString(), 'cpus:2;cpus(ops):1');
    assert.equal(r.reservedTo('ops').toString(), 'cpus(ops):1;mem(ops):64');
    assert.equal(r.unreserved().toString(), 'cpus:2;ports:[1-3]');
    assert.equal(r.reserved().toString(), 'cpus(ops):1;mem(ops):64');
    assert.equal(r.scalar('cpus'), 3, 'scalar sums across roles');
    assert.equal(r.quantityMilli('ports'), 3000);
    assert.deepEqual(r.names(), ['cpus', 'mem', 'ports']);
  });

  it('allocatableTo gives unreserved plus own and ancestor reservations', () => {
    const r = R('cpus:1;cpus(eng):2;cpus(eng/ml):4;cpus(ops):8');
    assert.equal(r.allocatableTo('eng/ml').scalar('cpus'), 7);
    assert.equal(r.allocatableTo('eng').scalar('cpus'), 3);
    assert.equal(r.allocatableTo('ops').scalar('cpus'), 9);
    assert.equal(r.allocatableTo('web').scalar('cpus'), 1);
    const plain = R('cpus:1;mem:2');
    assert.equal(plain.allocatableTo('web'), plain, 'no copy without reservations');
  });

  it('totals by name ignore roles (flatten, scalarTotals)', () => {
    const r = R('cpus:1;cpus(ops):2;mem(ops):3;ports:[1-2];ports(ops):[5-6]').allocate('web');
    assert.equal(r.flatten().toString(), 'cpus:3;mem:3;ports:[1-2,5-6]');
    assert.deepEqual([...r.scalarTotals()], [['cpus', 3000], ['mem', 3000]]);
    assert.equal(r.flatten('ops').toString(), 'cpus(ops):3;mem(ops):3;ports(ops):[1-2,5-6]');
    assert.deepEqual(r.flatten('ops').toArray()[0]!.reservations, [{ type: 'STATIC', role: 'ops' }]);
    assert.throws(() => r.flatten('a//b'), { code: 'RESOURCES_INVALID' });
  });

  it('allocate and unallocate mark entries', () => {
    const r = R('cpus:1;mem(ops):2');
    const a = r.allocate('ops');
    assert.equal(a.toString(), 'cpus(allocated: ops):1;mem(ops)(allocated: ops):2');
    assert.ok(!a.equals(r));
    assert.ok(!a.contains(r), 'allocated and unallocated resources are different keys');
    assert.ok(a.unallocate().equals(r));
    assert.deepEqual([...a.allocationRoles()], ['ops']);
  });

  it('prints the Mesos text form', () => {
    assert.equal(
      R('cpus:2;mem:1024;ports:[31000-32000];disk(ops):0.5;bugs:{b,a}').toString(),
      'cpus:2;mem:1024;ports:[31000-32000];disk(ops):0.5;bugs:{a,b}',
    );
  });

  it('serializes to Resource JSON', () => {
    assert.deepEqual(R('cpus(ops):2;ports:[1-2,4-4];s:{x}').allocate('ops').toJSON(), [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 2 }, reservations: [{ type: 'STATIC', role: 'ops' }], allocation_info: { role: 'ops' } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 1, end: 2 }, { begin: 4, end: 4 }] }, allocation_info: { role: 'ops' } },
      { name: 's', type: 'SET', set: { item: ['x'] }, allocation_info: { role: 'ops' } },
    ]);
  });

  it('treats static and dynamic reservations as different keys', () => {
    const s = scalarResource('cpus', 1, { role: 'ops' });
    const d = scalarResource('cpus', 1, { role: 'ops', reservationType: 'DYNAMIC', principal: 'alice' });
    const r = Resources.of(s, d);
    assert.equal(r.size, 2);
    assert.ok(!Resources.of(s).contains(d));
    assert.equal(r.subtract(d).size, 1);
  });

  it('returns the same object when nothing changes', () => {
    const r = R('cpus:1');
    assert.equal(r.add(Resources.EMPTY), r);
    assert.equal(r.subtract(R('mem:1')), r);
    assert.equal(r.unallocate(), r);
    assert.equal(r.flatten(), r);
  });

  it('rejects invalid constructed resources with typed errors', () => {
    assert.throws(() => scalarResource('cpus', -1), { code: 'RESOURCES_INVALID' });
    assert.throws(() => scalarResource('cpus', Number.NaN), { code: 'RESOURCES_INVALID' });
    assert.throws(() => rangesResource('ports', [[5, 1]]), { code: 'RESOURCES_INVALID' });
    assert.throws(() => setResource('', ['a']), { code: 'RESOURCES_INVALID' });
    assert.throws(() => scalarResource('cpus', 1, { role: 'a//b' }), { code: 'RESOURCES_INVALID' });
  });
});
