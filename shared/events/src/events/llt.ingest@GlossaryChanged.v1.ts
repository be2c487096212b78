// The speaker set or changed the session's glossary (at creation or while it is live): every entry, as stored,
// with the version that now holds. Versions count up from 1 per session; a consumer that has seen a newer one
// ignores an older one arriving late. Events that were made with a glossary name the version they used
// (`glossaryVersion`), so a consumer reading the glossary later reads the same one.
import { z } from 'zod';
import { Glossary } from '../glossary.ts';
import { EpochMs, SessionId } from './common.ts';
import { defineEvent } from './define.ts';

export const GlossaryChangedV1Schema = z.object({
  v: z.literal(1),
  sessionId: SessionId,
  version: z.number().int().positive(),
  entries: Glossary,
  occurredAt: EpochMs,
});
export type GlossaryChangedV1 = z.infer<typeof GlossaryChangedV1Schema>;
export const GlossaryChangedV1 = defineEvent('llt.ingest', 'GlossaryChanged', 1, GlossaryChangedV1Schema);
