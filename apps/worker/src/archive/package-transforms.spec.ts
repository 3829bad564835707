import { describe, expect, it } from '@jest/globals';
import type { ImportPayload } from '#jobs';
import { deployedEnvironments } from './asset-state.js';
import { followPkiReference, keepKnownAdmins, routingLeftOut } from './package-transforms.js';

const payload = (overrides: Partial<ImportPayload> = {}) => ({ ...overrides }) as ImportPayload;

describe('package import transforms', () => {
  it('a proxy without routing validates with a stand-in and can only replace, unless the import brings routing', () => {
    const doc = { name: 'orders', basePath: '/orders' };
    const left = routingLeftOut(doc, payload());
    expect(left.checked.routing).toBeDefined();
    expect(left.onlyReplace).toContain('without its implementation services');
    expect(routingLeftOut(doc, payload({ routing: { algorithm: 'RANDOM' } })).onlyReplace).toBeUndefined();
    const withRouting = { ...doc, routing: { algorithm: 'RANDOM', addressList: [] } };
    expect(routingLeftOut(withRouting, payload())).toEqual({ checked: withRouting });
  });

  it('keeps admin relationships to known users and warns about the others', () => {
    const doc: Record<string, unknown> = { admins: [{ user: 'alice' }, { user: 'bob' }] };
    expect(keepKnownAdmins(doc, new Set(['alice']))).toEqual(['admin "bob" is not a user of this instance; the relationship was not imported']);
    expect(doc.admins).toEqual([{ user: 'alice' }]);
    expect(keepKnownAdmins({}, new Set())).toEqual([]);
  });

  it('reads where an archived proxy was deployed (deployed ones only)', () => {
    expect(deployedEnvironments({ deployments: [{ environment: 'edge', status: 'deployed' }, { environment: 'old', status: 'failed' }] })).toEqual(['edge']);
    expect(deployedEnvironments({})).toEqual([]);
  });

  it('a PKI reference follows its alias to what the import made of it, or is left to look for', () => {
    const renamed = { pki: { uuid: 'a1', name: 'orders-pki' } } as Record<string, unknown>;
    expect(followPkiReference(renamed, new Map([['alias:a1', { uuid: 'b2', name: 'orders-pki-imported' }]]))).toBeUndefined();
    expect(renamed.pki).toEqual({ uuid: 'b2', name: 'orders-pki-imported' });
    expect(followPkiReference({ pki: { uuid: 'a1', name: 'orders-pki' } }, new Map())).toEqual({ uuid: 'a1', name: 'orders-pki' });
    expect(followPkiReference({}, new Map())).toBeUndefined();
  });
});
