// Use case: the speaker sent an audio frame.
//   input: the connection id, the frame's base64 text, when it was received
//   output: the frame on the audio stream exactly once (or a clear error to the client)
//   primary course: check the sender is the session's speaker, decode the frame, claim its sequence number
//   (duplicates dropped, gaps logged), put it on Kinesis partitioned by session id.
import { decodeAudioFrameText, encodeAudioRecord } from '@llt/events';
import { ClientError } from '../errors.ts';
import type { ConnectionCache } from './connection-cache.ts';
import type { IngestDeps } from './deps.ts';
import type { ConnectionRecord } from './ports.ts';
import { type Claim, claim, release, type SeqState } from './sequence.ts';

export type FrameOutcome = 'stored' | 'duplicate';

export async function receiveAudio(
  deps: IngestDeps,
  cache: ConnectionCache,
  connectionId: string,
  text: string,
  receivedAt: number,
): Promise<FrameOutcome> {
  const connection = await cache.require(connectionId);
  if (connection.role !== 'speaker') {
    throw new ClientError('not_speaker', "Only the session's speaker can send audio; listeners can only listen", 403);
  }
  const decoded = decodeAudioFrameText(text);
  if (!decoded.ok) throw new ClientError(decoded.code, decoded.message, 400);
  const { frame } = decoded;
  const { sessionId } = connection;

  const started = deps.clock.now();
  const claimed = await claimSeq(deps, cache, connection, frame.seq);
  const claimedAt = deps.clock.now();
  deps.metrics.latency('FrameQueueMs', started - receivedAt);
  deps.metrics.latency('FrameClaimMs', claimedAt - started);
  if (claimed.kind !== 'accepted') {
    deps.metrics.count('FramesDuplicate');
    deps.log.info('duplicate audio frame dropped', { sessionId, seq: frame.seq, reason: claimed.kind });
    return 'duplicate';
  }
  if (claimed.gap) {
    const missing = claimed.gap.to - claimed.gap.from + 1;
    deps.metrics.count('FramesMissing', missing);
    deps.log.warn('audio frame sequence gap', { sessionId, missingFrom: claimed.gap.from, missingTo: claimed.gap.to });
  }
  if (claimed.late) deps.log.info('audio frame arrived out of order', { sessionId, seq: frame.seq });

  const record = encodeAudioRecord(
    {
      v: 1,
      kind: 'audio',
      sessionId,
      seq: frame.seq,
      captureTime: frame.captureTime,
      receivedAt,
      sampleRate: 16_000,
      channels: 1,
      encoding: 's16le',
      samples: frame.pcm.byteLength / 2,
    },
    frame.pcm,
  );
  try {
    await deps.audio.put(sessionId, record);
  } catch (cause) {
    await releaseSeq(deps, cache, connection, frame.seq);
    deps.log.error('audio frame not stored', { sessionId, seq: frame.seq, error: String(cause) });
    throw new ClientError('frame_not_stored', `Audio frame ${frame.seq} could not be stored; send it again`, 503, {
      seq: frame.seq,
      retryable: true,
    });
  }
  const stored = deps.clock.now();
  deps.metrics.latency('FramePutMs', stored - claimedAt);
  deps.metrics.latency('FrameToStreamMs', stored - receivedAt);
  deps.metrics.count('FramesStored');
  return 'stored';
}

/** Optimistic claim of a sequence number against the session's stored state (retried when frames race). */
async function claimSeq(
  deps: IngestDeps,
  cache: ConnectionCache,
  connection: ConnectionRecord,
  seq: number,
): Promise<Claim> {
  return updateSeq(deps, cache, connection, (state) => {
    const result = claim(state, seq);
    return { next: result.kind === 'accepted' ? result.next : undefined, result };
  });
}

async function releaseSeq(deps: IngestDeps, cache: ConnectionCache, connection: ConnectionRecord, seq: number) {
  try {
    await updateSeq(deps, cache, connection, (state) => ({
      next: state ? release(state, seq) : undefined,
      result: null,
    }));
  } catch (error) {
    // The frame stays claimed: a resend is then dropped as a duplicate. Logged so it is never silent.
    deps.log.error('could not release the sequence claim of an unstored frame', {
      sessionId: connection.sessionId,
      seq,
      error: String(error),
    });
  }
}

async function updateSeq<R>(
  deps: IngestDeps,
  cache: ConnectionCache,
  connection: ConnectionRecord,
  step: (state: SeqState | null) => { next: SeqState | null | undefined; result: R },
): Promise<R> {
  const { sessionId, connectionId } = connection;
  let expected = cache.seqState(sessionId) ?? (await loadSeq(deps, connection));
  for (let attempt = 0; attempt <= deps.settings.maxSeqRetries; attempt++) {
    const { next, result } = step(expected);
    if (next === undefined) return result;
    if ((await deps.sessions.compareAndSetSeq(sessionId, connectionId, expected, next)) === 'ok') {
      cache.setSeqState(sessionId, next);
      return result;
    }
    expected = await loadSeq(deps, connection);
  }
  throw new ClientError('frame_not_stored', 'Too many concurrent frames for this session; send it again', 503, {
    retryable: true,
  });
}

/** Reads the stored state, refusing when this connection is no longer the live session's speaker. */
async function loadSeq(deps: IngestDeps, connection: ConnectionRecord): Promise<SeqState | null> {
  const session = await deps.sessions.get(connection.sessionId);
  if (session?.status !== 'live') {
    throw new ClientError('session_ended', `Session ${connection.sessionId} has ended`, 410);
  }
  if (session.speakerConnectionId !== connection.connectionId) {
    throw new ClientError('not_speaker', 'Another connection is now the speaker of this session', 403);
  }
  return session.seq ?? null;
}
