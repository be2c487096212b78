// Locally the recogniser (PocketSphinx) reads each session's glossary from the sessions table and adds its terms
// to the live decoder itself: the engine keeps no vocabularies of its own, so there is nothing to build or delete.
// The events handler still runs on every GlossaryChanged and SessionEnded, as it does on AWS.
import type { CreateOutcome, CustomVocabularies, SessionVocabulary } from '#core/vocabulary';

export class EngineWithoutVocabularies implements CustomVocabularies {
  async list(): Promise<SessionVocabulary[]> {
    return [];
  }

  async create(): Promise<CreateOutcome> {
    return 'skipped';
  }

  async delete(): Promise<'absent'> {
    return 'absent';
  }
}
