import { describe, expect, it } from '@jest/globals';
import { namePattern, parseFlag, parseIdList, parseOverwrite } from './asset-selection.js';

describe('asset archive face parameters', () => {
  it('overwrite names the types that overwrite; every other type fails on a clash', () => {
    expect(parseOverwrite(undefined)).toEqual({ apiProxy: 'fail', policy: 'fail', alias: 'fail', application: 'fail' });
    expect(parseOverwrite('apis, Policies')).toEqual({ apiProxy: 'overwrite', policy: 'overwrite', alias: 'fail', application: 'fail' });
    expect(parseOverwrite('*')).toEqual({ apiProxy: 'overwrite', policy: 'overwrite', alias: 'overwrite', application: 'overwrite' });
    expect(() => parseOverwrite('apis,users')).toThrow('Unknown asset type "users"');
  });

  it('id lists: absent, *, comma-separated or repeated; * mixed with ids is refused', () => {
    expect(parseIdList(undefined, 'apis')).toEqual([]);
    expect(parseIdList('*', 'apis')).toBe('*');
    expect(parseIdList(['a,b', 'b', ' c '], 'apis')).toEqual(['a', 'b', 'c']);
    expect(() => parseIdList('a,*', 'apis')).toThrow('either * or a list');
  });

  it('name patterns are anchored, case-insensitive globs with no regular-expression syntax', () => {
    expect(namePattern('ord*').test('Orders')).toBe(true);
    expect(namePattern('ord*').test('reorders')).toBe(false);
    expect(namePattern('v?').test('v1')).toBe(true);
    expect(namePattern('a.b').test('axb')).toBe(false);
    expect(namePattern('(a+)+$').test('(a+)+$')).toBe(true);
  });

  it('flags are true or false, with a default when absent', () => {
    expect(parseFlag(undefined, 'x', true)).toBe(true);
    expect(parseFlag('FALSE', 'x', true)).toBe(false);
    expect(() => parseFlag('yes', 'x', false)).toThrow('x must be true or false');
  });
});
