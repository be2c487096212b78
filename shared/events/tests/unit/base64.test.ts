import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, portableBase64, toBase64 } from '../../src/protocol/base64.ts';

// Node's codec (Buffer) and the one browsers run, held to the same rules.
const codecs = [
  { name: 'node', encode: toBase64, decode: fromBase64 },
  { name: 'portable', encode: portableBase64.encode, decode: portableBase64.decode },
];

describe.each(codecs)('base64 ($name)', ({ encode: toBase64, decode: fromBase64 }) => {
  it('matches the RFC 4648 test vectors', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of vectors) {
      const bytes = new TextEncoder().encode(plain);
      expect(toBase64(bytes)).toBe(encoded);
      expect(fromBase64(encoded)).toEqual(bytes);
    }
  });

  it('agrees with Node for any bytes, both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (bytes) => {
        const text = toBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(fromBase64(text)).toEqual(bytes);
      }),
    );
  });

  it('refuses what is not canonical padded base64', () => {
    for (const bad of [
      'Zg', // unpadded
      'Zg=', // length not a multiple of 4
      'Z===',
      '=Zg=',
      'Zm9v Yg==',
      'Zm9vYg==Zm9v', // padding in the middle
      'Zh==', // non-zero bits under the padding
      'Zm9=',
      'Zm-_', // URL-safe alphabet
      'Zm9vé===',
      '{"a"',
    ]) {
      expect(fromBase64(bad), bad).toBeUndefined();
    }
  });
});
