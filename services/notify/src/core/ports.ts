// What the notify use cases need: who listens to a session in which language, a channel to their
// connections, and somewhere to log and count.
import type { CaptionMessage } from '@llt/events';
import type { ClientChannel, ServiceLog, ServiceMetrics } from '@llt/platform';

export type { ClientChannel, ServiceLog, ServiceMetrics };

export interface Listener {
  connectionId: string;
  language: string;
  /** When ingest recorded the listener, during its $connect (epoch ms); absent on older items. */
  joinedAt?: number;
}

export interface ListenerDirectory {
  /** The session's listeners, of one language when given. */
  listeners(sessionId: string, language?: string): Promise<Listener[]>;
  /** Forgets a connection that API Gateway reported gone (410). */
  remove(sessionId: string, listener: Listener): Promise<void>;
  /** Languages whose last listener left at or after `since` (a phone that dropped may be back any moment). */
  recentLanguages(sessionId: string, since: number): Promise<string[]>;
  /** The live session's speaker connection, if one is open (the speaker's page shows captions too). */
  speaker(sessionId: string): Promise<string | undefined>;
}

/** Final captions kept per session and language, for listeners catching up and for transcripts. */
export interface CaptionLog {
  append(caption: CaptionMessage): Promise<void>;
  /** The language's final captions with segmentIndex > after, oldest first. */
  since(sessionId: string, language: string, after: number): Promise<CaptionMessage[]>;
  /** Whether the session exists (live or ended). */
  sessionExists(sessionId: string): Promise<boolean>;
}

export interface FanoutLedger {
  /**
   * Records that this execution fans the segment out. False when another execution already did: the same
   * execution claiming again (a retried task) is true.
   */
  claim(sessionId: string, segmentId: string, executionId: string): Promise<boolean>;
  /**
   * Records that this clip (`clip`: what tells one making of the part from another, e.g. its URL) is the one sent
   * as this part of the segment's speech. False when another clip of the same part was: the part was made twice
   * (a clause's own and the final's) and went out once already. The same clip again (a retried task) is true.
   */
  claimSpeechPart(
    part: { sessionId: string; segmentId: string; language: string; part: number },
    clip: string,
  ): Promise<boolean>;
}

/** One increment of an utterance in progress, translated into one language. */
export interface TranslatedIncrement {
  /** 0, 1, … within the utterance. */
  increment: number;
  /** Its translation; may be empty. */
  text: string;
  /** Source words covered by the increments up to and including this one. */
  sourceWords: number;
}

/** The translated increments of each utterance in progress, per session and language. */
export interface PartialTranslations {
  /**
   * Records one translated increment (recording the same one again changes nothing that matters: increments
   * arrive at least once and in any order) and returns every increment of that utterance and language recorded
   * so far, this one included, in increment order. Atomic: calls racing from other environments each see their
   * own increment with every one recorded before it.
   */
  record(
    utterance: { sessionId: string; language: string; segmentIndex: number },
    translated: TranslatedIncrement,
  ): Promise<TranslatedIncrement[]>;
}
