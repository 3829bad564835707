import { describe, expect, it } from '@jest/globals';
import { displayPrefix, generateToken, hashToken, isWellFormedToken } from './tokens.js';

describe('personal access tokens', () => {
  it('generates afy_ tokens whose checksum verifies', () => {
    const token = generateToken();
    expect(token).toMatch(/^afy_[0-9A-Za-z]{38}$/);
    expect(isWellFormedToken(token)).toBe(true);
  });

  it('rejects a token with one character changed', () => {
    const token = generateToken();
    const last = token.at(-8) === 'a' ? 'b' : 'a';
    const typo = token.slice(0, -8) + last + token.slice(-7);
    expect(isWellFormedToken(typo)).toBe(false);
    expect(isWellFormedToken('afy_short')).toBe(false);
    expect(isWellFormedToken('ghp_' + token.slice(4))).toBe(false);
  });

  it('hashes to hex SHA-256 and shows only a short prefix', () => {
    const token = generateToken();
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(displayPrefix(token)).toHaveLength(10);
    expect(token.startsWith(displayPrefix(token))).toBe(true);
  });
});
