// The HTTP API's request and response bodies (POST /api/sessions, GET /api/join/{code}); errors are
// ErrorMessage bodies (messages.ts) with an HTTP status.
import { z } from 'zod';
import { EpochMs, LanguageCode, SessionId } from '../events/common.ts';
import { CaptionMessage } from './messages.ts';

export const CreateSessionRequest = z.object({
  sourceLanguage: z.string(),
  targetLanguages: z.array(z.string()).min(1, 'choose at least one target language'),
});
export type CreateSessionRequest = z.infer<typeof CreateSessionRequest>;

export const CreatedSession = z.object({
  sessionId: SessionId,
  /** Six characters for listeners to type; shown on the speaker's screen. */
  joinCode: z.string(),
  /** Shown once: only the speaker's client holds it. */
  speakerToken: z.string(),
  sourceLanguage: LanguageCode,
  targetLanguages: z.array(LanguageCode),
  /** When the session and its token expire. */
  expiresAt: EpochMs,
});
export type CreatedSession = z.infer<typeof CreatedSession>;

/** What anyone holding the join code may know about a live session. */
export const SessionDescription = z.object({
  sessionId: SessionId,
  sourceLanguage: LanguageCode,
  targetLanguages: z.array(LanguageCode),
});
export type SessionDescription = z.infer<typeof SessionDescription>;

/**
 * GET /api/sessions/{sessionId}/captions?lang=es&after=N — the session's final captions in one language (the
 * source language's, or a target's translations), oldest first, those with segmentIndex > after (default: all).
 * Listeners catch up with it after a reconnect and build the transcript download from it.
 */
export const CaptionHistory = z.object({
  sessionId: SessionId,
  language: LanguageCode,
  captions: z.array(CaptionMessage),
});
export type CaptionHistory = z.infer<typeof CaptionHistory>;
