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

  it("name patterns are globs turned into ILIKE patterns, with LIKE's own wildcards taken literally", () => {
    expect(namePattern('ord*')).toBe('ord%');
    expect(namePattern('v?-**')).toBe('v_-%');
    expect(namePattern('100%_off\\')).toBe('100\\%\\_off\\\\');
    expect(() => namePattern('x'.repeat(257))).toThrow('longer than 256');
  });

  it('flags are true or false, with a default when absent', () => {
    expect(parseFlag(undefined, 'x', true)).toBe(true);
    expect(parseFlag('FALSE', 'x', true)).toBe(false);
    expect(() => parseFlag('yes', 'x', false)).toThrow('x must be true or false');
  });
});
