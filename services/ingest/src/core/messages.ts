// Use case: a client sent a WebSocket message (an audio frame as base64 text, or a JSON control message).
//   input: connection id, the message's text, when it was received
//   output: the effect of the message, or an error message sent back to that client (never a crash)
//   primary course: audio → receiveAudio; hello → welcome; pause/resume → a marker on the audio stream;
//   end → the session ends for everyone.
import {
  CLIENT_ACTIONS,
  ClientMessage,
  encodeAudioRecord,
  isAudioFrameText,
  MAX_CONTROL_MESSAGE_BYTES,
  type ServerMessage,
  SessionEndedV1,
  type WelcomeMessage,
} from '@llt/events';
import { forEachLimited } from '@llt/platform';
import { ClientError } from '../errors.ts';
import { admitSession, releaseAdmission } from './admission.ts';
import { receiveAudio } from './audio.ts';
import type { ConnectionCache } from './connection-cache.ts';
import type { IngestDeps } from './deps.ts';
import type { ConnectionRecord, SessionRecord } from './ports.ts';
import type { MessageRateLimits } from './rate-limits.ts';
import { announceListeners } from './relay.ts';
import { compact, contiguousUpTo, EMPTY_LEDGER, highestFrame, staleClaims } from './sequence.ts';

/** A message's text: base64 characters only make an audio frame, anything else a control message. */
export async function handleMessage(
  deps: IngestDeps,
  cache: ConnectionCache,
  limits: MessageRateLimits,
  connectionId: string,
  text: string,
  receivedAt: number,
): Promise<void> {
  const admission = limits.admit(connectionId, receivedAt);
  if (admission !== 'admit') {
    deps.metrics.count('RateLimitedMessages');
    if (admission === 'drop-and-tell') {
      const perSecond = deps.settings.messagesPerSecond;
      await reject(
        deps,
        connectionId,
        new ClientError(
          'rate_limited',
          `More than ${perSecond} messages a second on this connection: messages are being dropped, not stored; ` +
            'slow down and resend them',
          429,
          { retryable: true },
        ),
      );
    }
    return;
  }
  try {
    if (isAudioFrameText(text)) {
      await receiveAudio(deps, cache, connectionId, text, receivedAt);
      return;
    }
    await handleControl(deps, cache, connectionId, parseControl(text));
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    await reject(deps, connectionId, error);
  }
}

/** Tells the client what was wrong and counts it; a client that is gone is not an error. */
export async function reject(deps: IngestDeps, connectionId: string, error: ClientError): Promise<void> {
  deps.metrics.count('RejectedInputs', 1, { name: 'code', value: error.code });
  deps.log.info('rejected client input', { connectionId, code: error.code, detail: error.message });
  await Promise.all([
    deps.clients.send(connectionId, error.toMessage()),
    deps.connections.countRejected(connectionId, error.code).catch(() => undefined),
  ]);
}

export function parseControl(text: string): ClientMessage {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_CONTROL_MESSAGE_BYTES) {
    throw new ClientError(
      'message_too_large',
      `Text message of ${bytes} bytes exceeds ${MAX_CONTROL_MESSAGE_BYTES} bytes; audio goes in base64 audio frames`,
      413,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ClientError('invalid_message', 'Message is neither valid JSON nor a base64 audio frame', 400);
  }
  const expected = CLIENT_ACTIONS.join(', ');
  if (
    typeof json !== 'object' ||
    json === null ||
    Array.isArray(json) ||
    typeof (json as { action?: unknown }).action !== 'string'
  ) {
    throw new ClientError('invalid_message', `Expected a JSON object with "action": one of ${expected}`, 400);
  }
  const parsed = ClientMessage.safeParse(json);
  if (!parsed.success) {
    const action = String((json as { action: string }).action).slice(0, 40);
    throw new ClientError('invalid_message', `Unknown action "${action}"; expected one of ${expected}`, 400);
  }
  return parsed.data;
}

async function handleControl(deps: IngestDeps, cache: ConnectionCache, connectionId: string, message: ClientMessage) {
  const connection = await cache.require(connectionId);
  switch (message.action) {
    case 'hello': {
      const session = await deps.sessions.get(connection.sessionId);
      if (connection.role === 'speaker' && session?.frames) await compactLedger(deps, session);
      if (connection.role === 'speaker' && session?.status === 'live') await renewAdmission(deps, session.sessionId);
      await deps.clients.send(connectionId, welcome(connection, session));
      // A (re)connected speaker learns who is listening right away, not at the next join.
      if (connection.role === 'speaker') await announceListeners(deps, session);
      return;
    }
    case 'pause':
    case 'resume':
      requireSpeaker(connection, message.action);
      await putMarker(deps, connection, message.action);
      return;
    case 'end':
      requireSpeaker(connection, message.action);
      await endSession(deps, connection.sessionId, 'speaker-ended');
      return;
  }
}

/**
 * The speaker's hellos keep the session's place on the recognisers. A place that lapsed (no hello for the whole hold)
 * while the recognisers filled up is not taken back from a session already live: it is logged.
 */
async function renewAdmission(deps: IngestDeps, sessionId: string): Promise<void> {
  try {
    await admitSession(deps, sessionId);
  } catch (error) {
    if (!(error instanceof ClientError) || error.code !== 'at_capacity') throw error;
    deps.log.warn('live session over capacity after its place lapsed', { sessionId });
  }
}

function requireSpeaker(connection: ConnectionRecord, action: string): void {
  if (connection.role !== 'speaker') {
    throw new ClientError('not_speaker', `Only the session's speaker can ${action} the session`, 403);
  }
}

function welcome(connection: ConnectionRecord, session: SessionRecord | undefined): WelcomeMessage {
  if (session?.status !== 'live') {
    throw new ClientError('session_ended', `Session ${connection.sessionId} has ended`, 410);
  }
  if (connection.role === 'speaker') {
    return {
      type: 'welcome',
      role: 'speaker',
      sessionId: session.sessionId,
      sourceLanguage: session.sourceLanguage,
      targetLanguages: session.targetLanguages,
      lastSeq: contiguousUpTo(session.frames ?? EMPTY_LEDGER),
    };
  }
  return {
    type: 'welcome',
    role: 'listener',
    sessionId: session.sessionId,
    sourceLanguage: session.sourceLanguage,
    language: connection.language ?? '',
  };
}

/**
 * Folds the contiguous run of stored frames into the ledger's resume point, so the ledger stays small (the
 * speaker's periodic hellos drive it). Losing the race to another hello is fine: it did the same.
 */
async function compactLedger(deps: IngestDeps, session: SessionRecord): Promise<void> {
  const ledger = session.frames ?? EMPTY_LEDGER;
  const { ledger: next, absorbed, skipped } = compact(ledger);
  const stale = staleClaims(ledger, deps.clock.now());
  if (absorbed.length === 0 && !skipped && stale.length === 0) return;
  if (skipped) {
    deps.metrics.count('FramesSkipped', skipped.to - skipped.from + 1);
    deps.log.warn('audio frames never arrived and are given up on', {
      sessionId: session.sessionId,
      missingFrom: skipped.from,
      missingTo: skipped.to,
    });
  }
  await deps.sessions.compactFrames(session.sessionId, ledger, next, absorbed, stale);
}

async function putMarker(deps: IngestDeps, connection: ConnectionRecord, marker: 'pause' | 'resume'): Promise<void> {
  const session = await deps.sessions.get(connection.sessionId);
  const afterSeq = highestFrame(session?.frames ?? EMPTY_LEDGER);
  await deps.audio.put(
    connection.sessionId,
    encodeAudioRecord({
      v: 1,
      kind: 'marker',
      sessionId: connection.sessionId,
      marker,
      ...(afterSeq !== null ? { afterSeq } : {}),
      receivedAt: deps.clock.now(),
    }),
  );
}

/**
 * Ends a live session: an `end` marker on the stream (so the recogniser finalizes), SessionEnded on the bus,
 * every connection told, the speaker's closed. Ending an ended session does nothing.
 */
export async function endSession(
  deps: IngestDeps,
  sessionId: string,
  reason: 'speaker-ended' | 'expired' | 'idle' | 'shutdown',
): Promise<boolean> {
  const now = deps.clock.now();
  const ended = await deps.sessions.end(sessionId, reason, now);
  if (!ended) return false;
  await releaseAdmission(deps, sessionId);
  const lastSeq = highestFrame(ended.frames ?? EMPTY_LEDGER);
  await deps.audio.put(
    sessionId,
    encodeAudioRecord({
      v: 1,
      kind: 'marker',
      sessionId,
      marker: 'end',
      ...(lastSeq !== null ? { afterSeq: lastSeq } : {}),
      receivedAt: now,
    }),
  );
  await deps.events.publish(SessionEndedV1, {
    v: 1,
    sessionId,
    reason,
    ...(lastSeq !== null ? { lastSeq } : {}),
    occurredAt: now,
  });
  const notice: ServerMessage = { type: 'session-ended', sessionId, reason };
  const listeners = await deps.sessions.listListeners(sessionId);
  // Listeners stay connected: the last sentence's captions, translations and audio are still on their way.
  // They close when they have them (API Gateway's idle timeout closes any that do not).
  await forEachLimited(listeners, 64, (l) => deps.clients.send(l.connectionId, notice).then(() => undefined));
  if (ended.speakerConnectionId && (await deps.clients.send(ended.speakerConnectionId, notice)) === 'sent') {
    await deps.clients.disconnect(ended.speakerConnectionId);
  }
  deps.metrics.count('SessionsEnded', 1, { name: 'reason', value: reason });
  deps.log.info('session ended', { sessionId, reason, listeners: listeners.length });
  return true;
}
