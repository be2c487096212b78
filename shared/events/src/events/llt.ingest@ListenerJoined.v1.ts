// A listener connected to a session in one of its offered languages.
import { z } from 'zod';
import { EpochMs, LanguageCode, SessionId } from './common.ts';
import { defineEvent } from './define.ts';

export const ListenerJoinedV1Schema = z.object({
  v: z.literal(1),
  sessionId: SessionId,
  connectionId: z.string().min(1),
  language: LanguageCode,
  occurredAt: EpochMs,
});
export type ListenerJoinedV1 = z.infer<typeof ListenerJoinedV1Schema>;
export const ListenerJoinedV1 = defineEvent('llt.ingest', 'ListenerJoined', 1, ListenerJoinedV1Schema);
