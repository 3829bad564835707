import { describe, expect, it } from '@jest/globals';
import { AssetIdentities, type IncomingAsset } from './asset-identities.js';

const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('AssetIdentities', () => {
  it('gives back every field as it was added, past its expected size, multi-byte text included', () => {
    const identities = new AssetIdentities(2);
    const added: IncomingAsset[] = [];
    for (let i = 0; i < 40; i++) {
      const asset: IncomingAsset = {
        type: i % 2 ? 'apiProxy' : 'policy',
        uuid: U(i),
        name: i === 7 ? 'zahlungen-äöü-支付' : `asset-${i}`,
        path: `apiProxies/asset-${i}.json`,
        ...(i % 2 ? { basePath: i === 9 ? '' : `/asset-${i}` } : {}),
        requires: i === 5 ? [{ type: 'policy', uuid: U(4), name: 'asset-4' }] : [],
        ...(i === 3 ? { invalid: 'name: must not be empty' } : {}),
      };
      expect(identities.add(asset, 100 + i)).toBe(i);
      added.push(asset);
    }
    expect(identities.size).toBe(40);
    expect(added.map((_, i) => identities.get(i))).toEqual(added);
    expect(identities.entry(7)).toBe(107);
    // An empty base path is kept apart from none at all.
    expect(identities.basePath(9)).toBe('');
    expect(identities.basePath(8)).toBeUndefined();
    expect([...identities.withRequirements()]).toEqual([5]);
  });

  it('indexes by type and uuid, and by type and exact name, without confusing the types', () => {
    const identities = AssetIdentities.of([
      { type: 'policy', uuid: U(1), name: 'auth', path: 'policies/auth.json', requires: [] },
      { type: 'alias', uuid: U(1), name: 'Auth', path: 'aliases/auth.json', requires: [] },
    ]);
    const byUuid = identities.uuidIndex();
    const byName = identities.nameIndex();
    for (const i of [0, 1]) {
      byUuid.add(i);
      byName.add(i);
    }
    expect(byUuid.find(AssetIdentities.key('policy', U(1)))).toBe(0);
    expect(byUuid.find(AssetIdentities.key('alias', U(1)))).toBe(1);
    expect(byUuid.find(AssetIdentities.key('apiProxy', U(1)))).toBe(-1);
    expect(byName.find(AssetIdentities.key('alias', 'Auth'))).toBe(1);
    expect(byName.find(AssetIdentities.key('alias', 'auth'))).toBe(-1);
  });

  it('refuses a type it does not know', () => {
    expect(() => AssetIdentities.of([{ type: 'gadget' as never, uuid: U(1), name: 'x', path: 'x.json', requires: [] }])).toThrow('not an asset type');
  });
});
