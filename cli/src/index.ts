// Public API of @llt/cli: WAV handling, the HTTP API, and the speaker and listener WebSocket clients.
export * from './errors.ts';
export {
  type CreatedSession,
  type CreateSessionRequest,
  createSession,
  DEFAULT_SERVER,
  type HttpOptions,
  type JoinCodeInfo,
  lookupJoinCode,
  serverUrl,
  webSocketUrl,
} from './http.ts';
export {
  ListenerClient,
  type ListenerOptions,
  type ListenerOutcome,
  type ListenerWelcome,
  type ReceivedMessage,
} from './listener.ts';
export {
  DEFAULT_FRAME_MS,
  DEFAULT_MAX_BUFFERED_MS,
  type FrameSentHook,
  type FrameTag,
  frameSamplesFor,
  Outbox,
  type OutboxOptions,
  type OutFrame,
  pcmBytes,
  type WelcomeOutcome,
} from './outbox.ts';
export {
  backoffDelay,
  DEFAULT_RECONNECT,
  delayUntil,
  type ReconnectPolicy,
  realtimeSchedule,
  type ScheduledFrame,
  sampleTime,
} from './schedule.ts';
export {
  type ConnectionState,
  SpeakerClient,
  type SpeakerOptions,
  type SpeakerStats,
  type SpeakerWelcome,
  type StreamOptions,
  type StreamResult,
} from './speaker.ts';
export { encodeWav, parseWav, readWav, toMono16k, type Wav, writeWav } from './wav.ts';
