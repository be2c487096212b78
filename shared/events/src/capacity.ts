// Admission by measured capacity: what the recognition side says it can hold, and what the API tells a speaker.
// The transcription service writes a CapacityReport (one per worker) to the sessions table about once a second;
// ingest admits a new live session only while the sessions it holds admitted are fewer than the reports allow.
import { z } from 'zod';
import { EpochMs } from './events/common.ts';

export const CapacityReport = z.object({
  workerId: z.string().min(1),
  /**
   * `measured`: from the machine's CPU, the recognisers' real-time factor and the event loop (local engines);
   * `quota`: the deployment's limit on concurrent recognition streams (Amazon Transcribe's quota).
   */
  basis: z.enum(['measured', 'quota']),
  /** Live sessions this worker can keep in real time, those it has now included. */
  sessions: z.number().int().nonnegative(),
  /** Sessions it is recognising now. */
  live: z.number().int().nonnegative(),
  /** The figures the decision came from (measured basis). */
  cores: z.number().nonnegative().optional(),
  /** CPU in use by the worker's process and the processes it started, in cores, and what a live session costs. */
  busyCores: z.number().nonnegative().optional(),
  sessionCores: z.number().nonnegative().optional(),
  /** Recogniser time per second of audio, mean over live sessions. */
  realTimeFactor: z.number().nonnegative().optional(),
  eventLoopDelayMs: z.number().nonnegative().optional(),
  /** The most-behind live session's recognition lag. */
  maxLagMs: z.number().int().nonnegative().optional(),
  /** Why no more can be admitted now, when that is so. */
  limitedBy: z.string().optional(),
  updatedAt: EpochMs,
});
export type CapacityReport = z.infer<typeof CapacityReport>;

/** GET /api/capacity: whether a new session would be admitted now (and whether `sessionId`'s is held). */
export const CapacityStatus = z.object({
  admitting: z.boolean(),
  /** Sessions admitted now and how many the recognisers can hold. */
  admitted: z.number().int().nonnegative(),
  limit: z.number().int().nonnegative(),
  /** The session named in the query holds its admission (a reconnect will be let in). */
  holds: z.boolean().optional(),
  /** When to try again, when not admitting. */
  retryAfterMs: z.number().int().nonnegative().optional(),
});
export type CapacityStatus = z.infer<typeof CapacityStatus>;

/** How long a refused speaker is told to wait before trying again. */
export const AT_CAPACITY_RETRY_MS = 30_000;
