// The session glossaries in the sessions table (LLT_SESSIONS_TABLE), read by version through platform's
// getSessionGlossary. A version is written once and never changes, so each execution environment keeps the versions
// it read (a few, the most recent): every sentence of a session names the same version until the speaker edits the
// glossary, and one read serves them all. The cache only saves reads: a fresh environment reads again and gets the
// same entries.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { GlossaryEntry } from '@llt/events';
import { getSessionGlossary } from '@llt/platform';
import type { GlossaryStore } from '#core/ports';

/** Versions kept per environment: one per live session it serves is enough; the oldest read goes first. */
const DEFAULT_CACHED_VERSIONS = 64;

export class DynamoGlossaryStore implements GlossaryStore {
  readonly #cache = new Map<string, Promise<readonly GlossaryEntry[] | undefined>>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly maxCached = DEFAULT_CACHED_VERSIONS,
  ) {}

  get(sessionId: string, version: number): Promise<readonly GlossaryEntry[] | undefined> {
    const key = `${sessionId}#${version}`;
    const cached = this.#cache.get(key);
    if (cached) {
      // Most recently used last, so eviction takes the version no sentence asked for the longest.
      this.#cache.delete(key);
      this.#cache.set(key, cached);
      return cached;
    }
    const read = getSessionGlossary(this.db, this.table, sessionId, version).then((glossary) => {
      // Not there (yet): nothing is kept, the next sentence reads again.
      if (!glossary) this.#cache.delete(key);
      return glossary?.entries;
    });
    // A failed read is not kept either.
    read.catch(() => this.#cache.delete(key));
    this.#cache.set(key, read);
    while (this.#cache.size > this.maxCached) {
      const oldest = this.#cache.keys().next().value as string;
      this.#cache.delete(oldest);
    }
    return read;
  }
}
