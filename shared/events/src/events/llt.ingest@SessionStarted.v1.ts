// A speaker created a session: it now accepts a speaker connection and listeners.
import { z } from 'zod';
import { EpochMs, LanguageCode, SessionId } from './common.ts';
import { defineEvent } from './define.ts';

export const SessionStartedV1Schema = z.object({
  v: z.literal(1),
  sessionId: SessionId,
  sourceLanguage: LanguageCode,
  targetLanguages: z.array(LanguageCode).min(1),
  occurredAt: EpochMs,
  expiresAt: EpochMs,
});
export type SessionStartedV1 = z.infer<typeof SessionStartedV1Schema>;
export const SessionStartedV1 = defineEvent('llt.ingest', 'SessionStarted', 1, SessionStartedV1Schema);
