// Who a fan-out is for, as this execution environment last read it from the listener directory: a caption goes
// to the listeners already known at once, while the directory is read again beside the sends, and whoever the
// fresh read adds gets it right after. A final caption or clip never waits on the directory for a listener
// this environment has sent to before, and still reaches every listener the directory holds when it starts.
//
// Nothing depends on an environment being reused (Lambda promises no such thing): an environment that has not
// read a session yet, or whose read is older than MAX_AGE_MS, reads before sending, as if it kept nothing. Partial
// captions, superseded within a second, skip the fresh read while the last one is younger than
// PARTIAL_REFRESH_MS: a listener who joined since gets partials from the next read on, and the final either way.
// A connection a send found gone is never sent to again from this environment's memory, even by a read that
// started before the send (connection ids are not reused). The memory is bounded: MAX_ENTRIES session/language
// pairs (least recently read dropped first) and MAX_GONE gone connections.
import type { Listener, ListenerDirectory } from './ports.ts';

/** A read older than this is not used at all. */
export const MAX_AGE_MS = 5 * 60_000;
/** Partial captions reuse a read this young without reading again. */
export const PARTIAL_REFRESH_MS = 1_000;
/** Session/language pairs remembered per environment. */
export const MAX_ENTRIES = 2_000;
/** Connections remembered as gone per environment (a connection id is never reused, so gone is for good). */
export const MAX_GONE = 10_000;

export interface AudienceRead {
  listeners: Listener[];
  /** The speaker's connection, when asked for and one is open. */
  speaker?: string | undefined;
}

interface Entry extends AudienceRead {
  readAt: number;
}

export class AudienceCache {
  readonly #entries = new Map<string, Entry>();
  readonly #gone = new Set<string>();

  constructor(private readonly directory: ListenerDirectory) {}

  /** The last read of the session's listeners (of `language`, when given), if one is recent enough to use at `now`. */
  known(sessionId: string, language: string | undefined, withSpeaker: boolean, now: number): Entry | undefined {
    const entry = this.#entries.get(keyOf(sessionId, language, withSpeaker));
    if (!entry || now - entry.readAt > MAX_AGE_MS) return undefined;
    return entry;
  }

  /** Reads the directory (the read starting at `readAt`) and remembers what it holds. */
  async read(
    sessionId: string,
    language: string | undefined,
    withSpeaker: boolean,
    readAt: number,
  ): Promise<AudienceRead> {
    const [listed, speakerConnection] = await Promise.all([
      this.directory.listeners(sessionId, language),
      withSpeaker ? this.directory.speaker(sessionId) : undefined,
    ]);
    // A read that started before a send found a connection gone may still list it.
    const listeners = listed.filter((l) => !this.#gone.has(l.connectionId));
    const speaker = speakerConnection && this.#gone.has(speakerConnection) ? undefined : speakerConnection;
    const key = keyOf(sessionId, language, withSpeaker);
    const previous = this.#entries.get(key);
    // Reads may finish out of order: the one started last is kept.
    if (!previous || previous.readAt <= readAt) {
      this.#entries.delete(key);
      this.#entries.set(key, { listeners, speaker, readAt });
      if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string);
    }
    return { listeners, speaker };
  }

  /** A connection API Gateway reported gone: no later fan-out from this environment sends to it. */
  forget(sessionId: string, connectionId: string): void {
    this.#gone.add(connectionId);
    if (this.#gone.size > MAX_GONE) this.#gone.delete(this.#gone.values().next().value as string);
    for (const [key, entry] of this.#entries) {
      if (!key.startsWith(`${sessionId}|`)) continue;
      const listeners = entry.listeners.filter((l) => l.connectionId !== connectionId);
      const speaker = entry.speaker === connectionId ? undefined : entry.speaker;
      if (listeners.length !== entry.listeners.length || speaker !== entry.speaker) {
        this.#entries.set(key, { ...entry, listeners, speaker });
      }
    }
  }
}

function keyOf(sessionId: string, language: string | undefined, withSpeaker: boolean): string {
  return `${sessionId}|${language ?? '*'}|${withSpeaker ? 'speaker' : ''}`;
}
