// The HTTP API's request and response bodies (POST /api/sessions, GET /api/join/{code}); errors are
// ErrorMessage bodies (messages.ts) with an HTTP status.
import { z } from 'zod';
import { EpochMs, LanguageCode, SessionId } from '../events/common.ts';
import { Glossary } from '../glossary.ts';
import { CaptionMessage } from './messages.ts';

export const CreateSessionRequest = z.object({
  sourceLanguage: z.string(),
  targetLanguages: z.array(z.string()).min(1, 'choose at least one target language'),
  /** The session's glossary from the start (stored as its version 1); checked entry by entry. */
  glossary: z.array(z.unknown()).optional(),
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

/**
 * The header a speaker presents its session's speaker token in on the HTTP API's speaker-only routes (the glossary);
 * where speakers sign in, `Authorization: Bearer <jwt>` goes with it, as on session creation.
 */
export const SPEAKER_TOKEN_HEADER = 'x-llt-speaker-token';

/** Largest body of a glossary edit (and of a session request carrying one). */
export const MAX_GLOSSARY_BODY_BYTES = 64 * 1024;

/**
 * PUT /api/sessions/{sessionId}/glossary as JSON (`text/csv` is the other form: parseGlossaryCsv). `entries`
 * replace the whole glossary; `baseVersion`, when given, is the version the edit was made from: a newer one is a
 * conflict (409 glossary_conflict), so two editors never overwrite each other unknowingly. (`If-Match: "<n>"`
 * says the same for CSV bodies.)
 */
export const GlossaryUpdateRequest = z.object({
  entries: z.array(z.unknown()),
  baseVersion: z.number().int().nonnegative().optional(),
});
export type GlossaryUpdateRequest = z.infer<typeof GlossaryUpdateRequest>;

/** GET (and the answer to PUT) /api/sessions/{sessionId}/glossary: the version that holds now; 0 and [] for none. */
export const SessionGlossaryResponse = z.object({
  sessionId: SessionId,
  version: z.number().int().nonnegative(),
  entries: Glossary,
});
export type SessionGlossaryResponse = z.infer<typeof SessionGlossaryResponse>;
