// Use case: the speaker sent an audio frame.
//   input: the connection id, the frame's base64 text, when it was received
//   output: the frame on the audio stream exactly once (or a clear error to the client)
//   primary course: check the sender is a speaker, decode the frame, claim its sequence number in the session's
//   frame ledger (which also checks it is still the live session's speaker; duplicates dropped), put it on
//   Kinesis partitioned by session id, confirm it in the ledger (a failed put releases the claim and asks for the
//   frame again).
import { decodeAudioFrameText, encodeAudioRecord } from '@llt/events';
import { ClientError } from '../errors.ts';
import type { ConnectionCache } from './connection-cache.ts';
import type { IngestDeps } from './deps.ts';
import { highestFrame } from './sequence.ts';

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
  const claimed = await deps.sessions.claimFrame(sessionId, connectionId, frame.seq, started);
  const claimedAt = deps.clock.now();
  deps.metrics.latency('FrameQueueMs', started - receivedAt);
  deps.metrics.latency('FrameClaimMs', claimedAt - started);
  if (claimed.outcome !== 'claimed') {
    if (claimed.outcome === 'not-live') throw new ClientError('session_ended', `Session ${sessionId} has ended`, 410);
    if (claimed.outcome === 'not-speaker') {
      throw new ClientError('not_speaker', 'Another connection is now the speaker of this session', 403);
    }
    deps.metrics.count('FramesDuplicate');
    deps.log.info('duplicate audio frame dropped', { sessionId, seq: frame.seq });
    return 'duplicate';
  }
  const highest = highestFrame(claimed.previous);
  if (highest !== null && frame.seq < highest) {
    // Normal when frames are handled concurrently or resent; transcribe puts them back in order.
    deps.metrics.count('FramesOutOfOrder');
  }
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
    await releaseClaim(deps, sessionId, frame.seq);
    deps.log.error('audio frame not stored', { sessionId, seq: frame.seq, error: String(cause) });
    throw new ClientError('frame_not_stored', `Audio frame ${frame.seq} could not be stored; send it again`, 503, {
      seq: frame.seq,
      retryable: true,
    });
  }
  // On the stream: the frame now counts for the resume point (and for an `end` waiting on it).
  await deps.sessions.confirmFrame(sessionId, frame.seq);
  const stored = deps.clock.now();
  deps.metrics.latency('FramePutMs', stored - claimedAt);
  deps.metrics.latency('FrameToStreamMs', stored - receivedAt);
  deps.metrics.count('FramesStored');
  return 'stored';
}

/** The frame was claimed but not stored: free its number so the resend is accepted. */
async function releaseClaim(deps: IngestDeps, sessionId: string, seq: number): Promise<void> {
  try {
    await deps.sessions.releaseFrame(sessionId, seq);
  } catch (error) {
    // The claim goes stale after STALE_CLAIM_MS and the resend is accepted then. Logged so it is never silent.
    deps.log.error('could not release the claim of an unstored frame', { sessionId, seq, error: String(error) });
  }
}
