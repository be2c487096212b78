// In-memory implementations of the ingest ports, for unit tests (no network).
import type { CapacityReport, EventDefinition, GlossaryEntry } from '@llt/events';
import type { IngestDeps } from '#core/deps';
import type {
  AdmissionLedger,
  Admitted,
  AudioSink,
  ClientChannel,
  ConnectionRecord,
  ConnectionStore,
  EventPublisher,
  ListenerEntry,
  RateLimiter,
  SessionRecord,
  SessionStore,
  SpeakerIdentity,
  SpeakerTokenVerifier,
} from '#core/ports';
import { claimable, type FrameLedger } from '#core/sequence';
import { JoinCodeTakenError, SpeakerTokenRejectedError } from '#errors';

/** The admission ledger with its version check, and the capacity reports a test sets. */
export class MemoryAdmissionLedger implements AdmissionLedger {
  admitted: Admitted = { held: {}, version: 0 };
  reports: CapacityReport[] = [];
  /** Runs before each write, to stage a concurrent admission. */
  beforeWrite: (() => Promise<void>) | undefined;
  writes = 0;
  async read() {
    return structuredClone(this.admitted);
  }
  async write(next: Admitted) {
    const hook = this.beforeWrite;
    this.beforeWrite = undefined;
    await hook?.();
    if (next.version !== this.admitted.version) return false;
    this.writes++;
    this.admitted = { held: structuredClone(next.held), version: next.version + 1 };
    return true;
  }
  async capacity() {
    return structuredClone(this.reports);
  }
}

export class MemorySessionStore implements SessionStore {
  readonly sessions = new Map<string, SessionRecord>();
  readonly codes = new Map<string, string>();
  readonly listeners = new Map<string, ListenerEntry[]>();
  /** Glossary versions by `<session>#<version>`, as written. */
  readonly glossaries = new Map<string, GlossaryEntry[]>();
  /** Runs between the two writes of a glossary edit (after the version is stored), to stage a concurrent edit. */
  beforeGlossaryVersionSet: (() => Promise<void>) | undefined;
  claims = 0;

  async create(s: SessionRecord, glossary?: GlossaryEntry[]) {
    if (this.codes.has(s.joinCode)) throw new JoinCodeTakenError(s.joinCode);
    this.codes.set(s.joinCode, s.sessionId);
    if (glossary && s.glossaryVersion) await this.putGlossary(s.sessionId, s.glossaryVersion, glossary);
    this.sessions.set(s.sessionId, structuredClone(s));
  }
  async putGlossary(id: string, version: number, entries: GlossaryEntry[]) {
    const key = `${id}#${version}`;
    if (this.glossaries.has(key)) return false;
    this.glossaries.set(key, structuredClone(entries));
    return true;
  }
  async getGlossary(id: string, version: number) {
    const entries = this.glossaries.get(`${id}#${version}`);
    return entries ? structuredClone(entries) : undefined;
  }
  async setGlossaryVersion(id: string, from: number, to: number) {
    const hook = this.beforeGlossaryVersionSet;
    this.beforeGlossaryVersionSet = undefined;
    await hook?.();
    const s = this.sessions.get(id);
    if (s?.status !== 'live') return 'not-live' as const;
    if ((s.glossaryVersion ?? 0) !== from) return 'conflict' as const;
    s.glossaryVersion = to;
    return 'updated' as const;
  }
  async get(id: string) {
    const s = this.sessions.get(id);
    return s ? structuredClone(s) : undefined;
  }
  async sessionIdForJoinCode(code: string) {
    return this.codes.get(code);
  }
  async attachSpeaker(id: string, connectionId: string) {
    const s = this.sessions.get(id);
    if (s?.status !== 'live') return 'not-live' as const;
    if (s.speakerConnectionId) return 'taken' as const;
    s.speakerConnectionId = connectionId;
    return 'attached' as const;
  }
  async detachSpeaker(id: string, connectionId: string) {
    const s = this.sessions.get(id);
    if (s?.speakerConnectionId === connectionId) delete s.speakerConnectionId;
  }
  async addListener(id: string, e: ListenerEntry) {
    this.listeners.set(id, [...(this.listeners.get(id) ?? []), e]);
  }
  async removeListener(id: string, e: ListenerEntry) {
    this.listeners.set(
      id,
      (this.listeners.get(id) ?? []).filter((l) => l.connectionId !== e.connectionId),
    );
  }
  async listListeners(id: string) {
    return [...(this.listeners.get(id) ?? [])];
  }
  async claimFrame(id: string, connectionId: string, seq: number, now: number) {
    this.claims++;
    const s = this.sessions.get(id);
    if (s?.status !== 'live') return { outcome: 'not-live' as const };
    if (s.speakerConnectionId !== connectionId) return { outcome: 'not-speaker' as const };
    const previous: FrameLedger = structuredClone(s.frames ?? { upTo: -1, above: [], claimed: {} });
    if (!claimable(previous, seq, now)) return { outcome: 'duplicate' as const };
    s.frames = { ...previous, claimed: { ...previous.claimed, [seq]: now } };
    return { outcome: 'claimed' as const, previous };
  }
  async confirmFrame(id: string, seq: number) {
    const frames = this.sessions.get(id)!.frames!;
    delete frames.claimed?.[String(seq)];
    if (!frames.above.includes(seq)) frames.above.push(seq);
  }
  async releaseFrame(id: string, seq: number) {
    delete this.sessions.get(id)?.frames?.claimed?.[String(seq)];
  }
  async compactFrames(id: string, from: FrameLedger, to: FrameLedger, absorbed: number[], stale: number[]) {
    const s = this.sessions.get(id);
    if (!s?.frames || s.frames.upTo !== from.upTo) return false;
    // What DynamoDB does: the resume point moves, the absorbed frames leave the set, stale claims go; the rest stays.
    const claimed = { ...s.frames.claimed };
    for (const seq of stale) delete claimed[String(seq)];
    s.frames = { upTo: to.upTo, above: s.frames.above.filter((f) => !absorbed.includes(f)), claimed };
    return true;
  }
  async end(id: string, reason: string, at: number) {
    const s = this.sessions.get(id);
    if (s?.status !== 'live') return undefined;
    Object.assign(s, { status: 'ended', endReason: reason, endedAt: at });
    return structuredClone(s);
  }
}

export class MemoryConnectionStore implements ConnectionStore {
  readonly connections = new Map<string, ConnectionRecord>();
  readonly rejected: { connectionId: string; code: string }[] = [];
  async put(c: ConnectionRecord) {
    this.connections.set(c.connectionId, { ...c });
  }
  async get(id: string) {
    return this.connections.get(id);
  }
  async delete(id: string) {
    const c = this.connections.get(id);
    this.connections.delete(id);
    return c;
  }
  async countRejected(connectionId: string, code: string) {
    this.rejected.push({ connectionId, code });
  }
}

/** Counters per kind, client and window, with every call kept (so a test sees when no lookup was counted). */
export class MemoryRateLimiter implements RateLimiter {
  readonly counts = new Map<string, number>();
  readonly calls: { op: 'attempts' | 'record'; kind: string; client: string; windowStart: number }[] = [];
  async attempts(kind: string, client: string, windowStart: number) {
    this.calls.push({ op: 'attempts', kind, client, windowStart });
    return this.counts.get(`${kind}#${client}#${windowStart}`) ?? 0;
  }
  async record(kind: string, client: string, windowStart: number, _windowEnd: number) {
    this.calls.push({ op: 'record', kind, client, windowStart });
    const key = `${kind}#${client}#${windowStart}`;
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    return n;
  }
}

export class RecordingAudioSink implements AudioSink {
  readonly records: { sessionId: string; data: Uint8Array }[] = [];
  failNext = 0;
  async put(sessionId: string, data: Uint8Array) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('stream unavailable');
    }
    this.records.push({ sessionId, data: data.slice() });
  }
}

export class RecordingPublisher implements EventPublisher {
  readonly events: { detailType: string; detail: unknown }[] = [];
  async publish(def: EventDefinition, detail: unknown) {
    def.schema.parse(detail);
    this.events.push({ detailType: def.detailType, detail });
  }
}

/**
 * Records what is sent and closed. A connection is gone once listed in `gone` or disconnected; its client was
 * last active at the time in `lastActive`, else just now (a live connection).
 */
export class RecordingChannel implements ClientChannel {
  readonly sent: { connectionId: string; message: Record<string, unknown> }[] = [];
  readonly disconnected: string[] = [];
  readonly gone = new Set<string>();
  readonly lastActive = new Map<string, number>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  async send(connectionId: string, message: unknown) {
    if (this.gone.has(connectionId)) return 'gone' as const;
    this.sent.push({ connectionId, message: message as Record<string, unknown> });
    return 'sent' as const;
  }
  async disconnect(connectionId: string) {
    this.disconnected.push(connectionId);
  }
  async isConnected(connectionId: string) {
    return !this.gone.has(connectionId) && !this.disconnected.includes(connectionId);
  }
  async connection(connectionId: string) {
    if (!(await this.isConnected(connectionId))) return undefined;
    const lastActiveAt = this.lastActive.get(connectionId) ?? this.now();
    return { connectedAt: lastActiveAt, lastActiveAt };
  }
  to(connectionId: string) {
    return this.sent.filter((s) => s.connectionId === connectionId).map((s) => s.message);
  }
}

export interface FakeWorld extends IngestDeps {
  sessions: MemorySessionStore;
  connections: MemoryConnectionStore;
  audio: RecordingAudioSink;
  events: RecordingPublisher;
  clients: RecordingChannel;
  rateLimits: MemoryRateLimiter;
  admissions: MemoryAdmissionLedger;
  logs: { level: string; message: string; extra?: Record<string, unknown> }[];
  counts: Map<string, number>;
  time: { now: number };
}

export function fakeWorld(): FakeWorld {
  const logs: FakeWorld['logs'] = [];
  const counts = new Map<string, number>();
  const time = { now: 1_800_000_000_000 };
  const log = (level: string) => (message: string, extra?: Record<string, unknown>) =>
    logs.push({ level, message, ...(extra ? { extra } : {}) });
  return {
    sessions: new MemorySessionStore(),
    connections: new MemoryConnectionStore(),
    audio: new RecordingAudioSink(),
    events: new RecordingPublisher(),
    clients: new RecordingChannel(() => time.now),
    rateLimits: new MemoryRateLimiter(),
    admissions: new MemoryAdmissionLedger(),
    clock: { now: () => time.now },
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    metrics: {
      latency: () => undefined,
      count: (name, by = 1, dimension) => {
        const key = dimension ? `${name}.${dimension.value}` : name;
        counts.set(key, (counts.get(key) ?? 0) + by);
      },
    },
    settings: {
      languages: { sources: ['en'], targets: ['es', 'ca', 'gl', 'eo'], spoken: ['es', 'ca', 'gl', 'eo'] },
      sessionTtlMs: 3_600_000,
      joinAttemptsPerMinute: 20,
      messagesPerSecond: 100,
      speakerAuth: 'session-token',
      admission: { mode: 'measured', holdMs: 60_000, reconnectGraceMs: 30_000, unreportedSessions: 4 },
    },
    logs,
    counts,
    time,
  };
}

/** Accepts the tokens it was given (token → Cognito sub); any other token is invalid, `expired` tokens expired. */
export class FakeSpeakerTokenVerifier implements SpeakerTokenVerifier {
  readonly verified: string[] = [];
  readonly valid = new Map<string, string>();
  readonly expired = new Set<string>();
  failure: Error | undefined;

  async verify(token: string): Promise<SpeakerIdentity> {
    this.verified.push(token);
    if (this.failure) throw this.failure;
    const sub = this.valid.get(token);
    if (sub) return { sub };
    if (this.expired.has(token))
      throw new SpeakerTokenRejectedError('expired', 'Token expired at 2026-01-01T00:00:00.000Z');
    throw new SpeakerTokenRejectedError('invalid', `Invalid signature for ${token}`);
  }
}
