import { describe, expect, it } from '@jest/globals';
import { parseConflictPolicies } from './conflict-policy.js';
import { planImport, type ExistingAsset, type IncomingAsset, type TargetCatalog } from './import-planner.js';

const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function catalog(existing: ExistingAsset[]): TargetCatalog {
  return {
    byUuid: (type, uuid) => existing.find((e) => e.type === type && e.uuid === uuid),
    byName: (type, name) => existing.find((e) => e.type === type && e.name === name),
    nameTaken: (type, name) => existing.some((e) => e.type === type && e.name.toLowerCase() === name.toLowerCase()),
  };
}

const proxy = (n: number, name: string, requires: IncomingAsset['requires'] = []): IncomingAsset => ({
  type: 'apiProxy',
  uuid: U(n),
  name,
  path: `apiProxies/${name}.json`,
  basePath: `/${name}`,
  requires,
});
const policy = (n: number, name: string): IncomingAsset => ({ type: 'policy', uuid: U(n), name, path: `policies/${name}.json`, requires: [] });

describe('planImport', () => {
  const existing = catalog([
    { type: 'apiProxy', uuid: U(1), name: 'orders' },
    { type: 'policy', uuid: U(10), name: 'auth' },
  ]);

  it('creates what is new whatever the policy', () => {
    for (const word of ['fail', 'overwrite', 'rename', 'keep']) {
      const plan = planImport([proxy(2, 'billing')], existing, parseConflictPolicies(word));
      expect(plan.items[0]).toMatchObject({ action: 'create', uuid: U(2) });
      expect(plan.blocked).toBe(false);
    }
  });

  it('fail: a clash blocks the import and is listed', () => {
    const plan = planImport([proxy(1, 'orders'), policy(10, 'auth')], existing, parseConflictPolicies('fail'));
    expect(plan.blocked).toBe(true);
    expect(plan.items.map((i) => i.action)).toEqual(['conflict', 'conflict']);
  });

  it('overwrite replaces in place, keeping the target uuid when matched by name', () => {
    const plan = planImport([proxy(5, 'orders')], existing, parseConflictPolicies('overwrite'));
    expect(plan.items[0]).toMatchObject({ action: 'overwrite', uuid: U(1), sourceUuid: U(5) });
    expect(plan.items[0].warnings[0]).toContain('matched by name');
  });

  it('rename creates a suffixed copy with a new, reproducible uuid and base path', () => {
    const a = planImport([proxy(1, 'orders')], existing, parseConflictPolicies('rename'));
    const b = planImport([proxy(1, 'orders')], existing, parseConflictPolicies('rename'));
    expect(a.items[0]).toMatchObject({ action: 'rename', newName: 'orders-imported', newBasePath: '/orders-imported' });
    expect(a.items[0].uuid).not.toBe(U(1));
    expect(a.items[0].uuid).toBe(b.items[0].uuid);
  });

  it('keep skips the clash and points references at the existing asset', () => {
    const plan = planImport([policy(11, 'auth'), proxy(2, 'billing', [{ type: 'policy', uuid: U(11), name: 'auth' }])], existing, parseConflictPolicies({ policy: 'keep' }));
    expect(plan.items.find((i) => i.type === 'policy')).toMatchObject({ action: 'skip', uuid: U(10) });
    expect(plan.references.get(`policy:${U(11)}`)).toEqual({ uuid: U(10), name: 'auth' });
    expect(plan.items.find((i) => i.type === 'apiProxy')?.action).toBe('create');
  });

  it('inside one archive the first of two same-named assets wins, the rest fail', () => {
    const plan = planImport([proxy(2, 'twin'), proxy(3, 'twin')], existing, parseConflictPolicies('fail'));
    expect(plan.items.map((i) => i.action)).toEqual(['create', 'failed']);
    expect(plan.counts.apiProxy).toMatchObject({ created: 1, failed: 1 });
    expect(plan.blocked).toBe(false);
  });

  it('a missing required dependency fails its dependents, not the whole import', () => {
    const plan = planImport(
      [proxy(2, 'needs-missing', [{ type: 'policy', uuid: U(99), name: 'ghost' }]), proxy(3, 'fine', [{ type: 'policy', uuid: U(10), name: 'auth' }])],
      existing,
      parseConflictPolicies('fail'),
    );
    expect(plan.items[0]).toMatchObject({ action: 'failed', dependencyFailed: true });
    expect(plan.items[0].error).toContain('ghost');
    expect(plan.items[1].action).toBe('create');
    expect(plan.blocked).toBe(false);
  });

  it('clashFailsAsset: a fail clash fails that asset alone, and its dependents use the existing one', () => {
    const plan = planImport(
      [policy(11, 'auth'), proxy(1, 'orders', [{ type: 'policy', uuid: U(11), name: 'auth' }])],
      existing,
      parseConflictPolicies({ apiProxy: 'overwrite' }),
      { clashFailsAsset: true },
    );
    expect(plan.blocked).toBe(false);
    expect(plan.items.find((i) => i.type === 'policy')).toMatchObject({ action: 'failed', error: expect.stringContaining('already exists') });
    expect(plan.items.find((i) => i.type === 'apiProxy')).toMatchObject({ action: 'overwrite', uuid: U(1) });
    expect(plan.references.get(`policy:${U(11)}`)).toEqual({ uuid: U(10), name: 'auth' });
    expect(plan.counts.policy.failed).toBe(1);
  });

  it('onlyReplace: such an asset replaces an existing one or fails alone, never creates', () => {
    const onlyReplace = new Map([[`apiProxies/orders.json`, 'no routing'], [`apiProxies/billing.json`, 'no routing']]);
    const plan = planImport([proxy(1, 'orders'), proxy(2, 'billing')], existing, parseConflictPolicies('overwrite'), { onlyReplace });
    expect(plan.items.map((i) => [i.name, i.action, i.error])).toEqual([
      ['orders', 'overwrite', undefined],
      ['billing', 'failed', 'no routing'],
    ]);
    expect(plan.blocked).toBe(false);
  });

  it('rejects unknown conflict words and types', () => {
    expect(() => parseConflictPolicies('merge')).toThrow('conflicts must be one of');
    expect(() => parseConflictPolicies({ gadget: 'keep' })).toThrow('unknown asset type');
  });
});
