// A listener's connection closed (by the listener, the network, or a 410 Gone on delivery).
import { z } from 'zod';
import { EpochMs, LanguageCode, SessionId } from './common.ts';
import { defineEvent } from './define.ts';

export const ListenerLeftV1Schema = z.object({
  v: z.literal(1),
  sessionId: SessionId,
  connectionId: z.string().min(1),
  language: LanguageCode,
  occurredAt: EpochMs,
});
export type ListenerLeftV1 = z.infer<typeof ListenerLeftV1Schema>;
export const ListenerLeftV1 = defineEvent('llt.ingest', 'ListenerLeft', 1, ListenerLeftV1Schema);
