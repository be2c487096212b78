// Use cases: a WebSocket connects or disconnects.
//   input: the connection id and the handshake's query (role, session id + token, or join code + language)
//   output: accepted, or a ClientError whose status and message refuse the handshake
//   primary course: authenticate the speaker by token (one speaker per session) or resolve the listener's join
//   code and language; admit the speaker's session on the recognisers' capacity (or renew its place); record the
//   connection; announce ListenerJoined / ListenerLeft. A speaker who leaves keeps the place a while to come back.
import { ListenerJoinedV1, ListenerLeftV1 } from '@llt/events';
import { ClientError } from '../errors.ts';
import { admitSession, holdAdmissionFor } from './admission.ts';
import type { IngestDeps } from './deps.ts';
import type { ConnectionRecord } from './ports.ts';
import { limitJoinAttempts } from './rate-limits.ts';
import { assertLive, authorizeSpeaker, findLiveSessionByCode } from './sessions.ts';

export type ConnectQuery = Record<string, string | undefined>;

/**
 * `clientIp`: the handshake's source IP; a listener's failed join attempts count against it. `speakerSub`: the
 * signed-in user the $connect authorizer verified (`requestContext.authorizer.sub`), under the `cognito` scheme.
 */
export async function connect(
  deps: IngestDeps,
  connectionId: string,
  query: ConnectQuery,
  clientIp?: string,
  speakerSub?: string,
): Promise<ConnectionRecord> {
  switch (query.role) {
    case 'speaker':
      return connectSpeaker(deps, connectionId, query, speakerSub);
    case 'listener':
      return connectListener(deps, connectionId, query, clientIp);
    default:
      throw new ClientError(
        'invalid_request',
        'Connect with ?role=speaker&sessionId=…&token=… or ?role=listener&code=…&lang=…',
        400,
      );
  }
}

async function connectSpeaker(
  deps: IngestDeps,
  connectionId: string,
  query: ConnectQuery,
  speakerSub: string | undefined,
): Promise<ConnectionRecord> {
  const { sessionId, token } = query;
  if (!sessionId || !token) {
    throw new ClientError('invalid_request', 'A speaker connects with ?role=speaker&sessionId=…&token=…', 400);
  }
  const session = await authorizeSpeaker(deps, sessionId, token, speakerSub);
  assertLive(deps, session);
  // Nothing is started for a session the recognisers cannot take: refused here with `at_capacity`.
  await admitSession(deps, sessionId);
  let attached = await deps.sessions.attachSpeaker(sessionId, connectionId);
  // The holder as read above; if it changed since, the conditional detach below changes nothing.
  const holder = attached === 'taken' ? session.speakerConnectionId : undefined;
  if (holder && (await replaceStaleSpeaker(deps, sessionId, connectionId, holder))) {
    attached = await deps.sessions.attachSpeaker(sessionId, connectionId);
  }
  if (attached === 'taken') {
    throw new ClientError(
      'speaker_already_connected',
      'This session already has a speaker connected; close the other connection first',
      409,
    );
  }
  if (attached === 'not-live') throw new ClientError('session_ended', `Session ${sessionId} has ended`, 410);
  const record: ConnectionRecord = {
    connectionId,
    sessionId,
    role: 'speaker',
    connectedAt: deps.clock.now(),
    expiresAt: session.expiresAt,
  };
  await deps.connections.put(record);
  deps.log.info('speaker connected', { sessionId, connectionId });
  return record;
}

/**
 * A live speaker connection sends a frame every 100 ms at most and a hello every 5 s even while paused, so one
 * whose client has sent nothing for this long has lost its network (or its page) without a close: three missed
 * hellos, and room for a network stall of several seconds. API Gateway itself keeps such a connection open up to
 * its 10-minute idle timeout and sends no pings, so without this the speaker could not come back for 10 minutes.
 */
export const SPEAKER_SILENCE_BEFORE_TAKEOVER_MS = 15_000;

/**
 * Frees the session's speaker slot when the connection holding it is gone (its $disconnect was lost, which
 * API Gateway allows) or silent for longer than SPEAKER_SILENCE_BEFORE_TAKEOVER_MS; a silent one is closed
 * (its client sees 1000). Returns whether the slot was freed.
 */
async function replaceStaleSpeaker(
  deps: IngestDeps,
  sessionId: string,
  connectionId: string,
  holder: string,
): Promise<boolean> {
  const found = await deps.clients.connection(holder);
  const silentForMs = found ? deps.clock.now() - found.lastActiveAt : undefined;
  if (silentForMs !== undefined && silentForMs <= SPEAKER_SILENCE_BEFORE_TAKEOVER_MS) return false;
  const reason = found ? 'silent' : 'gone';
  if (found) await deps.clients.disconnect(holder);
  await deps.sessions.detachSpeaker(sessionId, holder);
  deps.log.warn('speaker connection replaced another', {
    sessionId,
    connectionId,
    replaced: holder,
    reason,
    ...(silentForMs !== undefined ? { silentForMs } : {}),
  });
  deps.metrics.count('SpeakerTakeovers', 1, { name: 'reason', value: reason });
  return true;
}

async function connectListener(
  deps: IngestDeps,
  connectionId: string,
  query: ConnectQuery,
  clientIp: string | undefined,
): Promise<ConnectionRecord> {
  const { code, lang } = query;
  if (!code || !lang) {
    throw new ClientError('invalid_request', 'A listener connects with ?role=listener&code=…&lang=…', 400);
  }
  const session = await limitJoinAttempts(deps, clientIp, () => findLiveSessionByCode(deps, code));
  if (!deps.settings.languages.targets.includes(lang)) {
    throw new ClientError('unsupported_language', `Unknown language "${lang}"`, 400);
  }
  if (!session.targetLanguages.includes(lang)) {
    throw new ClientError(
      'language_not_offered',
      `This session is not translated into "${lang}"; choose one of: ${session.targetLanguages.join(', ')}`,
      400,
    );
  }
  const now = deps.clock.now();
  const record: ConnectionRecord = {
    connectionId,
    sessionId: session.sessionId,
    role: 'listener',
    language: lang,
    connectedAt: now,
    expiresAt: session.expiresAt,
  };
  await deps.connections.put(record);
  await deps.sessions.addListener(
    session.sessionId,
    { connectionId, language: lang, joinedAt: now },
    session.expiresAt,
  );
  await deps.events.publish(ListenerJoinedV1, {
    v: 1,
    sessionId: session.sessionId,
    connectionId,
    language: lang,
    occurredAt: now,
  });
  deps.metrics.count('ListenersJoined', 1, { name: 'language', value: lang });
  return record;
}

export async function disconnect(deps: IngestDeps, connectionId: string): Promise<void> {
  const record = await deps.connections.delete(connectionId);
  if (!record) return;
  if (record.role === 'speaker') {
    await deps.sessions.detachSpeaker(record.sessionId, connectionId);
    await holdAdmissionFor(deps, record.sessionId, deps.settings.admission.reconnectGraceMs);
    deps.log.info('speaker disconnected', { sessionId: record.sessionId, connectionId });
    return;
  }
  const language = record.language ?? '';
  await deps.sessions.removeListener(record.sessionId, { connectionId, language }, deps.clock.now());
  await deps.events.publish(ListenerLeftV1, {
    v: 1,
    sessionId: record.sessionId,
    connectionId,
    language,
    occurredAt: deps.clock.now(),
  });
}
