import { describe, expect, it } from 'vitest';
import { isWellFormedJoinCode, normalizeJoinCode } from '../../src/lib/join-code.ts';

describe('join codes', () => {
  it('accepts any case, spaces and dashes', () => {
    expect(normalizeJoinCode(' k7m-2qx ')).toBe('K7M2QX');
    expect(isWellFormedJoinCode(normalizeJoinCode('k7m 2qx'))).toBe(true);
  });

  it('rejects codes of the wrong length or with other characters', () => {
    expect(isWellFormedJoinCode('K7M2Q')).toBe(false);
    expect(isWellFormedJoinCode('K7M2QXX')).toBe(false);
    expect(isWellFormedJoinCode('K7M2Q!')).toBe(false);
  });
});
