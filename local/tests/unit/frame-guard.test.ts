// Reading WebSocket frame headers off raw client bytes, and API Gateway's frame rules applied to them.
import { describe, expect, test } from 'vitest';
import {
  BINARY_FRAME_CLOSE,
  type FrameHeader,
  FrameHeaderReader,
  frameRules,
  OPCODE,
} from '../../src/gateway/frame-guard.ts';

/** One frame as a client sends it: masked unless told otherwise, the length in its shortest form unless forced. */
function frame(
  opcode: number,
  payloadLength: number,
  { fin = true, masked = true, form }: { fin?: boolean; masked?: boolean; form?: 7 | 16 | 64 } = {},
): Buffer {
  const bits = form ?? (payloadLength < 126 ? 7 : payloadLength < 65_536 ? 16 : 64);
  const length = bits === 7 ? Buffer.alloc(0) : Buffer.alloc(bits === 16 ? 2 : 8);
  if (bits === 16) length.writeUInt16BE(payloadLength);
  if (bits === 64) length.writeBigUInt64BE(BigInt(payloadLength));
  const first = Buffer.from([
    (fin ? 0x80 : 0) | opcode,
    (masked ? 0x80 : 0) | (bits === 7 ? payloadLength : bits === 16 ? 126 : 127),
  ]);
  const mask = masked ? Buffer.from([0x12, 0x34, 0x56, 0x78]) : Buffer.alloc(0);
  // Payload bytes that look like headers must be skipped, not read.
  return Buffer.concat([first, length, mask, Buffer.alloc(payloadLength, 0x82)]);
}

function headersOf(chunks: Buffer[]): FrameHeader[] {
  const seen: FrameHeader[] = [];
  const reader = new FrameHeaderReader((header) => {
    seen.push(header);
    return true;
  });
  for (const chunk of chunks) reader.write(chunk);
  return seen;
}

const header = (opcode: number, payloadLength: number, fin = true, masked = true): FrameHeader => ({
  fin,
  opcode,
  masked,
  payloadLength,
});

describe('FrameHeaderReader', () => {
  test('reads 7-bit, 16-bit and 64-bit lengths', () => {
    const stream = Buffer.concat([
      frame(OPCODE.text, 0),
      frame(OPCODE.text, 125),
      frame(OPCODE.text, 126),
      frame(OPCODE.text, 65_535),
      frame(OPCODE.text, 65_536),
      frame(OPCODE.text, 10, { form: 64 }),
    ]);
    expect(headersOf([stream])).toEqual([
      header(OPCODE.text, 0),
      header(OPCODE.text, 125),
      header(OPCODE.text, 126),
      header(OPCODE.text, 65_535),
      header(OPCODE.text, 65_536),
      header(OPCODE.text, 10),
    ]);
  });

  test('finds the same headers however the bytes are split into chunks', () => {
    const stream = Buffer.concat([
      frame(OPCODE.text, 40, { fin: false }),
      frame(OPCODE.ping, 4),
      frame(OPCODE.continuation, 300, { fin: false }),
      frame(OPCODE.continuation, 70_000),
      frame(OPCODE.text, 5, { masked: false }),
    ]);
    const expected = [
      header(OPCODE.text, 40, false),
      header(OPCODE.ping, 4),
      header(OPCODE.continuation, 300, false),
      header(OPCODE.continuation, 70_000),
      header(OPCODE.text, 5, true, false),
    ];
    // Every two-way split, including inside each header's length and mask bytes.
    for (let cut = 0; cut <= stream.length; cut += cut < 400 ? 1 : 997) {
      expect(headersOf([stream.subarray(0, cut), stream.subarray(cut)]), `cut at ${cut}`).toEqual(expected);
    }
    // One byte at a time.
    const bytes = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    expect(headersOf(bytes)).toEqual(expected);
  });

  test('a 64-bit length beyond what Node buffers hold is still read as huge', () => {
    const bytes = Buffer.from([0x81, 0xff, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
    expect(headersOf([bytes])[0]?.payloadLength).toBe(2 ** 52);
  });

  test('stops reading when told to', () => {
    const seen: number[] = [];
    const reader = new FrameHeaderReader((h) => {
      seen.push(h.payloadLength);
      return h.payloadLength !== 2;
    });
    reader.write(Buffer.concat([frame(OPCODE.text, 1), frame(OPCODE.text, 2), frame(OPCODE.text, 3)]));
    expect(seen).toEqual([1, 2]);
  });
});

describe('frameRules', () => {
  const limits = { maxFrameBytes: 32 * 1024, maxMessageBytes: 128 * 1024 };

  test('a binary frame is refused with 1003, whatever its size', () => {
    expect(frameRules(limits)(header(OPCODE.binary, 10))).toEqual(BINARY_FRAME_CLOSE);
    expect(frameRules(limits)(header(OPCODE.binary, 1_000_000))).toEqual({
      code: 1003,
      reason: 'Binary frames are not supported; send text',
    });
  });

  test('a frame over 32 KB is refused with 1009 even inside a message under 128 KB', () => {
    const judge = frameRules(limits);
    expect(judge(header(OPCODE.text, 32 * 1024, false))).toBeUndefined();
    expect(judge(header(OPCODE.continuation, 40 * 1024))).toEqual({
      code: 1009,
      reason: 'Frame over 32 KB; split the message into frames of at most that',
    });
  });

  test('frames of one message count together against 128 KB; the next message starts from zero', () => {
    const judge = frameRules(limits);
    expect(judge(header(OPCODE.text, 25_600, false))).toBeUndefined();
    for (let i = 0; i < 3; i++) expect(judge(header(OPCODE.continuation, 25_600, i === 2))).toBeUndefined();
    // Control frames between fragments are not part of the message.
    expect(judge(header(OPCODE.ping, 100))).toBeUndefined();
    expect(judge(header(OPCODE.text, 32 * 1024, false))).toBeUndefined();
    for (let i = 0; i < 3; i++) expect(judge(header(OPCODE.continuation, 32 * 1024, false))).toBeUndefined();
    expect(judge(header(OPCODE.continuation, 1))).toEqual({ code: 1009, reason: 'Message over 128 KB' });
  });
});
