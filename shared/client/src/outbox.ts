// The speaker's outgoing audio, free of I/O: slices PCM into numbered frames and keeps each one until the
// server has confirmed it (a welcome's lastSeq), so a reconnect can resend exactly what the server lacks.
import { MAX_FRAME_MS, MIN_FRAME_MS, MIN_FRAME_SAMPLES, SAMPLE_RATE } from '@llt/events';

export type FrameSentHook = (seq: number, sendTime: number, frameStartSample: number) => void;

export interface OutFrame {
  seq: number;
  /** Epoch ms at which the frame's first sample was captured. */
  captureTime: number;
  samples: Int16Array;
  /** How many times the frame has been handed to a socket. */
  sends: number;
  /** Where the frame starts in the caller's audio, for `onSent`. */
  startSample?: number;
  onSent?: FrameSentHook;
}

export interface FrameTag {
  /** Position of the pushed chunk's first sample in the caller's audio. */
  startSample: number;
  onSent: FrameSentHook;
}

export interface WelcomeOutcome {
  /** Frames the server confirmed, now dropped from the buffer. */
  acknowledged: number;
  /** Frames that will be (re)sent on this connection, oldest first. */
  pending: number;
  /** How far frames were renumbered because the session already had audio before this client's first frame. */
  renumberedBy: number;
  /** Frames the server never got that are gone from the buffer (it overflowed while disconnected). */
  lost?: { from: number; to: number };
}

export interface OutboxOptions {
  frameMs?: number;
  /** Longest audio kept for resending; beyond it the oldest frames are dropped. Default 5 minutes. */
  maxBufferedMs?: number;
}

export const DEFAULT_FRAME_MS = 100;
export const DEFAULT_MAX_BUFFERED_MS = 5 * 60_000;

/** Samples per frame for a frame length in ms, which must fit the protocol's 20–100 ms and whole samples. */
export function frameSamplesFor(frameMs: number): number {
  const samples = (frameMs * SAMPLE_RATE) / 1000;
  if (!Number.isInteger(samples) || frameMs < MIN_FRAME_MS || frameMs > MAX_FRAME_MS) {
    throw new RangeError(`Frame length must be ${MIN_FRAME_MS}-${MAX_FRAME_MS} ms (whole 1/16 ms), got ${frameMs}`);
  }
  return samples;
}

export function samplesToMs(samples: number): number {
  return (samples * 1000) / SAMPLE_RATE;
}

// Whether Int16Array memory is already little-endian (checked on the data, so the module runs in browsers too).
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The s16le bytes of the samples; a zero-copy view on little-endian hosts. */
export function pcmBytes(samples: Int16Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = new Uint8Array(samples.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, true);
  return out;
}

export class Outbox {
  readonly frameSamples: number;
  readonly maxFrames: number;
  private frames: OutFrame[] = [];
  /** frames[0..cursor) have been sent on the current connection. */
  private cursor = 0;
  /** Frames the server asked for again (frame_not_stored), sent before anything new. */
  private retries: OutFrame[] = [];
  private nextSeq = 0;
  private welcomed = false;
  private pending = new Int16Array(0);
  private pendingLength = 0;
  private pendingCaptureTime = 0;
  private pendingTag: FrameTag | undefined;
  private pendingTagOffset = 0;
  /** Frames dropped from a full buffer before they were ever sent. */
  droppedUnsent = 0;

  constructor(options: OutboxOptions = {}) {
    this.frameSamples = frameSamplesFor(options.frameMs ?? DEFAULT_FRAME_MS);
    const maxMs = options.maxBufferedMs ?? DEFAULT_MAX_BUFFERED_MS;
    this.maxFrames = Math.max(1, Math.ceil(maxMs / samplesToMs(this.frameSamples)));
    this.pending = new Int16Array(this.frameSamples);
  }

  /** The last sequence number handed out, or -1 before the first frame. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** The oldest frame not yet confirmed by the server, if any. */
  get oldestSeq(): number | undefined {
    return this.frames[0]?.seq;
  }

  /** Frames buffered (sent or not) until a welcome confirms them. */
  get size(): number {
    return this.frames.length;
  }

  /** Frames still to be handed to the current connection. */
  get unsent(): number {
    return this.frames.length - this.cursor + this.retries.length;
  }

  /** Samples waiting for enough company to fill a frame. */
  get partialSamples(): number {
    return this.pendingLength;
  }

  /** Sequence numbers currently buffered, oldest first (for diagnostics and tests). */
  bufferedSeqs(): number[] {
    return this.frames.map((f) => f.seq);
  }

  /**
   * Adds captured audio starting at `captureTime`. Whole frames are numbered and queued at once; a remainder
   * waits for the next push (or `flush`) so that every frame but the last has the configured length.
   */
  push(samples: Int16Array, captureTime: number, tag?: FrameTag): OutFrame[] {
    const out: OutFrame[] = [];
    const size = this.frameSamples;
    let offset = 0;
    if (this.pendingLength > 0) {
      const take = Math.min(size - this.pendingLength, samples.length);
      this.pending.set(samples.subarray(0, take), this.pendingLength);
      this.pendingLength += take;
      offset = take;
      if (this.pendingLength === size) out.push(this.emitPending(size));
    }
    while (samples.length - offset >= size) {
      out.push(this.add(samples.slice(offset, offset + size), captureTime + samplesToMs(offset), tag, offset));
      offset += size;
    }
    if (offset < samples.length) {
      this.pending.set(samples.subarray(offset), 0);
      this.pendingLength = samples.length - offset;
      this.pendingCaptureTime = captureTime + samplesToMs(offset);
      this.pendingTag = tag;
      this.pendingTagOffset = offset;
    }
    return out;
  }

  /** Queues the partial frame, padded with silence to the protocol's minimum frame length if it is shorter. */
  flush(): OutFrame[] {
    if (this.pendingLength === 0) return [];
    return [this.emitPending(Math.max(this.pendingLength, MIN_FRAME_SAMPLES))];
  }

  private emitPending(length: number): OutFrame {
    const samples = new Int16Array(length);
    samples.set(this.pending.subarray(0, this.pendingLength));
    const frame = this.add(samples, this.pendingCaptureTime, this.pendingTag, this.pendingTagOffset);
    this.pendingLength = 0;
    this.pendingTag = undefined;
    return frame;
  }

  private add(samples: Int16Array, captureTime: number, tag: FrameTag | undefined, offset: number): OutFrame {
    const frame: OutFrame = { seq: this.nextSeq++, captureTime, samples, sends: 0 };
    if (tag) {
      frame.startSample = tag.startSample + offset;
      frame.onSent = tag.onSent;
    }
    this.frames.push(frame);
    if (this.frames.length > this.maxFrames) {
      const evicted = this.frames.shift()!;
      if (this.cursor > 0) this.cursor--;
      if (evicted.sends === 0) this.droppedUnsent++;
      this.retries = this.retries.filter((f) => f !== evicted);
    }
    return frame;
  }

  /** The frame `take` would return, without taking it. */
  peek(): OutFrame | undefined {
    return this.retries[0] ?? this.frames[this.cursor];
  }

  /** The next frame to send on the current connection, counted as sent. */
  take(): OutFrame | undefined {
    const frame = this.retries.shift() ?? this.frames[this.cursor++];
    if (!frame) {
      this.cursor = this.frames.length;
      return undefined;
    }
    frame.sends++;
    return frame;
  }

  /**
   * A (re)connection was welcomed: frames up to `lastSeq` are stored and dropped; everything after it is sent
   * again in order. Before the first welcome nothing has been sent, so if the session already holds audio
   * (a second run joining an existing session) the buffered frames are renumbered to follow it.
   */
  welcome(lastSeq: number | null): WelcomeOutcome {
    let renumberedBy = 0;
    if (!this.welcomed) {
      this.welcomed = true;
      const first = this.frames[0]?.seq ?? this.nextSeq;
      if (lastSeq !== null && lastSeq >= first) {
        renumberedBy = lastSeq + 1 - first;
        for (const frame of this.frames) frame.seq += renumberedBy;
        this.nextSeq += renumberedBy;
      }
    }
    const oldest = this.frames[0]?.seq ?? this.nextSeq;
    const acknowledged = this.acknowledge(lastSeq);
    this.cursor = 0;
    this.retries = [];
    const confirmed = lastSeq ?? -1;
    const outcome: WelcomeOutcome = { acknowledged, pending: this.frames.length, renumberedBy };
    if (confirmed + 1 < oldest) outcome.lost = { from: confirmed + 1, to: oldest - 1 };
    return outcome;
  }

  /** Drops frames the server confirmed it stored (seq <= lastSeq); returns how many. */
  acknowledge(lastSeq: number | null): number {
    if (lastSeq === null) return 0;
    let count = 0;
    while (count < this.frames.length && this.frames[count]!.seq <= lastSeq) count++;
    if (count === 0) return 0;
    this.frames.splice(0, count);
    this.cursor = Math.max(0, this.cursor - count);
    this.retries = this.retries.filter((f) => f.seq > lastSeq);
    return count;
  }

  /** The server could not store `seq`: send it again ahead of new frames. False if it is no longer buffered. */
  requeue(seq: number): boolean {
    const index = this.frames.findIndex((f) => f.seq === seq);
    // Not yet sent on this connection: it will go out in order anyway.
    if (index < 0 || index >= this.cursor) return index >= 0;
    const frame = this.frames[index]!;
    if (!this.retries.includes(frame)) this.retries.push(frame);
    return true;
  }
}
