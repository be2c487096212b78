// What the ingest use cases need from the outside world. Adapters in ../adapters implement these.
import type { CapacityReport, GlossaryEntry } from '@llt/events';
import type {
  ConnectionInfo,
  ConnectionInspector,
  EventPublisher,
  ClientChannel as PlatformClientChannel,
  ServiceLog,
  ServiceMetrics,
} from '@llt/platform';
import type { FrameLedger } from './sequence.ts';

export type { ConnectionInfo, EventPublisher, ServiceLog, ServiceMetrics };

/**
 * Messages to clients, plus a look at a connection: a new speaker connection may replace one that is gone or
 * has gone silent (the Management API's GET @connections on AWS).
 */
export interface ClientChannel extends PlatformClientChannel, ConnectionInspector {}

export interface SessionRecord {
  sessionId: string;
  joinCode: string;
  sourceLanguage: string;
  targetLanguages: string[];
  /** sha256 of the speaker token; the token itself is never stored. */
  tokenHash: string;
  /** The signed-in user who created the session (Cognito `sub`), under the `cognito` speaker scheme. */
  ownerSub?: string;
  status: 'live' | 'ended';
  createdAt: number;
  expiresAt: number;
  endedAt?: number;
  endReason?: string;
  speakerConnectionId?: string;
  /** Which audio frames are stored; absent before the first one. */
  frames?: FrameLedger;
  /** The version of the session's glossary that holds now; absent while it has none. */
  glossaryVersion?: number;
}

export type Role = 'speaker' | 'listener';

export interface ConnectionRecord {
  connectionId: string;
  sessionId: string;
  role: Role;
  /** Listener's language; absent for the speaker. */
  language?: string;
  connectedAt: number;
  expiresAt: number;
}

export interface ListenerEntry {
  connectionId: string;
  language: string;
  /** When the listener's $connect recorded it (epoch ms): notify tells a connection still connecting from a gone one. */
  joinedAt?: number;
}

export interface SessionStore {
  /**
   * Stores a new session and reserves its join code; JoinCodeTakenError when the code is in use. With `glossary`,
   * its entries are stored as version `session.glossaryVersion` before the session names that version.
   */
  create(session: SessionRecord, glossary?: GlossaryEntry[]): Promise<void>;
  get(sessionId: string): Promise<SessionRecord | undefined>;
  sessionIdForJoinCode(joinCode: string): Promise<string | undefined>;
  /** Makes connectionId the session's speaker unless another connection already is, or the session is not live. */
  attachSpeaker(sessionId: string, connectionId: string): Promise<'attached' | 'taken' | 'not-live'>;
  detachSpeaker(sessionId: string, connectionId: string): Promise<void>;
  addListener(sessionId: string, entry: ListenerEntry, expiresAt: number): Promise<void>;
  /** Removes the listener; its language stays in the fan-out for a while (RECENT_LANGUAGE_MS) for reconnects. */
  removeListener(sessionId: string, entry: ListenerEntry, at?: number): Promise<void>;
  listListeners(sessionId: string): Promise<ListenerEntry[]>;
  /**
   * Claims frame `seq` for the session in one atomic conditional write: 'claimed' when it is neither on the stream
   * nor being put by another handler and `connectionId` is the live session's speaker; otherwise why not.
   * Concurrent claims of different frames do not conflict. `previous` is the ledger just before the claim.
   */
  claimFrame(
    sessionId: string,
    connectionId: string,
    seq: number,
    now: number,
  ): Promise<{ outcome: 'claimed'; previous: FrameLedger } | { outcome: 'duplicate' | 'not-speaker' | 'not-live' }>;
  /** The claimed frame is on the stream. */
  confirmFrame(sessionId: string, seq: number): Promise<void>;
  /** Undoes a claim whose frame could not be put, so its resend is accepted. */
  releaseFrame(sessionId: string, seq: number): Promise<void>;
  /**
   * Replaces `from` by `to` (a compaction: `absorbed` leave `above`, `stale` claims are dropped) iff the ledger's
   * upTo is still from's; false when another compaction got there first.
   */
  compactFrames(
    sessionId: string,
    from: FrameLedger,
    to: FrameLedger,
    absorbed: number[],
    stale: number[],
  ): Promise<boolean>;
  /**
   * Stores one version of the session's glossary, never to change; false (nothing written) when that version
   * already exists. Its lifetime follows the session's (`expiresAt`).
   */
  putGlossary(sessionId: string, version: number, entries: GlossaryEntry[], expiresAt: number): Promise<boolean>;
  /** A stored version of the session's glossary; undefined when there is no such version. */
  getGlossary(sessionId: string, version: number): Promise<GlossaryEntry[] | undefined>;
  /**
   * Makes `to` the session's glossary version iff the version that holds is still `from` (0: none) and the
   * session is live, in one conditional write; otherwise says which of the two failed.
   */
  setGlossaryVersion(sessionId: string, from: number, to: number): Promise<'updated' | 'conflict' | 'not-live'>;
  /** Marks a live session ended; returns it, or undefined when it was not live. */
  end(sessionId: string, reason: string, at: number): Promise<SessionRecord | undefined>;
}

export interface ConnectionStore {
  put(connection: ConnectionRecord): Promise<void>;
  get(connectionId: string): Promise<ConnectionRecord | undefined>;
  /** Deletes and returns the connection, or undefined when it was already gone. */
  delete(connectionId: string): Promise<ConnectionRecord | undefined>;
  /** Counts a rejected input against the connection (kept with it for operators). */
  countRejected(connectionId: string, code: string): Promise<void>;
}

/** The live sessions admitted, each with when its admission lapses unless renewed (epoch ms). */
export interface Admitted {
  held: Record<string, number>;
  /** The ledger's version, which a write must name (0: never written). */
  version: number;
}

/**
 * Which sessions hold a place on the recognisers, shared by every handler instance (one DynamoDB item on AWS,
 * replaced only by a conditional write on its version), and what the recognisers say they can hold.
 */
export interface AdmissionLedger {
  read(): Promise<Admitted>;
  /** Replaces the ledger iff its version is still `admitted.version`; false when another write came first. */
  write(admitted: Admitted): Promise<boolean>;
  /** The recognition workers' capacity reports written within the last few seconds. */
  capacity(now: number): Promise<CapacityReport[]>;
}

export interface AudioSink {
  /** Puts one record on the audio stream, partitioned by session; resolves when the stream acknowledged it. */
  put(sessionId: string, record: Uint8Array): Promise<void>;
}

/**
 * Counts a client's attempts in fixed time windows, shared by every handler instance (DynamoDB on AWS).
 * `kind` is what is counted (e.g. `join`), `client` who (the source IP).
 */
export interface RateLimiter {
  /** Attempts counted so far for `kind` and `client` in the window starting at `windowStart` (epoch ms); 0 when none. */
  attempts(kind: string, client: string, windowStart: number): Promise<number>;
  /** Counts one more attempt in the window [windowStart, windowEnd) and returns the window's new total. */
  record(kind: string, client: string, windowStart: number, windowEnd: number): Promise<number>;
}

export interface Clock {
  now(): number;
}

/** Who a verified speaker token belongs to (on AWS: the Cognito user). */
export interface SpeakerIdentity {
  /** The user's stable id (Cognito `sub`). */
  sub: string;
}

/** Checks the JWT a speaker presents at the WebSocket handshake (Cognito on AWS). */
export interface SpeakerTokenVerifier {
  /**
   * The token's owner. Rejects with SpeakerTokenRejectedError when the token is expired or not valid for this
   * deployment, and with SpeakerTokenVerificationError when it could not be checked (keys unavailable).
   */
  verify(token: string): Promise<SpeakerIdentity>;
}
