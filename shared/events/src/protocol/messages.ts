// JSON messages on the WebSocket. Clients send `{"action": …}` (API Gateway routes on `$request.body.action`);
// the server sends `{"type": …}`. A text message of base64 characters only is an audio frame (audio-frame.ts);
// nothing is ever sent as a binary frame, which API Gateway refuses.
import { z } from 'zod';
import { EpochMs, FrameSeq, LanguageCode, SegmentId, SessionId } from '../events/common.ts';

/** Largest JSON control message a client may send (audio frames are judged by their own limit). */
export const MAX_CONTROL_MESSAGE_BYTES = 4096;

export const ClientMessage = z.discriminatedUnion('action', [
  /** Asks for a `welcome` describing the connection (and, for the speaker, where to resume). */
  z.object({ action: z.literal('hello') }),
  /** Speaker only: the speaker paused; the recogniser can finalize what it has. */
  z.object({ action: z.literal('pause') }),
  z.object({ action: z.literal('resume') }),
  /** Speaker only: end the session for everyone. */
  z.object({ action: z.literal('end') }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export const CLIENT_ACTIONS = ['hello', 'pause', 'resume', 'end'] as const;

/**
 * Keep-alive: `{"action":"ping"}`. API Gateway closes a connection after 10 minutes without a message from its
 * client; this route is answered by the WebSocket API itself (a mock integration, no function, no reply), so a
 * client that has nothing to say sends it well within that time.
 */
export const KEEPALIVE_ACTION = 'ping';

/** Every error a client can receive, on the socket or as the body of a refused handshake / HTTP call. */
export const ErrorCode = z.enum([
  'malformed_frame',
  'unsupported_audio_format',
  'frame_too_large',
  'frame_not_stored',
  'invalid_message',
  'message_too_large',
  'not_speaker',
  'unknown_session',
  'unknown_join_code',
  'session_ended',
  'invalid_token',
  'token_expired',
  'speaker_already_connected',
  'unsupported_language',
  'language_not_offered',
  'invalid_request',
  /** The glossary changed since the version the edit was based on (another edit got there first). */
  'glossary_conflict',
  'rate_limited',
  /** Every recogniser this deployment has would fall behind with one more live session: try again later. */
  'at_capacity',
  'transcription_unavailable',
  'internal_error',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorMessage = z.object({
  type: z.literal('error'),
  code: ErrorCode,
  message: z.string(),
  /** Sequence number of the frame the error is about, when it is about one. */
  seq: FrameSeq.optional(),
  retryable: z.boolean().optional(),
  /** When trying again may succeed (`at_capacity`, `rate_limited`), in ms from now. */
  retryAfterMs: z.number().int().nonnegative().optional(),
  /** Every problem found in the input, each with where it is (a glossary's entry or a CSV file's line). */
  problems: z
    .array(
      z.object({
        /** 1-based line of a CSV file. */
        line: z.number().int().positive().optional(),
        /** 1-based entry of a list. */
        entry: z.number().int().positive().optional(),
        message: z.string(),
      }),
    )
    .optional(),
});
export type ErrorMessage = z.infer<typeof ErrorMessage>;

export const WelcomeMessage = z.discriminatedUnion('role', [
  z.object({
    type: z.literal('welcome'),
    role: z.literal('speaker'),
    sessionId: SessionId,
    sourceLanguage: LanguageCode,
    targetLanguages: z.array(LanguageCode),
    /** Last frame the server stored; a reconnecting speaker resends from lastSeq + 1. */
    lastSeq: FrameSeq.nullable(),
  }),
  z.object({
    type: z.literal('welcome'),
    role: z.literal('listener'),
    sessionId: SessionId,
    sourceLanguage: LanguageCode,
    language: LanguageCode,
  }),
]);
export type WelcomeMessage = z.infer<typeof WelcomeMessage>;

export const SessionEndedMessage = z.object({
  type: z.literal('session-ended'),
  sessionId: SessionId,
  reason: z.string(),
});

/** Source text (partial or final) and translated captions. */
export const CaptionMessage = z.object({
  type: z.literal('caption'),
  sessionId: SessionId,
  segmentId: SegmentId,
  /** Increases with each utterance of the session (it is derived from the utterance's first frame: not contiguous). */
  segmentIndex: z.number().int().nonnegative(),
  language: LanguageCode,
  /**
   * `source` captions are the recognised speech (to everyone); `translation` ones are in the listener's language
   * (the speaker receives every language's).
   */
  kind: z.enum(['source', 'translation']),
  final: z.boolean(),
  text: z.string(),
  /** Capture time (speaker's clock) of the utterance's first voiced audio; absent on older servers. */
  captureStart: EpochMs.optional(),
  /** Capture time of its last voiced audio: the speaker's page measures latency from it. */
  captureEnd: EpochMs,
  /**
   * A provisional translation (`kind: 'translation'`, `final: false`) translates the first `sourceWords` words of
   * the utterance's source text; a listener may show the source words after them as the untranslated tail.
   */
  sourceWords: z.number().int().positive().optional(),
});
export type CaptionMessage = z.infer<typeof CaptionMessage>;

export const AudioMessage = z.object({
  type: z.literal('audio'),
  sessionId: SessionId,
  segmentId: SegmentId,
  segmentIndex: z.number().int().nonnegative(),
  language: LanguageCode,
  url: z.url(),
  urlExpiresAt: EpochMs,
  contentType: z.string(),
  durationMs: z.number().nonnegative(),
  captureEnd: EpochMs,
  /**
   * An utterance's speech may come in parts (clauses spoken while the sentence goes on, then the rest): play them
   * in `part` order, one after the other. `last` false: more parts of this utterance follow. Absent: part 0, last.
   */
  part: z.number().int().nonnegative().optional(),
  last: z.boolean().optional(),
});
export type AudioMessage = z.infer<typeof AudioMessage>;

/** To the speaker: how many listeners each language has now (sent whenever a listener joins or leaves). */
export const ListenersMessage = z.object({
  type: z.literal('listeners'),
  sessionId: SessionId,
  counts: z.record(LanguageCode, z.number().int().nonnegative()),
});
export type ListenersMessage = z.infer<typeof ListenersMessage>;

/**
 * To the speaker: recognition of their speech is behind real time by `lagMs` (sent when it passes the warning
 * threshold, while it stays behind, and once when it is back).
 */
export const LagMessage = z.object({
  type: z.literal('lag'),
  sessionId: SessionId,
  lagMs: z.number().int().nonnegative(),
  behind: z.boolean(),
  degraded: z.boolean(),
});
export type LagMessage = z.infer<typeof LagMessage>;

// WelcomeMessage goes in whole: zod 4 refuses two options with the same `type` ("Duplicate discriminator value")
// but accepts a nested discriminated union, which then routes on `role`.
export const ServerMessage = z.discriminatedUnion('type', [
  ErrorMessage,
  WelcomeMessage,
  SessionEndedMessage,
  CaptionMessage,
  AudioMessage,
  ListenersMessage,
  LagMessage,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
