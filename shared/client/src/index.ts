// The client side of the protocol, for the web apps and the command line alike (no Node-only imports here;
// Node's socket is in `@llt/client/node`): the HTTP API, the speaker's and the listener's connections.
export * from './backoff.ts';
export * from './errors.ts';
export * from './http.ts';
export {
  handshakeRefusal,
  Link,
  type LinkOptions,
  type LinkOutcome,
  type LinkProblem,
  type LinkProblemKind,
  type LinkState,
} from './link.ts';
export { ListenerConnection, type ListenerOptions, type ListenerWelcome } from './listener.ts';
export * from './outbox.ts';
export * from './socket.ts';
export { SpeakerConnection, type SpeakerOptions, type SpeakerStats, type SpeakerWelcome } from './speaker.ts';
