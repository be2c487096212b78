// A live session's glossary as its recogniser sees it: read when the session's stream opens, re-checked in the
// background as utterances end (at most every `checkEveryMs`, one cheap read of the current version) and handed to
// the stream at the next utterance boundary when it changed, so terms added while the speaker talks count from the
// next utterance on. The audio never waits on the sessions table.
import type { GlossarySource, RecognizerStream, ServiceLog, SessionGlossary } from './ports.ts';

export interface GlossarySettings {
  /** Least time between two reads of the session's current glossary version. */
  checkEveryMs: number;
}

export const DEFAULT_GLOSSARY_SETTINGS: GlossarySettings = { checkEveryMs: 2_000 };

export class SessionGlossaryTracker {
  /** The version useGlossary resolved with (undefined: none). */
  private resolved: number | undefined;
  /** The newest version seen (applied or not), so a version that failed to apply is not read again and again. */
  private seen = 0;
  private checkedAt = Number.NEGATIVE_INFINITY;
  /** A newer version read in the background, applied at the next boundary. */
  private pending: SessionGlossary | undefined;
  private checking: Promise<void> | undefined;

  constructor(
    private readonly sessionId: string,
    private readonly stream: RecognizerStream,
    private readonly source: GlossarySource,
    private readonly now: () => number,
    private readonly settings: GlossarySettings = DEFAULT_GLOSSARY_SETTINGS,
    private readonly log?: ServiceLog,
  ) {}

  /**
   * The version the recogniser applies (undefined: none): what transcripts of the next utterance are stamped with.
   * A stream that switches later (a vocabulary that became ready) says so itself.
   */
  get applied(): number | undefined {
    return this.stream.glossaryInEffect ? this.stream.glossaryInEffect() : this.resolved;
  }

  /**
   * Called between utterances, the only moment the recogniser's vocabulary may change. `force` (the stream just
   * opened): reads the glossary that holds and applies it before the first utterance. Otherwise the audio never
   * waits on a read: a version found newer by an earlier background check is applied now, and another check starts
   * in the background if the last one is old enough. A failure is logged and leaves the previous glossary in effect.
   */
  async refresh(force = false): Promise<void> {
    if (!this.stream.useGlossary) return;
    if (force) {
      this.checkedAt = this.now();
      await this.check();
    } else {
      this.checkSoon();
    }
    const next = this.pending;
    if (!next) return;
    this.pending = undefined;
    try {
      this.resolved = await this.stream.useGlossary(next);
      this.log?.info('glossary applied', { sessionId: this.sessionId, version: next.version, applied: this.resolved });
    } catch (error) {
      this.log?.warn('glossary not applied; the previous one stays in effect', {
        sessionId: this.sessionId,
        error: (error as Error).message,
      });
    }
  }

  /** Starts a background check for a newer version, unless one is running or the last was too recent. */
  checkSoon(): void {
    if (!this.stream.useGlossary || this.checking) return;
    const now = this.now();
    if (now - this.checkedAt < this.settings.checkEveryMs) return;
    this.checkedAt = now;
    this.checking = this.check().finally(() => {
      this.checking = undefined;
    });
  }

  /** Settles once the background check (if any) has: for tests and orderly shutdown. */
  async settled(): Promise<void> {
    await this.checking;
  }

  private async check(): Promise<void> {
    try {
      const version = await this.source.currentVersion(this.sessionId);
      if (version <= this.seen) return;
      this.seen = version;
      const glossary = await this.source.load(this.sessionId, version);
      if (glossary) this.pending = glossary;
    } catch (error) {
      this.log?.warn('glossary not read; the previous one stays in effect', {
        sessionId: this.sessionId,
        error: (error as Error).message,
      });
    }
  }
}
