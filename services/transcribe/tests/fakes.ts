// In-memory ports and synthetic audio for transcribe unit tests (no engine, no network).
import { type AudioRecord, type EventDefinition, encodeAudioRecord } from '@llt/events';
import { DEFAULT_ENDPOINTER } from '#core/endpointer';
import type { FinalizedLedger, Hypothesis, Recognizer, RecognizerStream, SessionDirectory } from '#core/ports';
import type { TranscriberDeps } from '#core/transcriber';
import type { LeaseStore, ShardCheckpoint, ShardLease, StreamRecord } from '#worker/ports';

/** A recogniser that "hears" the number of voiced 100 ms chunks it was fed, e.g. "word word word". */
export class CountingRecognizer implements Recognizer {
  readonly name = 'counting';
  opened = 0;
  /** The language of each stream opened, in order. */
  readonly languages: string[] = [];
  released = 0;
  finishes = 0;
  failOpen = false;
  /** What the streams say of a sentence ending after the words (none: they do not say). */
  sentenceEnd: ((words: readonly string[]) => number | undefined) | undefined;
  /** The words each sentence-end question was asked about. */
  readonly endQuestions: string[] = [];
  async open(_sessionId: string, language: string): Promise<RecognizerStream> {
    if (this.failOpen) throw new Error('engine missing');
    this.opened++;
    this.languages.push(language);
    let words: string[] = [];
    return {
      write: async (samples: Int16Array): Promise<Hypothesis> => {
        if (samples.some((s) => Math.abs(s) > 1000)) words.push('i');
        return { text: words.join(' ') };
      },
      finish: async () => {
        this.finishes++;
        const text = words.join(' ');
        words = [];
        return text;
      },
      release: async () => {
        this.released++;
      },
      ...(this.sentenceEnd
        ? {
            sentenceEndLogProb: (asked: readonly string[]) => {
              this.endQuestions.push(asked.join(' '));
              return this.sentenceEnd?.(asked);
            },
          }
        : {}),
    };
  }
}

export class MemoryLedger implements FinalizedLedger {
  readonly keys = new Set<string>();
  async claim(sessionId: string, firstSeq: number) {
    const key = `${sessionId}#${firstSeq}`;
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    return true;
  }
}

/** Sessions' source languages as ingest would have recorded them; a session not set speaks `fallback`. */
export class MemorySessions implements SessionDirectory {
  readonly languages = new Map<string, string | undefined>();
  constructor(private readonly fallback = 'en') {}
  async sourceLanguage(sessionId: string): Promise<string | undefined> {
    return this.languages.has(sessionId) ? this.languages.get(sessionId) : this.fallback;
  }
}

export function fakeDeps(overrides: Partial<TranscriberDeps['settings']> = {}) {
  const published: { detailType: string; detail: Record<string, unknown> }[] = [];
  const time = { now: 1_800_000_000_000 };
  const recognizer = new CountingRecognizer();
  const ledger = new MemoryLedger();
  const sessions = new MemorySessions();
  const counts = new Map<string, number>();
  const deps: TranscriberDeps = {
    recognizer,
    sessions,
    ledger,
    events: {
      publish: async (def: EventDefinition, detail: unknown) => {
        def.schema.parse(detail);
        published.push({ detailType: def.detailType, detail: detail as Record<string, unknown> });
      },
    },
    clock: { now: () => time.now },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    metrics: { latency: () => undefined, count: (name, n = 1) => void counts.set(name, (counts.get(name) ?? 0) + n) },
    settings: {
      maxSessions: 2,
      idleMs: 60_000,
      retryRefusedAfterMs: 30_000,
      preRollMs: 300,
      partialIntervalMs: 250,
      speculateAfterMs: 150,
      endpointer: DEFAULT_ENDPOINTER,
      ...overrides,
    },
  };
  return { deps, published, time, recognizer, ledger, sessions, counts };
}

/** `ms` of a 220 Hz tone at `amplitude` (8,000 ≈ -15 dBFS RMS, 260 ≈ -45, 92 ≈ -54). */
export function tone(amplitude: number, ms = 100): Int16Array {
  return new Int16Array(16 * ms).map((_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * 220 * i) / 16_000)));
}

/** 100 ms of a loud tone (speech stand-in) or of silence. */
export function chunk(voiced: boolean, ms = 100): Int16Array {
  return voiced ? tone(8000, ms) : new Int16Array(16 * ms);
}

/** Audio records for a pattern like "sssVVVVsss" (s = 100 ms silence, V = 100 ms voice), frames numbered from `firstSeq`. */
export function records(sessionId: string, pattern: string, t0: number, firstSeq = 0): AudioRecord[] {
  return [...pattern].map((c, i) => {
    const samples = chunk(c === 'V');
    return {
      header: {
        v: 1,
        kind: 'audio',
        sessionId,
        seq: firstSeq + i,
        captureTime: t0 + (firstSeq + i) * 100,
        receivedAt: t0 + (firstSeq + i) * 100 + 5,
        sampleRate: 16_000,
        channels: 1,
        encoding: 's16le',
        samples: samples.length,
      },
      pcm: new Uint8Array(samples.buffer),
    } as AudioRecord;
  });
}

export function marker(sessionId: string, marker: 'pause' | 'resume' | 'end'): AudioRecord {
  return { header: { v: 1, kind: 'marker', sessionId, marker, receivedAt: 0 }, pcm: new Uint8Array(0) };
}

/** Records as the stream holds them: consecutive sequence numbers, taken by the stream 10 ms after capture. */
export function onStream(audio: AudioRecord[], firstSequenceNumber = 49_000_000_000_000_000_000n): StreamRecord[] {
  return audio.map((record, i) => ({
    sequenceNumber: String(firstSequenceNumber + BigInt(i)),
    partitionKey: record.header.sessionId,
    data: encodeAudioRecord(record.header, record.pcm),
    arrivedAt: (record.header.kind === 'audio' ? record.header.captureTime : record.header.receivedAt) + 10,
  }));
}

/** The lease table in memory, with the same conditions as the DynamoDB adapter; `unreachable` makes every call fail. */
export class MemoryLeaseStore implements LeaseStore {
  readonly leases = new Map<string, ShardLease>();
  readonly beats = new Map<string, number>();
  unreachable = false;
  /** Only scans fail (writes go through). */
  scansFail = false;

  private check(): void {
    if (this.unreachable) throw new Error('lease table unreachable');
  }

  private write(shardId: string, condition: (l: ShardLease) => boolean, change: (l: ShardLease) => ShardLease) {
    this.check();
    const lease = this.leases.get(shardId);
    if (!lease || !condition(lease)) return undefined;
    const next = structuredClone({ ...change(lease), counter: lease.counter + 1 });
    this.leases.set(shardId, next);
    return structuredClone(next);
  }

  async scan() {
    this.check();
    if (this.scansFail) throw new Error('scan failed');
    return {
      leases: [...this.leases.values()].map((l) => structuredClone(l)),
      workers: [...this.beats].map(([workerId, counter]) => ({ workerId, counter })),
    };
  }
  async create(shardId: string, parents: string[]) {
    this.check();
    if (!this.leases.has(shardId)) this.leases.set(shardId, { shardId, parents, counter: 0 });
  }
  async take(seen: ShardLease, owner: string) {
    return this.write(
      seen.shardId,
      (l) => l.counter === seen.counter,
      ({ pendingOwner: _, ...l }) => ({ ...l, owner }),
    );
  }
  async renew(shardId: string, owner: string, checkpoint?: ShardCheckpoint, decline = false) {
    return this.write(
      shardId,
      (l) => l.owner === owner,
      ({ pendingOwner, ...l }) => ({
        ...l,
        ...(decline || !pendingOwner ? {} : { pendingOwner }),
        ...(checkpoint ? { checkpoint } : {}),
      }),
    );
  }
  async request(shardId: string, owner: string, requester: string) {
    this.check();
    const lease = this.leases.get(shardId);
    if (!lease || lease.owner !== owner || lease.pendingOwner) return false;
    lease.pendingOwner = requester;
    return true;
  }
  async handOver(shardId: string, owner: string, to: string, checkpoint: ShardCheckpoint) {
    const done = this.write(
      shardId,
      (l) => l.owner === owner && l.pendingOwner === to,
      ({ pendingOwner: _, ...l }) => ({ ...l, owner: to, checkpoint }),
    );
    return done !== undefined;
  }
  async release(shardId: string, owner: string, checkpoint: ShardCheckpoint) {
    const done = this.write(
      shardId,
      (l) => l.owner === owner,
      ({ pendingOwner: _, owner: __, ...l }) => ({ ...l, checkpoint }),
    );
    return done !== undefined;
  }
  async beat(workerId: string) {
    this.check();
    this.beats.set(workerId, (this.beats.get(workerId) ?? 0) + 1);
  }
  async retire(workerId: string) {
    this.check();
    this.beats.delete(workerId);
  }
}
