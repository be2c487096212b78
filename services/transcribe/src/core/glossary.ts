// A live session's glossary as its recogniser sees it: read when the session's stream opens, re-checked at
// utterance boundaries (at most every `checkEveryMs`, one cheap read of the current version) and handed to the
// stream when it changed, so terms added while the speaker talks count from the next utterance on.
import type { GlossarySource, RecognizerStream, ServiceLog } from './ports.ts';

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
   * Called between utterances: applies a newer glossary version if there is one and the last check is old enough.
   * A failure is logged and leaves the previous glossary in effect; recognition goes on.
   */
  async refresh(force = false): Promise<void> {
    if (!this.stream.useGlossary) return;
    const now = this.now();
    if (!force && now - this.checkedAt < this.settings.checkEveryMs) return;
    this.checkedAt = now;
    try {
      const version = await this.source.currentVersion(this.sessionId);
      if (version <= this.seen) return;
      this.seen = version;
      const glossary = await this.source.load(this.sessionId, version);
      if (!glossary) return;
      this.resolved = await this.stream.useGlossary(glossary);
      this.log?.info('glossary applied', { sessionId: this.sessionId, version, applied: this.applied });
    } catch (error) {
      this.log?.warn('glossary not applied; the previous one stays in effect', {
        sessionId: this.sessionId,
        error: (error as Error).message,
      });
    }
  }
}
