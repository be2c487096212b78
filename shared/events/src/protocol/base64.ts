// Standard base64 (RFC 4648 §4, with padding) for the audio text frames, the same in browsers and Node: Node's
// Buffer where there is one (native: ~40× faster), else a table-driven codec (no atob/btoa, which go through
// binary strings). Strict on input, so a text message is either the one canonical encoding or rejected as such.

type NodeBytes = Uint8Array & { toString(encoding: 'base64'): string };
interface NodeBufferStatic {
  from(text: string, encoding: 'base64'): NodeBytes;
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): NodeBytes;
}

/** Node's Buffer, where the platform has it (never imported: this module also runs in browsers). */
const NodeBuffer = (globalThis as { Buffer?: NodeBufferStatic }).Buffer;

/** The base64 text of `bytes`, padded to a multiple of 4 characters. */
export function toBase64(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return portableBase64.encode(bytes);
}

/**
 * The bytes `text` encodes, or undefined when it is not canonical padded base64: a length that is not a
 * multiple of 4, a character outside the alphabet, padding anywhere but the end, or non-zero bits under the
 * padding (which would let two texts decode to the same bytes).
 */
export function fromBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  if (NodeBuffer) {
    // Node decodes leniently (it skips what is not base64): only a text that encodes back to itself is canonical.
    const bytes = NodeBuffer.from(text, 'base64');
    return bytes.toString('base64') === text
      ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      : undefined;
  }
  return portableBase64.decode(text);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ENCODE = Array.from(ALPHABET, (c) => c.charCodeAt(0));
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ENCODE.length; i++) DECODE[ENCODE[i]!] = i;
const PAD = 61; // '='
const ascii = new TextDecoder();

/** The codec browsers use (exported so Node can test it too). */
export const portableBase64 = {
  encode(bytes: Uint8Array): string {
    const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
    let o = 0;
    let i = 0;
    for (; i + 2 < bytes.length; i += 3) {
      const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
      out[o++] = ENCODE[n >>> 18]!;
      out[o++] = ENCODE[(n >>> 12) & 63]!;
      out[o++] = ENCODE[(n >>> 6) & 63]!;
      out[o++] = ENCODE[n & 63]!;
    }
    const rest = bytes.length - i;
    if (rest > 0) {
      const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
      out[o++] = ENCODE[n >>> 18]!;
      out[o++] = ENCODE[(n >>> 12) & 63]!;
      out[o++] = rest === 2 ? ENCODE[(n >>> 6) & 63]! : PAD;
      out[o++] = PAD;
    }
    return ascii.decode(out);
  },

  decode(text: string): Uint8Array | undefined {
    const length = text.length;
    if (length % 4 !== 0) return undefined;
    const padding =
      length === 0 ? 0 : text.charCodeAt(length - 1) === PAD ? (text.charCodeAt(length - 2) === PAD ? 2 : 1) : 0;
    const out = new Uint8Array((length / 4) * 3 - padding);
    let o = 0;
    const whole = length - (padding > 0 ? 4 : 0);
    for (let i = 0; i < whole; i += 4) {
      const a = sextet(text, i);
      const b = sextet(text, i + 1);
      const c = sextet(text, i + 2);
      const d = sextet(text, i + 3);
      if ((a | b | c | d) < 0) return undefined;
      const n = (a << 18) | (b << 12) | (c << 6) | d;
      out[o++] = n >>> 16;
      out[o++] = (n >>> 8) & 255;
      out[o++] = n & 255;
    }
    if (padding > 0) {
      const a = sextet(text, whole);
      const b = sextet(text, whole + 1);
      const c = padding === 1 ? sextet(text, whole + 2) : 0;
      if ((a | b | c) < 0) return undefined;
      const n = (a << 18) | (b << 12) | (c << 6);
      if ((padding === 2 ? n & 0xffff : n & 0xff) !== 0) return undefined;
      out[o++] = n >>> 16;
      if (padding === 1) out[o++] = (n >>> 8) & 255;
    }
    return out;
  },
};

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? DECODE[code]! : -1;
}
