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
      expect(plan.allItems()[0]).toMatchObject({ action: 'create', uuid: U(2) });
      expect(plan.blocked).toBe(false);
    }
  });

  it('fail: a clash blocks the import and is listed', () => {
    const plan = planImport([proxy(1, 'orders'), policy(10, 'auth')], existing, parseConflictPolicies('fail'));
    expect(plan.blocked).toBe(true);
    expect(plan.allItems().map((i) => i.action)).toEqual(['conflict', 'conflict']);
  });

  it('overwrite replaces in place, keeping the target uuid when matched by name', () => {
    const plan = planImport([proxy(5, 'orders')], existing, parseConflictPolicies('overwrite'));
    expect(plan.allItems()[0]).toMatchObject({ action: 'overwrite', uuid: U(1), sourceUuid: U(5) });
    expect(plan.allItems()[0].warnings[0]).toContain('matched by name');
  });

  it('rename creates a suffixed copy with a new, reproducible uuid and base path', () => {
    const a = planImport([proxy(1, 'orders')], existing, parseConflictPolicies('rename'));
    const b = planImport([proxy(1, 'orders')], existing, parseConflictPolicies('rename'));
    expect(a.allItems()[0]).toMatchObject({ action: 'rename', newName: 'orders-imported', newBasePath: '/orders-imported' });
    expect(a.allItems()[0].uuid).not.toBe(U(1));
    expect(a.allItems()[0].uuid).toBe(b.allItems()[0].uuid);
  });

  it('keep skips the clash and points references at the existing asset', () => {
    const plan = planImport([policy(11, 'auth'), proxy(2, 'billing', [{ type: 'policy', uuid: U(11), name: 'auth' }])], existing, parseConflictPolicies({ policy: 'keep' }));
    expect(plan.allItems().find((i) => i.type === 'policy')).toMatchObject({ action: 'skip', uuid: U(10) });
    expect(plan.references.get(`policy:${U(11)}`)).toEqual({ uuid: U(10), name: 'auth' });
    expect(plan.allItems().find((i) => i.type === 'apiProxy')?.action).toBe('create');
  });

  it('inside one archive the first of two same-named assets wins, the rest fail', () => {
    const plan = planImport([proxy(2, 'twin'), proxy(3, 'twin')], existing, parseConflictPolicies('fail'));
    expect(plan.allItems().map((i) => i.action)).toEqual(['create', 'failed']);
    expect(plan.counts.apiProxy).toMatchObject({ created: 1, failed: 1 });
    expect(plan.blocked).toBe(false);
  });

  it('a missing required dependency fails its dependents, not the whole import', () => {
    const plan = planImport(
      [proxy(2, 'needs-missing', [{ type: 'policy', uuid: U(99), name: 'ghost' }]), proxy(3, 'fine', [{ type: 'policy', uuid: U(10), name: 'auth' }])],
      existing,
      parseConflictPolicies('fail'),
    );
    expect(plan.allItems()[0]).toMatchObject({ action: 'failed', dependencyFailed: true });
    expect(plan.allItems()[0].error).toContain('ghost');
    expect(plan.allItems()[1].action).toBe('create');
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
    expect(plan.allItems().find((i) => i.type === 'policy')).toMatchObject({ action: 'failed', error: expect.stringContaining('already exists') });
    expect(plan.allItems().find((i) => i.type === 'apiProxy')).toMatchObject({ action: 'overwrite', uuid: U(1) });
    expect(plan.references.get(`policy:${U(11)}`)).toEqual({ uuid: U(10), name: 'auth' });
    expect(plan.counts.policy.failed).toBe(1);
  });

  it('onlyReplace: such an asset replaces an existing one or fails alone, never creates', () => {
    const onlyReplace = new Map([[`apiProxies/orders.json`, 'no routing'], [`apiProxies/billing.json`, 'no routing']]);
    const plan = planImport([proxy(1, 'orders'), proxy(2, 'billing')], existing, parseConflictPolicies('overwrite'), { onlyReplace });
    expect(plan.allItems().map((i) => [i.name, i.action, i.error])).toEqual([
      ['orders', 'overwrite', undefined],
      ['billing', 'failed', 'no routing'],
    ]);
    expect(plan.blocked).toBe(false);
  });

  it('plans dependencies first; a failure travels down a chain, and references follow what each asset became', () => {
    const alias = (n: number, name: string): IncomingAsset => ({ type: 'alias', uuid: U(n), name, path: `aliases/${name}.json`, requires: [] });
    const needsAlias = (n: number, name: string, aliasName: string, aliasUuid: string): IncomingAsset => ({
      ...policy(n, name),
      requires: [{ type: 'alias', uuid: aliasUuid, name: aliasName }],
    });
    const plan = planImport(
      [
        proxy(1, 'orders', [{ type: 'policy', uuid: U(20), name: 'auth' }]),
        proxy(2, 'chained', [{ type: 'policy', uuid: U(21), name: 'broken' }]),
        needsAlias(20, 'auth', 'keys', U(30)),
        needsAlias(21, 'broken', 'ghost', U(99)),
        alias(30, 'keys'),
      ],
      existing,
      parseConflictPolicies({ apiProxy: 'rename', policy: 'keep' }),
    );
    expect(plan.allItems().map((i) => [i.type, i.name, i.action, i.dependencyFailed ?? false])).toEqual([
      ['alias', 'keys', 'create', false],
      ['policy', 'auth', 'skip', false],
      ['policy', 'broken', 'failed', true],
      ['apiProxy', 'orders', 'rename', false],
      ['apiProxy', 'chained', 'failed', true],
    ]);
    expect(plan.item(4).error).toContain('requires policy "broken"');
    // A reference to the renamed proxy gets its new identity; to the kept policy, the existing one.
    expect(plan.references.resolve('apiProxy', U(1))).toEqual({ uuid: plan.item(3).uuid, name: 'orders-imported' });
    expect(plan.references.resolve('policy', U(20))).toEqual({ uuid: U(10), name: 'auth' });
    expect(plan.references.resolve('alias', U(30))).toEqual({ uuid: U(30), name: 'keys' });
    // What failed is nothing a reference may point to.
    expect(plan.references.resolve('policy', U(21))).toBeUndefined();
    expect(plan.references.resolve('apiProxy', U(2))).toBeUndefined();
    expect(plan.counts.apiProxy).toMatchObject({ renamed: 1, failed: 1 });
  });

  it('rejects unknown conflict words and types', () => {
    expect(() => parseConflictPolicies('merge')).toThrow('conflicts must be one of');
    expect(() => parseConflictPolicies({ gadget: 'keep' })).toThrow('unknown asset type');
  });
});
