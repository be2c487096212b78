// The listener's captions as one entry per sentence (segment), merged from live messages and from caption
// history in any order and any number of times: keyed by segmentId, a final text is never replaced by a partial.
// While the speaker talks a segment may carry a provisional translation (each new one replacing the last) until
// the final translation replaces it; the source words it does not cover yet are its untranslated tail.
import type { CaptionMessage } from '@llt/events';

export interface SegmentText {
  text: string;
  final: boolean;
  captureStart?: number | undefined;
  captureEnd: number;
  /** A provisional translation's coverage: it translates the first `sourceWords` words of the source text. */
  sourceWords?: number | undefined;
}

export interface Segment {
  segmentId: string;
  segmentIndex: number;
  /** The recognised speech, in the session's source language (partial while the speaker is mid-sentence). */
  source?: SegmentText | undefined;
  /** The caption in the listener's language: provisional (final false) while the sentence is in progress. */
  translation?: SegmentText | undefined;
}

/** The fields of a caption the merge needs (history entries and live messages alike). */
export type CaptionLike = Pick<
  CaptionMessage,
  'segmentId' | 'segmentIndex' | 'language' | 'kind' | 'final' | 'text' | 'captureStart' | 'captureEnd' | 'sourceWords'
>;

/**
 * Merges one caption into `segments` (mutated; a reactive map works). Translations in other languages than
 * `language` are ignored. A provisional translation keeps the number of source words it covers, and one covering
 * fewer words than the shown one is stale. Returns whether anything changed. Entries are replaced, never mutated
 * in place, so a reactive map notices.
 */
export function mergeCaption(segments: Map<string, Segment>, caption: CaptionLike, language: string): boolean {
  const isSource = caption.kind === 'source';
  if (!isSource && caption.language !== language) return false;
  const existing = segments.get(caption.segmentId);
  const current = isSource ? existing?.source : existing?.translation;
  if (current?.final && (!caption.final || current.text === caption.text)) return false;
  const sourceWords = !isSource && !caption.final ? caption.sourceWords : undefined;
  if (current && !current.final && !caption.final) {
    if (current.text === caption.text && current.sourceWords === sourceWords) return false;
    // A provisional translation covering fewer words than the one shown is an older one arriving late.
    if (sourceWords !== undefined && current.sourceWords !== undefined && sourceWords < current.sourceWords)
      return false;
  }
  const text: SegmentText = {
    text: caption.text,
    final: caption.final,
    captureStart: caption.captureStart,
    captureEnd: caption.captureEnd,
    ...(sourceWords === undefined ? {} : { sourceWords }),
  };
  const base: Segment = existing ?? { segmentId: caption.segmentId, segmentIndex: caption.segmentIndex };
  segments.set(caption.segmentId, isSource ? { ...base, source: text } : { ...base, translation: text });
  return true;
}

/** Segments oldest first; those with neither text yet (an empty partial) are left out. */
export function orderedSegments(segments: Iterable<Segment>): Segment[] {
  return [...segments]
    .filter((s) => Boolean(s.translation?.text.trim() || s.source?.text.trim()))
    .sort((a, b) => a.segmentIndex - b.segmentIndex);
}

/** Highest segmentIndex with a final translation (undefined when there is none). */
export function lastFinalIndex(segments: Iterable<Segment>): number | undefined {
  let last: number | undefined;
  for (const s of segments)
    if (s.translation?.final && (last === undefined || s.segmentIndex > last)) last = s.segmentIndex;
  return last;
}

export type DisplayKind = 'caption' | 'provisional-translation' | 'provisional' | 'untranslated';

/**
 * How a segment shows, in order of preference: its final translation; its provisional translation; the source
 * text as provisional while the translation may still come. A finished sentence whose final translation never
 * came while later sentences got theirs shows its source text marked untranslated, even over a provisional
 * translation (the server translates only into languages that have listeners, so sentences spoken while this
 * listener was disconnected have none).
 */
export function displayKind(segment: Segment, lastTranslatedIndex: number | undefined): DisplayKind {
  if (segment.translation?.final && segment.translation.text.trim()) return 'caption';
  const superseded = lastTranslatedIndex !== undefined && segment.segmentIndex < lastTranslatedIndex;
  if (segment.source?.final && superseded) return 'untranslated';
  return segment.translation?.text.trim() ? 'provisional-translation' : 'provisional';
}

/**
 * The source words a provisional translation does not cover yet: those after its first `sourceWords`, taken from
 * the segment's latest source text (partial or final). Empty for a final translation, for a provisional one that
 * does not say what it covers (an older server), and when the source text has no more words than it covers.
 */
export function untranslatedTail(segment: Segment): string {
  const translation = segment.translation;
  const covered = translation?.sourceWords;
  if (!translation || translation.final || covered === undefined || !segment.source) return '';
  return segment.source.text.trim().split(/\s+/).slice(covered).join(' ');
}

/** Whether a display kind is text that may still change (hidden when the listener wants finished sentences only). */
export function isProvisional(kind: DisplayKind): boolean {
  return kind === 'provisional' || kind === 'provisional-translation';
}
