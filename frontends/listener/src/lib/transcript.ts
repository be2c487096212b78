// Transcript downloads: final captions of one language as plain text, SubRip (SRT) and WebVTT. Cue times are
// the sentences' capture times relative to the first caption, so the subtitles line up with a recording of
// the speaker that starts when the first sentence does.

export interface TranscriptLine {
  segmentIndex: number;
  text: string;
  /** Capture time (speaker's clock, epoch ms) of the sentence's first voiced audio; absent on older servers. */
  captureStart?: number | undefined;
  captureEnd: number;
}

export interface Cue {
  /** 1-based, in order. */
  number: number;
  startMs: number;
  endMs: number;
  text: string;
}

export type TranscriptFormat = 'txt' | 'srt' | 'vtt';

/** Shortest cue we emit: a cue with no duration is never shown. */
const MIN_CUE_MS = 500;
/** Assumed length of a first sentence whose start time is unknown. */
const UNKNOWN_FIRST_DURATION_MS = 2000;

/**
 * Cues in segmentIndex order, empty texts left out. A sentence without captureStart starts where the previous
 * one ended (the first such sentence is assumed to last two seconds); a cue lasts at least half a second.
 */
export function toCues(lines: readonly TranscriptLine[]): Cue[] {
  const ordered = [...lines]
    .map((line) => ({ ...line, text: cleanText(line.text) }))
    .filter((line) => line.text.length > 0)
    .sort((a, b) => a.segmentIndex - b.segmentIndex);
  const first = ordered[0];
  if (!first) return [];
  const origin = first.captureStart ?? first.captureEnd - UNKNOWN_FIRST_DURATION_MS;
  const cues: Cue[] = [];
  let previousEnd: number | undefined;
  for (const line of ordered) {
    const start = Math.max(
      0,
      (line.captureStart ?? previousEnd ?? line.captureEnd - UNKNOWN_FIRST_DURATION_MS) - origin,
    );
    const end = Math.max(start + MIN_CUE_MS, line.captureEnd - origin);
    cues.push({ number: cues.length + 1, startMs: Math.round(start), endMs: Math.round(end), text: line.text });
    previousEnd = end + origin;
  }
  return cues;
}

/** One sentence per line. */
export function toTxt(lines: readonly TranscriptLine[]): string {
  return toCues(lines)
    .map((cue) => `${cue.text}\n`)
    .join('');
}

/** SubRip: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, a blank line after each. */
export function toSrt(lines: readonly TranscriptLine[]): string {
  return toCues(lines)
    .map((cue) => `${cue.number}\n${timestamp(cue.startMs, ',')} --> ${timestamp(cue.endMs, ',')}\n${cue.text}\n\n`)
    .join('');
}

/** WebVTT: the `WEBVTT` header, then numbered cues with `HH:MM:SS.mmm` times; `& < >` escaped. */
export function toVtt(lines: readonly TranscriptLine[]): string {
  const cues = toCues(lines).map(
    (cue) => `${cue.number}\n${timestamp(cue.startMs, '.')} --> ${timestamp(cue.endMs, '.')}\n${escapeVtt(cue.text)}\n`,
  );
  return ['WEBVTT\n', ...cues].join('\n');
}

export function formatTranscript(format: TranscriptFormat, lines: readonly TranscriptLine[]): string {
  switch (format) {
    case 'txt':
      return toTxt(lines);
    case 'srt':
      return toSrt(lines);
    case 'vtt':
      return toVtt(lines);
  }
}

export const MIME_TYPES: Record<TranscriptFormat, string> = {
  txt: 'text/plain;charset=utf-8',
  srt: 'application/x-subrip;charset=utf-8',
  vtt: 'text/vtt;charset=utf-8',
};

/** `HH:MM:SS,mmm` (SRT) or `HH:MM:SS.mmm` (WebVTT); hours grow past two digits if they must. */
export function timestamp(ms: number, separator: ',' | '.'): string {
  const total = Math.max(0, Math.round(ms));
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor(total / 60_000) % 60;
  const seconds = Math.floor(total / 1000) % 60;
  const millis = total % 1000;
  return `${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}${separator}${pad(millis, 3)}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** A blank line ends a cue in both formats: a caption is one line. */
function cleanText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function escapeVtt(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
