// Field schemas shared by every event, so correlation data looks the same everywhere.
import { z } from 'zod';

/** Session ids are opaque URL-safe strings minted by ingest. */
export const SessionId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'session id must be 8-64 URL-safe characters');
/** A segment is one utterance of a session: `seg-<index>` zero-padded. */
export const SegmentId = z.string().regex(/^seg-\d{6,}$/, 'segment id must look like seg-000042');
/** BCP-47-ish language code as used in the language catalog (`en`, `es`, `ca`, `gl`, `eo`…). */
export const LanguageCode = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'language code like "es" or "ca-valencia"');
/** Milliseconds since the Unix epoch (fractions allowed: capture clocks are sub-millisecond). */
export const EpochMs = z.number().nonnegative().finite();
/** Capture time of the first and last audio an event derives from, on the speaker's clock. */
export const CaptureSpan = z.object({ start: EpochMs, end: EpochMs });
/** Audio frame sequence numbers (speaker-assigned, per session, strictly increasing). */
export const FrameSeq = z.number().int().nonnegative();
