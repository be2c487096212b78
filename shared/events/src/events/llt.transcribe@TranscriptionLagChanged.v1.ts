// How far a session's recognition is behind real time, published when it crosses the warning threshold either way
// and, while behind, whenever it moves by a second: the speaker is told ("behind by N s") instead of talking on
// while listeners wait.
import { z } from 'zod';
import { EpochMs, SessionId } from './common.ts';
import { defineEvent } from './define.ts';

export const TranscriptionLagChangedV1Schema = z.object({
  v: z.literal(1),
  sessionId: SessionId,
  /** From the server receiving the session's latest audio to its recognition (ms; p99 over the last seconds). */
  lagMs: z.number().int().nonnegative(),
  /** Lag above the warning threshold (1 s by default). */
  behind: z.boolean(),
  /** The session's recognition was made cheaper to catch up (fewer partial results, no provisional words). */
  degraded: z.boolean(),
  occurredAt: EpochMs,
});
export type TranscriptionLagChangedV1 = z.infer<typeof TranscriptionLagChangedV1Schema>;
export const TranscriptionLagChangedV1 = defineEvent(
  'llt.transcribe',
  'TranscriptionLagChanged',
  1,
  TranscriptionLagChangedV1Schema,
);
