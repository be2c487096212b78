// Use cases: which languages one finalized utterance, or one stable increment of an utterance in progress, must be
// translated into.
//   input: the TranscriptFinalized detail and the id of the workflow execution fanning it out; or the
//   TranscriptStabilized detail
//   output: for a final, the session's languages (and which of them are spoken) that have listeners now or lost one
//   in the last two minutes (so a phone that dropped finds what it missed in the caption history), none for a
//   redelivered segment; for an increment, the languages with a listener connected now
//   primary course: claim the segment for this execution and list the languages, all at once.
import type {
  ProvisionalLanguagesInput,
  ProvisionalLanguagesOutput,
  ResolveLanguagesInput,
  ResolveLanguagesOutput,
} from '@llt/events';
import { RECENT_LANGUAGE_MS } from '@llt/platform';
import type { NotifyDeps } from './fanout.ts';

export async function resolveLanguages(
  deps: NotifyDeps,
  input: ResolveLanguagesInput,
): Promise<ResolveLanguagesOutput> {
  const { transcript, executionId } = input;
  const [claimed, listeners, recent] = await Promise.all([
    deps.ledger.claim(transcript.sessionId, transcript.segmentId, executionId),
    deps.listeners.listeners(transcript.sessionId),
    deps.listeners.recentLanguages(transcript.sessionId, deps.clock.now() - RECENT_LANGUAGE_MS),
  ]);
  if (!claimed) {
    // EventBridge delivers at least once: a second execution for this segment would send every caption twice.
    deps.metrics.count('DuplicateFanoutsSkipped');
    deps.log.warn('segment already fanned out by another execution', {
      sessionId: transcript.sessionId,
      segmentId: transcript.segmentId,
      executionId,
    });
    return { languages: [], spoken: [], duplicate: true };
  }
  const languages = [...new Set([...listeners.map((l) => l.language), ...recent])]
    .filter((l) => l !== transcript.language)
    .sort();
  deps.metrics.count('LanguagesFannedOut', languages.length);
  // A language without a voice gets its caption only: the workflow skips synthesis for it.
  const spoken = languages.filter((l) => deps.languages.spoken.includes(l));
  return { languages, spoken, duplicate: false };
}

/**
 * The languages an increment's provisional translation is for: only listeners connected now (one who dropped
 * catches up from the final captions), no claim (a redelivered increment is deduplicated at delivery).
 */
export async function provisionalLanguages(
  deps: NotifyDeps,
  input: ProvisionalLanguagesInput,
): Promise<ProvisionalLanguagesOutput> {
  const { increment } = input;
  const listeners = await deps.listeners.listeners(increment.sessionId);
  const languages = [...new Set(listeners.map((l) => l.language))].filter((l) => l !== increment.language).sort();
  // A clause the increment ends is spoken ahead of the sentence's end in the languages with a voice.
  return { languages, spoken: languages.filter((l) => deps.languages.spoken.includes(l)) };
}
