// Session glossaries as the recognition engine's own vocabularies (Amazon Transcribe custom vocabularies on AWS;
// nothing to build locally, where PocketSphinx takes the glossary from the sessions table itself).
//
// Input: GlossaryChanged (a session's glossary, at a new version) or SessionEnded.
// Output: the engine builds a vocabulary for the session's newest glossary version; older versions' vocabularies
// are deleted, and at the end of the session all of them.
// Primary course: look up the session and its vocabularies; create the one of the event's version unless a newer
// one exists (events may arrive late or twice); delete the older ones. A vocabulary still being built cannot be
// deleted: the others are, then the event fails so that its delivery is retried later.
import type { GlossaryEntry } from '@llt/events';
import { VocabularyBusyError } from '#errors';
import type { ServiceLog, ServiceMetrics } from './ports.ts';

/** The engine's state of a vocabulary: being built, usable, or refused (e.g. a character its language lacks). */
export type VocabularyState = 'PENDING' | 'READY' | 'FAILED';

export interface SessionVocabulary {
  version: number;
  state: VocabularyState;
}

/** What became of a create request. */
export type CreateOutcome =
  | 'created'
  /** One by that name is there already (a redelivered event): versions never change, so it is the same. */
  | 'exists'
  /** Nothing to build: no entry gives the engine a phrase, or the engine has no vocabularies. */
  | 'skipped';

/** The recognition engine's vocabularies of live sessions. */
export interface CustomVocabularies {
  /** The session's vocabularies in any state. */
  list(sessionId: string): Promise<SessionVocabulary[]>;
  /** Starts building the vocabulary of a glossary version, for the session's source language. */
  create(
    sessionId: string,
    version: number,
    language: string,
    entries: readonly GlossaryEntry[],
  ): Promise<CreateOutcome>;
  /** Deletes a version's vocabulary; 'absent' if there is none. Rejects with VocabularyBusyError while it is built. */
  delete(sessionId: string, version: number): Promise<'deleted' | 'absent'>;
}

/** The session as ingest recorded it; undefined when there is no such session. */
export interface GlossarySessions {
  session(sessionId: string): Promise<{ sourceLanguage: string; live: boolean } | undefined>;
}

export interface VocabularyDeps {
  vocabularies: CustomVocabularies;
  sessions: GlossarySessions;
  log: ServiceLog;
  metrics: ServiceMetrics;
}

/** GlossaryChanged: the vocabulary of the newest version, and none of the older ones. Safe to run again. */
export async function applyGlossary(
  deps: VocabularyDeps,
  change: { sessionId: string; version: number; entries: readonly GlossaryEntry[] },
): Promise<void> {
  const { sessionId, version } = change;
  const [session, existing] = await Promise.all([deps.sessions.session(sessionId), deps.vocabularies.list(sessionId)]);
  if (!session?.live) {
    // The session ended (or never was): whatever was built for it goes, including a late event's own.
    deps.log.info('glossary of a session that is not live; no vocabulary built', { sessionId, version });
    await remove(deps, sessionId, existing);
    return;
  }
  const newest = Math.max(version, ...existing.map((v) => v.version));
  if (newest > version) {
    deps.log.info('glossary version superseded before its vocabulary was built', { sessionId, version, newest });
  } else {
    const outcome = await deps.vocabularies.create(sessionId, version, session.sourceLanguage, change.entries);
    deps.log.info('session vocabulary requested', { sessionId, version, outcome, entries: change.entries.length });
    if (outcome === 'created') deps.metrics.count('VocabulariesCreated');
  }
  await remove(
    deps,
    sessionId,
    existing.filter((v) => v.version < newest),
  );
}

/** SessionEnded: every vocabulary of the session goes. Safe to run again. */
export async function endSessionVocabularies(deps: VocabularyDeps, sessionId: string): Promise<void> {
  await remove(deps, sessionId, await deps.vocabularies.list(sessionId));
}

/**
 * Deletes every vocabulary given. One still being built is skipped (the engine refuses to delete it) and reported
 * once all others are gone, so that the event's retry finishes the job.
 */
async function remove(deps: VocabularyDeps, sessionId: string, vocabularies: readonly SessionVocabulary[]) {
  const busy: number[] = [];
  for (const { version, state } of vocabularies) {
    if (state === 'PENDING') {
      busy.push(version);
      continue;
    }
    try {
      if ((await deps.vocabularies.delete(sessionId, version)) === 'deleted') deps.metrics.count('VocabulariesDeleted');
    } catch (error) {
      if (!(error instanceof VocabularyBusyError)) throw error;
      busy.push(version);
    }
  }
  if (busy.length > 0) {
    deps.metrics.count('VocabularyDeletesDeferred', busy.length);
    throw new VocabularyBusyError(
      `session ${sessionId}: vocabularies of glossary versions ${busy.join(', ')} are still being built and cannot be deleted yet; the event is retried`,
    );
  }
}
