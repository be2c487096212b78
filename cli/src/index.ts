// Public API of @llt/cli: WAV handling, the HTTP API, and the speaker and listener clients for Node (the
// protocol itself is @llt/client's).

export {
  ApiClient,
  type FrameTag,
  frameSamplesFor,
  serverUrl,
  webSocketUrl,
} from '@llt/client';
export type { CreatedSession, CreateSessionRequest } from '@llt/events';
export { type CliIo, run } from './cli.ts';
export * from './errors.ts';
export { createSession, DEFAULT_SERVER, type HttpOptions, lookupJoinCode } from './http.ts';
export { ListenerClient, type ListenerClientOptions, type ListenerWelcome, type ReceivedMessage } from './listener.ts';
export { callbackUrl, DEFAULT_LOGIN_PORT, LoginError, login, speakerTokens, tokenFile } from './login.ts';
export { DEFAULT_RECONNECT, delayUntil, realtimeSchedule, type ScheduledFrame, sampleTime } from './schedule.ts';
export {
  type ConnectionState,
  type FrameSentHook,
  SpeakerClient,
  type SpeakerClientOptions,
  type SpeakerStats,
  type SpeakerWelcome,
  type StreamOptions,
  type StreamResult,
} from './speaker.ts';
export { encodeWav, parseWav, readWav, toMono16k, type Wav, writeWav } from './wav.ts';
