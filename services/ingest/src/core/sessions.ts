// Use cases: create a session, look up a join code, list languages.
//   input: the speaker's choice of languages / a join code typed by a listener
//   output: the session's id, join code and speaker token / the session's public description
//   primary course: validate languages (and the glossary, when given) against the catalog and what is installed,
//   admit it on the recognisers' measured capacity (or refuse `at_capacity`, nothing created), mint id, code and
//   token, store the session with its glossary as version 1 (retrying on a join-code collision), announce
//   SessionStarted (and GlossaryChanged).
import {
  type CreatedSession,
  CreateSessionRequest,
  languageName,
  matchLanguage,
  nativeLanguageName,
  type SessionDescription,
  SessionStartedV1,
  targetsOf,
} from '@llt/events';
import { z } from 'zod';
import { ClientError, JoinCodeTakenError } from '../errors.ts';
import { admitSession, releaseAdmission } from './admission.ts';
import type { IngestDeps } from './deps.ts';
import { checkGlossaryEntries, publishGlossary } from './glossary.ts';
import {
  hashToken,
  isWellFormedJoinCode,
  newJoinCode,
  newSessionId,
  newSpeakerToken,
  normalizeJoinCode,
  tokenMatches,
} from './ids.ts';
import type { SessionRecord } from './ports.ts';
import { limitJoinAttempts } from './rate-limits.ts';

const MAX_CODE_ATTEMPTS = 5;

/**
 * `owner`: the signed-in user creating the session (its `sub` from the HTTP API's JWT authorizer); required under
 * the `cognito` speaker scheme.
 */
export async function createSession(deps: IngestDeps, body: unknown, owner?: { sub: string }): Promise<CreatedSession> {
  if (deps.settings.speakerAuth === 'cognito' && !owner?.sub) {
    throw new ClientError('invalid_token', 'Sign in first: creating a session needs a signed-in speaker', 401);
  }
  const parsed = CreateSessionRequest.safeParse(body);
  if (!parsed.success) {
    throw new ClientError('invalid_request', `Invalid session request: ${z.prettifyError(parsed.error)}`, 400);
  }
  const sourceLanguage = checkSourceAvailable(deps, parsed.data.sourceLanguage);
  const targetLanguages = [...new Set(parsed.data.targetLanguages)];
  if (targetLanguages.includes(sourceLanguage) || targetLanguages.includes(parsed.data.sourceLanguage)) {
    throw new ClientError(
      'invalid_request',
      `Target languages must differ from the source language "${sourceLanguage}"`,
      400,
    );
  }
  for (const code of targetLanguages) checkTargetAvailable(deps, code, sourceLanguage);
  // An empty list is no glossary: version 1 is the first one with entries.
  const glossary =
    parsed.data.glossary === undefined ? undefined : checkGlossaryEntries(parsed.data.glossary, 'session glossary');
  const withGlossary = glossary !== undefined && glossary.length > 0;

  const now = deps.clock.now();
  const speakerToken = newSpeakerToken();
  const sessionId = newSessionId();
  // The session holds a place on the recognisers from now: its speaker has the admission's hold to connect.
  await admitSession(deps, sessionId);
  for (let attempt = 1; ; attempt++) {
    const session: SessionRecord = {
      sessionId,
      joinCode: newJoinCode(),
      sourceLanguage,
      targetLanguages,
      tokenHash: hashToken(speakerToken),
      ...(owner?.sub ? { ownerSub: owner.sub } : {}),
      status: 'live',
      createdAt: now,
      expiresAt: now + deps.settings.sessionTtlMs,
      ...(withGlossary ? { glossaryVersion: 1 } : {}),
    };
    try {
      await deps.sessions.create(session, withGlossary ? glossary : undefined);
    } catch (error) {
      if (error instanceof JoinCodeTakenError && attempt < MAX_CODE_ATTEMPTS) continue;
      await releaseAdmission(deps, sessionId).catch(() => undefined);
      throw error;
    }
    await deps.events.publish(SessionStartedV1, {
      v: 1,
      sessionId: session.sessionId,
      sourceLanguage,
      targetLanguages,
      occurredAt: now,
      expiresAt: session.expiresAt,
    });
    if (withGlossary) await publishGlossary(deps, session.sessionId, 1, glossary);
    deps.metrics.count('SessionsStarted');
    deps.log.info('session started', {
      sessionId: session.sessionId,
      sourceLanguage,
      targetLanguages,
      ...(withGlossary ? { glossaryEntries: glossary.length } : {}),
      ...(owner ? { owner: owner.sub } : {}),
    });
    return {
      sessionId: session.sessionId,
      joinCode: session.joinCode,
      speakerToken,
      sourceLanguage,
      targetLanguages,
      expiresAt: session.expiresAt,
    };
  }
}

/**
 * The deployment's source language for what the speaker asked: exact, or the engine's preferred variant of the same
 * language ("es" → "es-US" where the recogniser distinguishes regions).
 */
function checkSourceAvailable(deps: IngestDeps, code: string): string {
  const { languages } = deps.settings;
  const source = matchLanguage(languages.sources, code);
  if (!source) {
    throw new ClientError(
      'unsupported_language',
      `Source language "${code}" is not recognised on this server; supported: ${languages.sources.join(', ')}`,
      400,
    );
  }
  return source;
}

/** Refuses a target this deployment does not offer, or cannot reach from `source`. */
function checkTargetAvailable(deps: IngestDeps, code: string, source: string): void {
  const { languages } = deps.settings;
  if (!languages.targets.includes(code)) {
    throw new ClientError(
      'unsupported_language',
      `Target language "${code}" is not offered on this server: no installed translation engine reaches it; supported: ${languages.targets.join(', ')}`,
      400,
    );
  }
  if (!targetsOf(languages, source).includes(code)) {
    throw new ClientError(
      'unsupported_language',
      `${languageName(code)} (${code}) cannot be translated from ${languageName(source)} (${source}) on this server`,
      400,
    );
  }
}

/** Resolves a join code to its live session, or throws the error a listener should see. */
export async function findLiveSessionByCode(deps: IngestDeps, rawCode: string): Promise<SessionRecord> {
  const code = normalizeJoinCode(rawCode);
  const sessionId = isWellFormedJoinCode(code) ? await deps.sessions.sessionIdForJoinCode(code) : undefined;
  const session = sessionId ? await deps.sessions.get(sessionId) : undefined;
  if (!session) throw new ClientError('unknown_join_code', `No session has join code "${rawCode}"`, 404);
  assertLive(deps, session);
  return session;
}

/**
 * The session, if `token` (and, where speakers sign in, the signed-in user `sub`) are its speaker's: the checks a
 * speaker's WebSocket handshake and the glossary routes share. An ended session passes (callers that need it live
 * call assertLive); a live one whose speaker token expired does not.
 */
export async function authorizeSpeaker(
  deps: IngestDeps,
  sessionId: string,
  token: string,
  sub: string | undefined,
): Promise<SessionRecord> {
  const session = await deps.sessions.get(sessionId);
  if (!session) throw new ClientError('unknown_session', `No session ${sessionId}`, 404);
  if (!tokenMatches(token, session.tokenHash)) {
    throw new ClientError('invalid_token', 'The speaker token does not match this session', 401);
  }
  // Under `cognito`, the session's speaker is the user who created it, and no one else (even with its token).
  if (deps.settings.speakerAuth === 'cognito' && session.ownerSub !== sub) {
    throw new ClientError('not_speaker', 'This session belongs to another signed-in speaker', 403);
  }
  if (session.status === 'live' && deps.clock.now() >= session.expiresAt) {
    throw new ClientError(
      'token_expired',
      `The speaker token expired at ${new Date(session.expiresAt).toISOString()}`,
      401,
    );
  }
  return session;
}

export function assertLive(deps: IngestDeps, session: SessionRecord): void {
  if (session.status !== 'live') throw new ClientError('session_ended', `Session ${session.sessionId} has ended`, 410);
  if (deps.clock.now() >= session.expiresAt) {
    throw new ClientError('session_ended', `Session ${session.sessionId} expired`, 410);
  }
}

/** `clientIp`: the request's source IP; an unknown join code counts against it. */
export async function describeSession(
  deps: IngestDeps,
  rawCode: string,
  clientIp?: string,
): Promise<SessionDescription> {
  const session = await limitJoinAttempts(deps, clientIp, () => findLiveSessionByCode(deps, rawCode));
  return {
    sessionId: session.sessionId,
    sourceLanguage: session.sourceLanguage,
    targetLanguages: session.targetLanguages,
  };
}

/** GET /api/languages: the deployment's languages with their names; a target without a voice is captions only. */
export function listLanguages(deps: IngestDeps) {
  const { languages } = deps.settings;
  const named = (code: string) => ({ code, name: languageName(code), nativeName: nativeLanguageName(code) });
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'en');
  return {
    source: languages.sources.map(named).sort(byName),
    target: languages.targets
      .map((code) => ({ ...named(code), available: true, spoken: languages.spoken.includes(code) }))
      .sort(byName),
  };
}
