import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DEFAULT_MIN_ALLOCATABLE_RESOURCES,
  formatMinAllocatableResources,
  isAllocatable,
  parseMinAllocatableResources,
} from './min-allocatable.js';
import { parseResourcesText } from './parse-text.js';
import { Resources } from './resources.js';

describe('parseMinAllocatableResources', () => {
  it('parses the default', () => {
    assert.deepEqual(parseMinAllocatableResources(DEFAULT_MIN_ALLOCATABLE_RESOURCES), [
      [{ name: 'cpus', milli: 10 }],
      [{ name: 'mem', milli: 32000 }],
    ]);
  });
  it('parses AND within a set and OR between sets', () => {
    const sets = parseMinAllocatableResources('cpus:1;mem:128 | gpus:1');
    assert.deepEqual(sets, [[{ name: 'cpus', milli: 1000 }, { name: 'mem', milli: 128000 }], [{ name: 'gpus', milli: 1000 }]]);
    assert.equal(formatMinAllocatableResources(sets), 'cpus:1;mem:128|gpus:1');
  });
  it('an empty value means no minimum', () => assert.deepEqual(parseMinAllocatableResources(''), []));

  const errors: { input: string; message: string }[] = [
    { input: 'cpus:abc', message: `Invalid min_allocatable_resources 'cpus:abc': 'abc' is not a number` },
    { input: 'cpus:-1', message: `Invalid min_allocatable_resources 'cpus:-1': '-1' is negative` },
    { input: 'cpus', message: `Invalid min_allocatable_resources 'cpus': expected name:quantity` },
    { input: 'cpus:1||mem:2', message: `Invalid min_allocatable_resources 'cpus:1||mem:2': empty alternative between '|'` },
    { input: 'cpus(ops):1', message: `Invalid min_allocatable_resources 'cpus(ops):1': 'cpus(ops)' is not a plain resource name (no roles here)` },
  ];
  for (const c of errors) {
    it(`rejects '${c.input}'`, () => {
      assert.throws(() => parseMinAllocatableResources(c.input), { code: 'RESOURCES_PARSE_ERROR', message: c.message });
    });
  }
});

describe('isAllocatable (table)', () => {
  const def = parseMinAllocatableResources(DEFAULT_MIN_ALLOCATABLE_RESOURCES);
  const cases: { resources: string; min: string; want: boolean }[] = [
    { resources: 'cpus:0.01', min: DEFAULT_MIN_ALLOCATABLE_RESOURCES, want: true },
    { resources: 'cpus:0.009', min: DEFAULT_MIN_ALLOCATABLE_RESOURCES, want: false },
    { resources: 'mem:32', min: DEFAULT_MIN_ALLOCATABLE_RESOURCES, want: true },
    { resources: 'mem:31;disk:1000', min: DEFAULT_MIN_ALLOCATABLE_RESOURCES, want: false },
    { resources: 'cpus(ops):0.005;cpus:0.005', min: DEFAULT_MIN_ALLOCATABLE_RESOURCES, want: true },
    { resources: 'cpus:1;mem:64', min: 'cpus:1;mem:128', want: false },
    { resources: 'cpus:1;mem:128', min: 'cpus:1;mem:128', want: true },
    { resources: 'ports:[1-9]', min: 'ports:10', want: false },
    { resources: 'ports:[1-10]', min: 'ports:10', want: true },
    { resources: 'disk:1', min: '', want: true },
    { resources: '', min: '', want: false },
  ];
  for (const c of cases) {
    it(`'${c.resources}' with '${c.min}'`, () => {
      assert.equal(isAllocatable(parseResourcesText(c.resources), parseMinAllocatableResources(c.min)), c.want);
    });
  }
  it('nothing is allocatable when empty', () => assert.equal(isAllocatable(Resources.EMPTY, def), false));
});
