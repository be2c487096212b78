// A session is over: the speaker ended it, it expired, or the runtime shut it down.
import { z } from 'zod';
import { EpochMs, FrameSeq, SessionId } from './common.ts';
import { defineEvent } from './define.ts';

export const SessionEndReason = z.enum(['speaker-ended', 'expired', 'idle', 'shutdown']);
export const SessionEndedV1Schema = z.object({
  v: z.literal(1),
  sessionId: SessionId,
  reason: SessionEndReason,
  /** Sequence number of the last audio frame accepted, absent when no audio arrived. */
  lastSeq: FrameSeq.optional(),
  occurredAt: EpochMs,
});
export type SessionEndedV1 = z.infer<typeof SessionEndedV1Schema>;
export const SessionEndedV1 = defineEvent('llt.ingest', 'SessionEnded', 1, SessionEndedV1Schema);
