// One speaker's benchmark stream: utterances back to back with silence between them, where each one's speech
// lies in the stream, when the frame carrying a given sample actually went out, and which recognised segments
// belong to which utterance.
import type { FrameSentHook } from '@llt/cli';
import type { LoadedUtterance } from './corpus.ts';

export interface TimelineSpan<E> {
  entry: E;
  /** Sample positions in the streamed audio: where the utterance's file starts, its first voiced sample and
   * one past its last. */
  offset: number;
  speechStart: number;
  speechEnd: number;
}

/** Lead silence, then each utterance followed by `gapMs` of silence. */
export function buildTimeline<E extends { name: string }>(
  utterances: readonly LoadedUtterance<E>[],
  gapMs: number,
): { audio: Int16Array; spans: TimelineSpan<E>[] } {
  const gap = new Int16Array(Math.round((16_000 * gapMs) / 1000));
  const parts: Int16Array[] = [gap];
  const spans: TimelineSpan<E>[] = [];
  let offset = gap.length; // lead silence
  for (const u of utterances) {
    spans.push({ entry: u.entry, offset, speechStart: offset + u.span.first, speechEnd: offset + u.span.last + 1 });
    parts.push(u.samples, gap);
    offset += u.samples.length + gap.length;
  }
  const audio = new Int16Array(offset);
  let at = 0;
  for (const p of parts) {
    audio.set(p, at);
    at += p.length;
  }
  return { audio, spans };
}

/**
 * When each frame of a stream first went out (SpeakerClient's onFrameSent), to tell when a given sample was
 * sent: pass `log.onFrameSent` to streamRealtime.
 */
export class SendLog {
  private readonly starts: number[] = [];
  private readonly times: number[] = [];

  /** `frameSamples`: the client's frame length (SpeakerClient.frameSamples). */
  constructor(private readonly frameSamples: number) {}

  readonly onFrameSent: FrameSentHook = (_seq, sendTime, frameStartSample) => {
    // Frames go out in order, so both arrays stay sorted by sample.
    this.starts.push(frameStartSample);
    this.times.push(sendTime);
  };

  /** Clock time the frame holding `sample` was first sent, or undefined if it never was. */
  sentAt(sample: number): number | undefined {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= sample) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    // The last frame ends where the stream does; a sample past it was not sent.
    if (found < 0 || (found === this.starts.length - 1 && sample >= this.starts[found]! + this.frameSamples)) {
      return undefined;
    }
    return this.times[found];
  }
}

/** How far a recognised segment may reach outside the utterance's speech and still be counted as part of it. */
export const MATCH_SLACK_MS = 200;

/** Whether a segment's capture span (clock ms) overlaps speech from `speechStart` to `speechEnd` (clock ms). */
export function overlapsSpeech(
  capture: { start: number; end: number },
  speechStart: number,
  speechEnd: number,
  slackMs = MATCH_SLACK_MS,
): boolean {
  return capture.end > speechStart - slackMs && capture.start < speechEnd + slackMs;
}

/**
 * Assigns each segment to the utterance its capture span overlaps (the one it overlaps most when several
 * match); returns, per utterance in order, its segments, and the segments no utterance claimed.
 */
export function assignSegments<S extends { capture: { start: number; end: number } }>(
  speech: readonly { start: number; end: number }[],
  segments: readonly S[],
): { byUtterance: S[][]; unmatched: S[] } {
  const byUtterance: S[][] = speech.map(() => []);
  const unmatched: S[] = [];
  for (const segment of segments) {
    let best = -1;
    let bestOverlap = Number.NEGATIVE_INFINITY;
    speech.forEach((s, i) => {
      if (!overlapsSpeech(segment.capture, s.start, s.end)) return;
      const overlap = Math.min(segment.capture.end, s.end) - Math.max(segment.capture.start, s.start);
      if (overlap > bestOverlap) {
        best = i;
        bestOverlap = overlap;
      }
    });
    if (best < 0) unmatched.push(segment);
    else byUtterance[best]!.push(segment);
  }
  return { byUtterance, unmatched };
}
