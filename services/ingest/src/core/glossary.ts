// Use cases: read and replace a live session's glossary (the speaker's names and terms).
//   input: the session id, the speaker's credentials (session token; the signed-in user where speakers sign in),
//          and for a replacement the new entries (JSON) or a CSV file, optionally the version it was edited from
//   output: the version that holds now and its entries / a ClientError saying what was refused and why
//   primary course: authorize the session's speaker, check every entry against the schema, store the entries as
//   the next version (a new item, never changed), then move the session's glossaryVersion from the version read
//   to the new one in one conditional write (a concurrent edit loses with glossary_conflict), then announce
//   GlossaryChanged.
import {
  Glossary,
  GlossaryChangedV1,
  type GlossaryEntry,
  GlossaryUpdateRequest,
  parseGlossaryCsv,
  type SessionGlossaryResponse,
} from '@llt/events';
import type { z } from 'zod';
import { ClientError } from '../errors.ts';
import type { IngestDeps } from './deps.ts';
import type { SessionRecord } from './ports.ts';
import { assertLive, authorizeSpeaker } from './sessions.ts';

/** Who asks: the speaker token presented, and the signed-in user (JWT authorizer's `sub`) where speakers sign in. */
export interface SpeakerCredentials {
  token?: string | undefined;
  sub?: string | undefined;
}

/** A replacement as it arrived: a JSON body (already parsed) or the text of a CSV file. */
export type GlossaryBody = { kind: 'json'; body: unknown } | { kind: 'csv'; text: string };

/**
 * How many version numbers past the one read an edit tries: a number already taken by an edit that was never
 * made current (its writer failed between its two writes) is skipped rather than blocking every later edit.
 */
const MAX_VERSION_SLOTS = 3;

/** GET /api/sessions/{id}/glossary: the version that holds now (0 and no entries when the session has none). */
export async function readGlossary(
  deps: IngestDeps,
  sessionId: string,
  credentials: SpeakerCredentials,
): Promise<SessionGlossaryResponse> {
  const session = await speakerSession(deps, sessionId, credentials);
  const version = session.glossaryVersion ?? 0;
  if (version === 0) return { sessionId, version: 0, entries: [] };
  const entries = await deps.sessions.getGlossary(sessionId, version);
  if (!entries) throw new Error(`session ${sessionId} names glossary version ${version}, which is not stored`);
  return { sessionId, version, entries };
}

/**
 * PUT /api/sessions/{id}/glossary: replaces the glossary of a live session. `ifMatch`: the version the edit was
 * made from (the If-Match header), for bodies that cannot say it themselves (CSV).
 */
export async function replaceGlossary(
  deps: IngestDeps,
  sessionId: string,
  credentials: SpeakerCredentials,
  input: GlossaryBody,
  ifMatch?: number,
): Promise<SessionGlossaryResponse> {
  const session = await speakerSession(deps, sessionId, credentials);
  assertLive(deps, session);
  const { entries, baseVersion = ifMatch } = readReplacement(input);
  const current = session.glossaryVersion ?? 0;
  if (baseVersion !== undefined && baseVersion !== current) throw conflict(sessionId, baseVersion, current);

  let version: number | undefined;
  for (let slot = current + 1; slot <= current + MAX_VERSION_SLOTS; slot++) {
    if (await deps.sessions.putGlossary(sessionId, slot, entries, session.expiresAt)) {
      version = slot;
      break;
    }
  }
  if (version === undefined) throw conflict(sessionId, current);
  const outcome = await deps.sessions.setGlossaryVersion(sessionId, current, version);
  if (outcome === 'not-live') throw new ClientError('session_ended', `Session ${sessionId} has ended`, 410);
  if (outcome === 'conflict') throw conflict(sessionId, current);

  await publishGlossary(deps, sessionId, version, entries);
  deps.metrics.count('GlossaryChanges');
  deps.log.info('glossary changed', { sessionId, glossaryVersion: version, entries: entries.length });
  return { sessionId, version, entries };
}

/** Announces the version now in force (at creation too). */
export async function publishGlossary(
  deps: IngestDeps,
  sessionId: string,
  version: number,
  entries: GlossaryEntry[],
): Promise<void> {
  await deps.events.publish(GlossaryChangedV1, {
    v: 1,
    sessionId,
    version,
    entries,
    occurredAt: deps.clock.now(),
  });
}

/**
 * Checks a glossary given as a list of entries: every problem of every entry, each with its entry (counted
 * from 1) and the term when there is one, so the speaker can find it.
 */
export function checkGlossaryEntries(raw: unknown, what = 'glossary'): GlossaryEntry[] {
  const parsed = Glossary.safeParse(raw);
  if (parsed.success) return parsed.data;
  const list = Array.isArray(raw) ? raw : [];
  // In the list's order, as the speaker reads it (the schema reports duplicates after the entries' own problems).
  const problems = parsed.error.issues
    .map((issue) => describeIssue(issue, list))
    .sort((a, b) => (a.entry ?? 0) - (b.entry ?? 0));
  throw new ClientError(
    'invalid_request',
    `Invalid ${what}: ${problems.map((p) => (p.entry ? `entry ${p.entry}: ${p.message}` : p.message)).join('; ')}`,
    400,
    { problems },
  );
}

function readReplacement(input: GlossaryBody): { entries: GlossaryEntry[]; baseVersion?: number } {
  if (input.kind === 'csv') {
    const parsed = parseGlossaryCsv(input.text);
    if ('errors' in parsed) {
      const problems = parsed.errors.map((e) => ({ line: e.line, message: e.message }));
      throw new ClientError(
        'invalid_request',
        `Invalid glossary file: ${problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`,
        400,
        { problems },
      );
    }
    return { entries: parsed.glossary };
  }
  const request = GlossaryUpdateRequest.safeParse(input.body);
  if (!request.success) {
    throw new ClientError(
      'invalid_request',
      'A glossary edit is {"entries": [{"term": "…", "spoken": "…", "targets": {"es": "…"}}, …]} (or a CSV file sent as text/csv)',
      400,
    );
  }
  return {
    entries: checkGlossaryEntries(request.data.entries),
    ...(request.data.baseVersion !== undefined ? { baseVersion: request.data.baseVersion } : {}),
  };
}

/** The session, if the credentials are its speaker's: checked as a speaker's WebSocket handshake is. */
async function speakerSession(
  deps: IngestDeps,
  sessionId: string,
  credentials: SpeakerCredentials,
): Promise<SessionRecord> {
  if (!credentials.token) {
    throw new ClientError('invalid_token', "Only the session's speaker may do this: present its speaker token", 401);
  }
  return authorizeSpeaker(deps, sessionId, credentials.token, credentials.sub);
}

function conflict(sessionId: string, base: number, current?: number): ClientError {
  const now = current === undefined ? 'another edit was saved meanwhile' : `version ${current} holds now`;
  return new ClientError(
    'glossary_conflict',
    `The glossary of session ${sessionId} changed since version ${base} (${now}): load it again and redo the edit`,
    409,
  );
}

function describeIssue(issue: z.core.$ZodIssue, list: unknown[]): { entry?: number; message: string } {
  const [index, field, language] = issue.path;
  if (typeof index !== 'number') return { message: issue.message };
  const term = (list[index] as { term?: unknown } | undefined)?.term;
  const named = typeof term === 'string' && field !== 'term' ? ` (term ${JSON.stringify(term)})` : '';
  let message = issue.message;
  if (field === 'targets' && typeof language === 'string') message = `target ${language}: ${message}`;
  else if (field === undefined && issue.code === 'invalid_type') message = 'an entry is an object with a "term"';
  else if (issue.code === 'invalid_type' && typeof field === 'string') message = `${field}: ${message}`;
  return { entry: index + 1, message: `${message}${named}` };
}
