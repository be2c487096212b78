// API Gateway's per-frame rules, applied to the raw bytes a client sends. `ws` only reports whole messages (and
// its maxPayload limits messages, not frames), so the gateway reads each frame's header (RFC 6455 §5.2) off the
// socket itself, before ws parses the same bytes.
import type { Duplex } from 'node:stream';

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface FrameHeader {
  fin: boolean;
  opcode: number;
  masked: boolean;
  /** Payload bytes that follow the header (a 64-bit length beyond 2^53 is only approximate: still huge). */
  payloadLength: number;
}

/**
 * Finds frame headers in a byte stream delivered in arbitrary chunks: a header may be split across chunks, a
 * chunk may hold several frames. Payload bytes are skipped, never copied.
 */
export class FrameHeaderReader {
  private readonly header = Buffer.alloc(14);
  private have = 0;
  /** Header bytes needed: 2 until the length field says how many more follow. */
  private need = 2;
  private skip = 0;
  private stopped = false;

  /** `onHeader` returning false stops the reader (the connection is being closed). */
  constructor(private readonly onHeader: (header: FrameHeader) => boolean) {}

  write(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length && !this.stopped) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        continue;
      }
      const n = Math.min(this.need - this.have, chunk.length - at);
      this.header.set(chunk.subarray(at, at + n), this.have);
      this.have += n;
      at += n;
      if (this.have < this.need) return;
      if (this.need === 2) {
        const full = headerLength(this.header[1]!);
        if (full > 2) {
          this.need = full;
          continue;
        }
      }
      const header = parseHeader(this.header);
      this.have = 0;
      this.need = 2;
      this.skip = header.payloadLength;
      if (!this.onHeader(header)) this.stopped = true;
    }
  }
}

function headerLength(second: number): number {
  const len7 = second & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (second & 0x80 ? 4 : 0);
}

function parseHeader(bytes: Buffer): FrameHeader {
  const first = bytes[0]!;
  const second = bytes[1]!;
  const len7 = second & 0x7f;
  const payloadLength =
    len7 === 126
      ? bytes.readUInt16BE(2)
      : len7 === 127
        ? bytes.readUInt32BE(2) * 2 ** 32 + bytes.readUInt32BE(6)
        : len7;
  return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, masked: (second & 0x80) !== 0, payloadLength };
}

export interface FrameLimits {
  maxFrameBytes: number;
  maxMessageBytes: number;
}

/** Why a connection is closed; the reason texts are ours (AWS documents the codes, not the texts). */
export interface CloseReason {
  code: number;
  reason: string;
}

export const BINARY_FRAME_CLOSE: CloseReason = { code: 1003, reason: 'Binary frames are not supported; send text' };

export function frameTooBigClose(limits: FrameLimits): CloseReason {
  return {
    code: 1009,
    reason: `Frame over ${kib(limits.maxFrameBytes)}; split the message into frames of at most that`,
  };
}

export function messageTooBigClose(limits: FrameLimits): CloseReason {
  return { code: 1009, reason: `Message over ${kib(limits.maxMessageBytes)}` };
}

function kib(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} bytes`;
}

/**
 * The rules for one connection's frames, in the order a frame is judged: a binary data frame is refused (1003)
 * before its size is looked at; then the frame's own length; then the message it belongs to (the data frames
 * from a text frame to the continuation with FIN set). Control frames (ping, pong, close) are not data.
 */
export function frameRules(limits: FrameLimits): (header: FrameHeader) => CloseReason | undefined {
  let messageBytes = 0;
  return (header) => {
    if (header.opcode >= OPCODE.close) return undefined;
    if (header.opcode === OPCODE.binary) return BINARY_FRAME_CLOSE;
    if (header.payloadLength > limits.maxFrameBytes) return frameTooBigClose(limits);
    messageBytes = header.opcode === OPCODE.continuation ? messageBytes + header.payloadLength : header.payloadLength;
    if (messageBytes > limits.maxMessageBytes) return messageTooBigClose(limits);
    return undefined;
  };
}

/**
 * Applies `frameRules` to every chunk the client sends on `socket`, ahead of ws (call it right after ws took
 * the socket over, before any data flowed). The first broken rule is reported once, with the number of whole
 * messages the client sent before the offending frame (those are still the client's to have handled: ws may
 * report them after the violation when they arrived in the same chunk), and reading stops.
 */
export function guardFrames(
  socket: Duplex,
  limits: FrameLimits,
  onViolation: (close: CloseReason, messagesBefore: number) => void,
): void {
  const judge = frameRules(limits);
  let messages = 0;
  const reader = new FrameHeaderReader((header) => {
    const broken = judge(header);
    if (!broken) {
      if (header.fin && header.opcode < OPCODE.close) messages++;
      return true;
    }
    socket.removeListener('data', onData);
    onViolation(broken, messages);
    return false;
  });
  const onData = (chunk: Buffer) => reader.write(chunk);
  socket.prependListener('data', onData);
}
