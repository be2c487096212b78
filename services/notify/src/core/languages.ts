// Use case: which languages one finalized utterance must be translated into.
//   input: the TranscriptFinalized detail and the id of the workflow execution fanning it out
//   output: the session's languages (and which of them are spoken) that have listeners now or lost one in the last two minutes (so a phone that
//   dropped finds what it missed in the caption history); none for a redelivered segment
//   primary course: claim the segment for this execution and list the languages, all at once.
import type { ResolveLanguagesInput, ResolveLanguagesOutput } from '@llt/events';
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
