// Standard base64 (RFC 4648 §4, with padding) for the audio text frames, the same in browsers and Node:
// no Buffer, no atob/btoa (those go through binary strings), strict on input so a text message is either a
// well-formed encoding or rejected as such.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ENCODE = Array.from(ALPHABET, (c) => c.charCodeAt(0));
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ENCODE.length; i++) DECODE[ENCODE[i]!] = i;
const PAD = 61; // '='

/** The base64 text of `bytes`, padded to a multiple of 4 characters. */
export function toBase64(bytes: Uint8Array): string {
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
  return latin1(out);
}

/**
 * The bytes `text` encodes, or undefined when it is not canonical padded base64: a length that is not a
 * multiple of 4, a character outside the alphabet, padding anywhere but the end, or non-zero bits under the
 * padding (which would let two texts decode to the same bytes).
 */
export function fromBase64(text: string): Uint8Array | undefined {
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
}

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? DECODE[code]! : -1;
}

/** Bytes below 128 as a string, in chunks small enough for the argument limit of `fromCharCode`. */
function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}
