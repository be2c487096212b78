// One shard's records handed to the transcriber, and the checkpoint that makes a takeover correct.
//
// What a worker knows of an utterance in progress is in its memory only, so the checkpoint of a shard stays at or
// before the first record of the oldest utterance in progress, with a lead: the endpointer decides where speech
// starts against a noise floor taken from the last noiseWindowMs of audio, and the recogniser is fed preRollMs of
// audio from before the start. A new owner that replays the shard from such a checkpoint therefore hears what the
// first owner heard before that utterance and cuts the audio into the same utterances (same first frame, same
// segment id). Sessions between utterances that spoke within the lead hold the checkpoint back the same way, so the
// next utterance starts on the same noise floor; sessions silent for longer do not hold it back.
//
// The checkpoint carries, for each session with records after it, where its replay resumes (the first frame of its
// utterance in progress, or the frame after the last one handled) or that it ended: records before that point only
// rebuild state, so nothing handled is transcribed twice. It also carries the last record handled (the high-water
// mark): a replay publishes no partials up to it. Finals are deduplicated by the ledger across processes anyway.
import { type AudioRecord, AudioRecordFormatError, decodeAudioRecord } from '@llt/events';
import type { Clock, ServiceLog, ServiceMetrics } from '#core/ports';
import type { SessionResume, Transcriber } from '#core/transcriber';
import type { ShardCheckpoint, StreamPosition, StreamRecord } from './ports.ts';

export interface ShardConsumerSettings {
  /** Audio a replay must hear before an utterance's first frame: noise window + pre-roll + one frame. */
  leadMs: number;
  /** The checkpoint never holds back more than this much of the stream (a session stalled mid-utterance). */
  maxHoldMs: number;
  /** Records read later than this after they were put are not transcribed: no use to a live caption. */
  maxRecordAgeMs: number;
}

export interface ShardConsumerDeps {
  transcriber: Transcriber;
  clock: Clock;
  log: ServiceLog;
  metrics: ServiceMetrics;
}

/** How far the stream's clock (arrival timestamps) may be behind this worker's. */
const CLOCK_MARGIN_MS = 5_000;

interface Entry {
  sequenceNumber: string;
  arrivedAt: number;
  sessionId?: string;
  frameSeq?: number;
  captureTime?: number;
}

export class ShardConsumer {
  /** Sessions whose records come from this shard. */
  readonly sessions = new Set<string>();
  /** Records handled since the current checkpoint position, in stream order. */
  private entries: Entry[] = [];
  private lastHandled: string | undefined;
  private readonly highWater: bigint | undefined;
  /** When reading started at LATEST, less a margin for clock skew: the position of "nothing read yet". */
  private latestFrom: number | undefined;

  constructor(
    readonly shardId: string,
    private readonly inherited: ShardCheckpoint | undefined,
    private readonly initial: StreamPosition,
    private readonly deps: ShardConsumerDeps,
    private readonly settings: ShardConsumerSettings,
  ) {
    this.highWater = inherited?.highWater ? BigInt(inherited.highWater) : undefined;
    if (inherited) {
      deps.transcriber.resumeSessions(inherited.sessions);
      for (const sessionId of Object.keys(inherited.sessions)) this.sessions.add(sessionId);
    }
  }

  /** Where reading starts, or restarts with a fresh iterator: after the last record handled, else the checkpoint. */
  get readFrom(): StreamPosition {
    if (this.lastHandled) return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastHandled };
    if (this.latestFrom !== undefined) return { type: 'AT_TIMESTAMP', timestamp: this.latestFrom };
    const position = this.inherited?.position;
    return position && position.type !== 'SHARD_END' ? position : this.initial;
  }

  /**
   * Reading starts now from `readFrom`. A LATEST position becomes the time it was taken (less a margin for the
   * stream's clock): a checkpoint of a shard that had no records yet must not skip the ones put meanwhile.
   */
  startedReading(): void {
    if (this.latestFrom === undefined && !this.lastHandled && this.readFrom.type === 'LATEST') {
      this.latestFrom = this.deps.clock.now() - CLOCK_MARGIN_MS;
    }
  }

  /** Hands a batch to the transcriber, in order: records up to the high-water mark without partials. */
  async handle(records: readonly StreamRecord[]): Promise<void> {
    const { transcriber, clock, metrics, log } = this.deps;
    const now = clock.now();
    const replayed: AudioRecord[] = [];
    const live: AudioRecord[] = [];
    let oldestLive: number | undefined;
    for (const record of records) {
      const entry: Entry = { sequenceNumber: record.sequenceNumber, arrivedAt: record.arrivedAt };
      this.entries.push(entry);
      let audio: AudioRecord;
      try {
        audio = decodeAudioRecord(record.data);
      } catch (error) {
        // A record that can never be decoded is skipped (and logged), not retried forever.
        if (!(error instanceof AudioRecordFormatError)) throw error;
        metrics.count('MalformedRecords');
        log.error('malformed audio record skipped', {
          shardId: this.shardId,
          sequenceNumber: record.sequenceNumber,
          error: error.message,
        });
        continue;
      }
      const { header } = audio;
      entry.sessionId = header.sessionId;
      if (header.kind === 'audio') {
        entry.frameSeq = header.seq;
        entry.captureTime = header.captureTime;
      }
      this.sessions.add(header.sessionId);
      if (this.highWater !== undefined && BigInt(record.sequenceNumber) <= this.highWater) {
        replayed.push(audio);
      } else if (now - record.arrivedAt > this.settings.maxRecordAgeMs) {
        metrics.count('RecordsTooOld');
      } else {
        live.push(audio);
        oldestLive ??= record.arrivedAt;
      }
    }
    if (replayed.length > 0) {
      metrics.count('RecordsReplayed', replayed.length);
      await transcriber.handle(replayed, { quiet: true, releaseIdle: false });
    }
    if (oldestLive !== undefined) {
      // From the put to the recogniser: the stream's own delay plus this worker's polling.
      metrics.latency('RecordToRecognizerMs', now - oldestLive);
      await transcriber.handle(live, { releaseIdle: false });
    }
    this.lastHandled = records.at(-1)?.sequenceNumber ?? this.lastHandled;
    await transcriber.releaseIdle(this.sessions);
  }

  /** The checkpoint a new owner would resume from now (see the module comment); forgets records before it. */
  checkpoint(): ShardCheckpoint {
    if (this.lastHandled === undefined) {
      if (this.latestFrom !== undefined) {
        const highWater = this.inherited?.highWater;
        return {
          position: this.readFrom,
          ...(highWater ? { highWater } : {}),
          sessions: this.inherited?.sessions ?? {},
        };
      }
      return this.inherited ?? { position: this.initial, sessions: {} };
    }
    const { transcriber, clock } = this.deps;
    const now = clock.now();
    const highWater = this.highWaterMark();
    // Records older than maxHoldMs no longer hold the checkpoint back.
    let floor = this.entries.findIndex((e) => now - e.arrivedAt <= this.settings.maxHoldMs);
    if (floor < 0) floor = this.entries.length;

    const frames = new Map<string, number[]>();
    for (let i = floor; i < this.entries.length; i++) {
      const { sessionId, frameSeq } = this.entries[i]!;
      if (sessionId === undefined || frameSeq === undefined) continue;
      frames.set(sessionId, [...(frames.get(sessionId) ?? []), i]);
    }
    let from = this.entries.length;
    for (const [sessionId, indexes] of frames) {
      const pin = this.pin(transcriber.progress(sessionId), indexes, now);
      if (pin !== undefined) from = Math.min(from, pin);
    }

    const sessions: Record<string, SessionResume> = {};
    for (let i = from; i < this.entries.length; i++) {
      const sessionId = this.entries[i]!.sessionId;
      if (sessionId === undefined || sessionId in sessions) continue;
      const progress = transcriber.progress(sessionId);
      if (progress) sessions[sessionId] = progress;
    }
    // Sessions handed over to this worker whose audio has not come back yet keep their resume points.
    for (const sessionId of Object.keys(this.inherited?.sessions ?? {})) {
      const progress = transcriber.progress(sessionId);
      if (!(sessionId in sessions) && progress && transcriber.awaitingResume(sessionId)) sessions[sessionId] = progress;
    }

    const first = this.entries[from];
    const position: StreamPosition = first
      ? { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: first.sequenceNumber }
      : { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastHandled };
    this.entries = this.entries.slice(from);
    return { position, highWater, sessions };
  }

  /** The checkpoint of a closed shard read to its end. */
  finished(): ShardCheckpoint {
    return { position: { type: 'SHARD_END' }, highWater: this.highWaterMark(), sessions: {} };
  }

  /** The last record handled, here or by the previous owner, whichever is later. */
  private highWaterMark(): string | undefined {
    const own = this.lastHandled;
    const before = this.inherited?.highWater;
    if (own === undefined || before === undefined) return own ?? before;
    return BigInt(own) >= BigInt(before) ? own : before;
  }

  /** The first record (index) a replay needs for this session, or undefined if it needs none. */
  private pin(progress: SessionResume | undefined, indexes: readonly number[], now: number): number | undefined {
    if (!progress || 'ended' in progress) return undefined;
    const entry = (i: number) => this.entries[i]!;
    const at = (frameSeq: number) => indexes.find((i) => entry(i).frameSeq === frameSeq);
    let anchor: number | undefined;
    if (progress.inUtterance) {
      // Not among the records kept: before them (held too long) or not read yet; keep everything of this session.
      const first = at(progress.resumeFrom);
      if (first === undefined) return indexes[0];
      anchor = entry(first).captureTime;
    } else {
      const last = entry(indexes.at(-1)!);
      if (now - last.arrivedAt > this.settings.leadMs) return undefined;
      const handled = at(progress.resumeFrom - 1);
      anchor = (handled === undefined ? last : entry(handled)).captureTime;
    }
    if (anchor === undefined) return indexes[0];
    const lead = anchor - this.settings.leadMs;
    return indexes.find((i) => (entry(i).captureTime ?? Number.NEGATIVE_INFINITY) >= lead) ?? indexes[0];
  }
}
