// Use case: a batch of audio records arrived from the stream.
//   input: decoded Kinesis records (audio frames and pause/resume/end markers), in stream order
//   output: TranscriptPartial events while people speak, one TranscriptFinalized per utterance
//   primary course: group the batch by session; per session (sessions in parallel, each in order) feed the
//   session's transcriber, opening a recogniser in the session's source language for a new session within the
//   pool's capacity; finalize on markers; release the recognisers of ended and idle sessions.
import {
  type AudioRecord,
  TranscriptFinalizedV1,
  TranscriptionUnavailableV1,
  TranscriptPartialV1,
  TranscriptStabilizedV1,
} from '@llt/events';
import { RecognizerCapacityError, RecognizerError } from '#errors';
import { type GlossarySettings, SessionGlossaryTracker } from './glossary.ts';
import { LoadTracker } from './load.ts';
import type {
  Clock,
  EventPublisher,
  FinalizedLedger,
  GlossarySource,
  Recognizer,
  ServiceLog,
  ServiceMetrics,
  SessionDirectory,
} from './ports.ts';
import { type ResumePoint, type SessionSettings, SessionTranscriber, type TranscriptSink } from './session.ts';

export type { ResumePoint };

/** What a replay needs to know of one session: where to resume, or that it ended (its audio is ignored). */
export type SessionResume = ResumePoint | { ended: true };

export interface HandleOptions {
  /** Publish no partials for these records: listeners already saw them (a replay after a takeover). */
  quiet?: boolean;
  /** Release idle sessions' recognisers afterwards (default true); a caller that does it itself passes false. */
  releaseIdle?: boolean;
}

export interface TranscriberSettings extends SessionSettings {
  /** Recognisers open at once (each PocketSphinx decoder holds ~90 MB). */
  maxSessions: number;
  /** A session with no audio for this long gives its recogniser back. */
  idleMs: number;
  /** After a refusal for capacity, how long before the session's next frame tries again. */
  retryRefusedAfterMs: number;
  /** How often a live session's glossary version is re-checked (at utterance boundaries). */
  glossary?: GlossarySettings;
}

export interface TranscriberDeps {
  recognizer: Recognizer;
  /** Where each session's source language is read: the recogniser and the transcripts use it. */
  sessions: SessionDirectory;
  events: EventPublisher;
  ledger: FinalizedLedger;
  /** Where each session's glossary is read; without it, glossaries are not applied. */
  glossaries?: GlossarySource;
  clock: Clock;
  log: ServiceLog;
  metrics: ServiceMetrics;
  settings: TranscriberSettings;
}

/** Ended (and released) sessions remembered so late audio for them is ignored (or only rebuilds state). */
const MAX_ENDED_REMEMBERED = 10_000;

export const segmentIdOf = (segmentIndex: number) => `seg-${String(segmentIndex).padStart(6, '0')}`;

export class Transcriber {
  private readonly sessions = new Map<string, SessionTranscriber>();
  private readonly opening = new Map<string, Promise<SessionTranscriber | undefined>>();
  private readonly refused = new Map<string, number>();
  private readonly ended = new Set<string>();
  /** Resume points handed over with a checkpoint, for sessions whose audio has not come back yet. */
  private readonly resumes = new Map<string, ResumePoint>();
  /** Each live session's recogniser time and lag behind real time (read by the capacity reporter). */
  readonly load = new LoadTracker();
  /**
   * Per session, the partials and stable increments being published, in order. Recognition does not wait for them
   * (a PutEvents takes tens of ms, more on a busy bus: awaited per frame it put the session behind real time); a
   * final waits for those before it, so every transcript of a session is published in the order it was made.
   */
  private readonly outboxes = new Map<string, Promise<void>>();

  constructor(private readonly deps: TranscriberDeps) {}

  get openSessions(): number {
    return this.sessions.size;
  }

  /** The sessions with a live recogniser now. */
  liveSessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  /**
   * Makes a session's recognition cheaper from its next utterance on (fewer partial results, no provisional
   * words), or gives it back its full work; returns whether the session is live.
   */
  degrade(sessionId: string, degraded: boolean): boolean {
    const session = this.sessions.get(sessionId);
    if (!session) return false;
    session.degraded = degraded;
    return true;
  }

  /** Handles a batch; records of one session are handled in order, sessions concurrently. */
  async handle(records: AudioRecord[], options: HandleOptions = {}): Promise<void> {
    const bySession = new Map<string, AudioRecord[]>();
    for (const record of records) {
      const list = bySession.get(record.header.sessionId) ?? [];
      list.push(record);
      bySession.set(record.header.sessionId, list);
    }
    await Promise.all(
      [...bySession].map(([sessionId, list]) => this.handleSession(sessionId, list, options.quiet ?? false)),
    );
    if (options.releaseIdle ?? true) await this.releaseIdle();
  }

  /**
   * Takes over sessions another process was transcribing (a checkpoint's resume points): their audio, replayed
   * from the checkpoint, rebuilds each session's state up to its resume point and is transcribed from there.
   */
  resumeSessions(sessions: Readonly<Record<string, SessionResume>>): void {
    for (const [sessionId, resume] of Object.entries(sessions)) {
      if ('ended' in resume) this.markEnded(sessionId);
      else if (!this.sessions.has(sessionId)) this.resumes.set(sessionId, resume);
    }
  }

  /** Where a replay of the session would resume (see SessionTranscriber.progress); undefined if never seen. */
  progress(sessionId: string): SessionResume | undefined {
    if (this.ended.has(sessionId)) return { ended: true };
    return this.sessions.get(sessionId)?.progress ?? this.resumes.get(sessionId);
  }

  /** Whether a handed-over resume point of the session is still ahead (its audio has not come back yet). */
  awaitingResume(sessionId: string): boolean {
    return this.resumes.has(sessionId);
  }

  /**
   * Forgets sessions without finalizing anything: another process owns their audio now and replays the utterances
   * in progress itself. Their recognisers are released.
   */
  async drop(sessionIds: Iterable<string>): Promise<void> {
    for (const sessionId of sessionIds) {
      this.resumes.delete(sessionId);
      this.ended.delete(sessionId);
      this.refused.delete(sessionId);
      const session = this.sessions.get(sessionId);
      if (!session) continue;
      this.sessions.delete(sessionId);
      await session
        .release()
        .catch((error: Error) => this.deps.log.warn('recogniser release failed', { sessionId, error: error.message }));
      this.deps.log.info('recogniser released', { sessionId, why: 'handed over' });
    }
  }

  private async handleSession(sessionId: string, records: AudioRecord[], quiet: boolean): Promise<void> {
    for (const { header, pcm } of records) {
      if (this.ended.has(sessionId)) return;
      if (header.kind === 'marker') {
        const session = this.sessions.get(sessionId);
        if (header.marker === 'resume') continue;
        if (!session) {
          if (header.marker === 'end') this.ended.add(sessionId);
          continue;
        }
        await session.flush(header.marker);
        if (header.marker === 'end') await this.close(sessionId, 'ended');
        continue;
      }
      const session = await this.sessionFor(sessionId);
      if (!session) continue;
      session.quiet = quiet;
      const samples = new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength));
      try {
        const started = this.deps.clock.now();
        const outcome = await session.audio(header, samples);
        const done = this.deps.clock.now();
        if (!quiet)
          this.load.frame(sessionId, samples.length / 16, done - started, Math.max(0, done - header.receivedAt));
        if (outcome === 'duplicate') this.deps.metrics.count('FramesRedelivered');
      } catch (error) {
        // A broken recogniser stream is replaced by a fresh one on the session's next frame; retrying the
        // batch would only hit the same broken stream again.
        this.deps.metrics.count('RecognizerFailures');
        this.deps.log.error('recogniser failed; the utterance in progress is lost', {
          sessionId,
          seq: header.seq,
          error: (error as Error).message,
        });
        await this.close(sessionId, 'failed');
      }
    }
  }

  private async sessionFor(sessionId: string): Promise<SessionTranscriber | undefined> {
    const existing = this.sessions.get(sessionId);
    if (existing) return existing;
    const refusedAt = this.refused.get(sessionId);
    if (refusedAt !== undefined && this.deps.clock.now() - refusedAt < this.deps.settings.retryRefusedAfterMs)
      return undefined;
    let pending = this.opening.get(sessionId);
    if (!pending) {
      pending = this.open(sessionId).finally(() => this.opening.delete(sessionId));
      this.opening.set(sessionId, pending);
    }
    return pending;
  }

  private async open(sessionId: string): Promise<SessionTranscriber | undefined> {
    const { recognizer, sessions, settings, log, metrics, clock } = this.deps;
    try {
      // Sessions being opened are in `opening` except this one, which is not registered yet.
      if (this.sessions.size + this.opening.size >= settings.maxSessions) {
        throw new RecognizerCapacityError(
          `all ${settings.maxSessions} recognisers are in use; session ${sessionId} is not transcribed until one frees up`,
        );
      }
      const language = await sessions.sourceLanguage(sessionId);
      if (!language) throw new RecognizerError(`session ${sessionId} has no source language on record`);
      const started = clock.now();
      const stream = await recognizer.open(sessionId, language);
      metrics.latency('RecognizerOpenMs', clock.now() - started);
      const glossary = this.deps.glossaries
        ? new SessionGlossaryTracker(sessionId, stream, this.deps.glossaries, () => clock.now(), settings.glossary, log)
        : undefined;
      // The glossary as it is when the stream starts; later versions are picked up between utterances.
      await glossary?.refresh(true);
      const session = new SessionTranscriber(
        sessionId,
        stream,
        this.sink(sessionId, language),
        settings,
        () => clock.now(),
        metrics,
        this.resumes.get(sessionId),
        glossary,
      );
      this.resumes.delete(sessionId);
      this.sessions.set(sessionId, session);
      this.refused.delete(sessionId);
      log.info('recogniser opened', { sessionId, language, engine: recognizer.name, open: this.sessions.size });
      return session;
    } catch (error) {
      this.refused.set(sessionId, clock.now());
      const capacity = error instanceof RecognizerCapacityError;
      metrics.count(capacity ? 'SessionsRefusedForCapacity' : 'RecognizerOpenFailures');
      log.error('session not transcribed', { sessionId, error: (error as Error).message });
      // The speaker hears about it (ingest relays this to their connection) rather than talking to nobody.
      await this.deps.events
        .publish(TranscriptionUnavailableV1, {
          v: 1,
          sessionId,
          reason: capacity ? 'capacity' : 'engine-failure',
          message: capacity
            ? `Speech recognition is at capacity (recognisers in use: ${settings.maxSessions}); this session is not transcribed yet. Trying again in ${Math.round(settings.retryRefusedAfterMs / 1000)} s.`
            : `Speech recognition is unavailable: ${(error as Error).message}. Trying again in ${Math.round(settings.retryRefusedAfterMs / 1000)} s.`,
          retryAfterMs: settings.retryRefusedAfterMs,
          occurredAt: clock.now(),
        })
        .catch((publishError: Error) =>
          log.error('could not report the refusal', { sessionId, error: publishError.message }),
        );
      return undefined;
    }
  }

  /** Queues a publication after the session's earlier ones; a failure is logged, the queue goes on. */
  private enqueue(sessionId: string, what: string, publish: () => Promise<void>): Promise<void> {
    const next = (this.outboxes.get(sessionId) ?? Promise.resolve()).then(publish).catch((error: Error) => {
      this.deps.log.error(`${what} not published`, { sessionId, error: error.message });
    });
    this.outboxes.set(sessionId, next);
    void next.then(() => {
      if (this.outboxes.get(sessionId) === next) this.outboxes.delete(sessionId);
    });
    return next;
  }

  /** Resolves once every transcript queued so far is published (at shutdown, and for tests). */
  async published(): Promise<void> {
    while (this.outboxes.size) await Promise.all([...this.outboxes.values()]);
  }

  private sink(sessionId: string, language: string): TranscriptSink {
    const { events, ledger, clock, metrics } = this.deps;
    return {
      partial: async (p) => {
        void this.enqueue(sessionId, 'partial', () => this.publishPartial(sessionId, language, p));
      },
      stable: async (i) => {
        void this.enqueue(sessionId, 'stable increment', () => this.publishStable(sessionId, language, i));
      },
      final: async (f) => {
        // Published after the session's partials and increments before it, and before the batch counts as done.
        await this.outboxes.get(sessionId);
        // Kinesis delivers at least once: only the first finalization of an utterance is published.
        if (!(await ledger.claim(sessionId, f.firstSeq, f.segmentIndex))) {
          metrics.count('FinalsDeduplicated');
          return;
        }
        const now = clock.now();
        await events.publish(TranscriptFinalizedV1, {
          v: 1,
          sessionId,
          segmentId: segmentIdOf(f.segmentIndex),
          segmentIndex: f.segmentIndex,
          language,
          text: f.text,
          capture: { start: f.captureStart, end: f.captureEnd },
          frames: { first: f.firstSeq, last: f.lastSeq },
          reason: f.reason,
          ...(f.increments.length ? { increments: [...f.increments] } : {}),
          ...(f.spoken ? { spoken: f.spoken } : {}),
          ...(f.glossaryVersion ? { glossaryVersion: f.glossaryVersion } : {}),
          occurredAt: now,
        });
        metrics.count('Finals');
        metrics.latency('EndOfSpeechToFinalMs', now - f.captureEnd);
      },
    };
  }

  private async publishPartial(sessionId: string, language: string, p: Parameters<TranscriptSink['partial']>[0]) {
    const { events, clock, metrics } = this.deps;
    await events.publish(TranscriptPartialV1, {
      v: 1,
      sessionId,
      segmentId: segmentIdOf(p.segmentIndex),
      segmentIndex: p.segmentIndex,
      revision: p.revision,
      language,
      text: p.text,
      capture: { start: p.captureStart, end: p.captureEnd },
      occurredAt: clock.now(),
    });
    metrics.count('Partials');
  }

  private async publishStable(sessionId: string, language: string, i: Parameters<TranscriptSink['stable']>[0]) {
    const { events, clock, metrics } = this.deps;
    await events.publish(TranscriptStabilizedV1, {
      v: 1,
      sessionId,
      segmentId: segmentIdOf(i.segmentIndex),
      segmentIndex: i.segmentIndex,
      increment: i.increment,
      language,
      text: i.text,
      stableText: i.stableText,
      stableWords: i.stableWords,
      ...(i.clause ? { clause: i.clause } : {}),
      ...(i.glossaryVersion ? { glossaryVersion: i.glossaryVersion } : {}),
      capture: { start: i.captureStart, end: i.captureEnd },
      occurredAt: clock.now(),
    });
    metrics.count('StableIncrements');
  }

  /** Releases the recognisers of sessions idle for idleMs (also run after every batch), of these sessions only if given. */
  async releaseIdle(among?: ReadonlySet<string>): Promise<void> {
    const now = this.deps.clock.now();
    const idle = [...this.sessions].filter(
      ([sessionId, s]) => (!among || among.has(sessionId)) && now - s.lastActivity >= this.deps.settings.idleMs,
    );
    for (const [sessionId, session] of idle) {
      await session.flush('pause');
      await this.close(sessionId, 'idle');
    }
  }

  private async close(sessionId: string, why: 'ended' | 'idle' | 'failed'): Promise<void> {
    const session = this.sessions.get(sessionId);
    this.sessions.delete(sessionId);
    this.load.forget(sessionId);
    if (why === 'ended') this.markEnded(sessionId);
    else if (session) {
      // Its frames so far are handled: if they come again (a redelivery, a replay after a takeover), they only
      // rebuild the session's state instead of being transcribed twice.
      this.resumes.set(sessionId, { resumeFrom: session.lastSeq + 1, inUtterance: false });
      if (this.resumes.size > MAX_ENDED_REMEMBERED) this.resumes.delete(this.resumes.keys().next().value as string);
    }
    await session
      ?.release()
      .catch((error: Error) => this.deps.log.warn('recogniser release failed', { sessionId, error: error.message }));
    this.deps.log.info('recogniser released', { sessionId, why });
  }

  private markEnded(sessionId: string): void {
    this.ended.add(sessionId);
    this.resumes.delete(sessionId);
    // Remembered only to ignore stragglers; the oldest are forgotten first.
    if (this.ended.size > MAX_ENDED_REMEMBERED) this.ended.delete(this.ended.values().next().value as string);
  }

  /**
   * Process shutdown (or giving up some sessions, when given): the utterance in progress in each session ends as a
   * final transcript (what was said is not lost with the process), then the recognisers are released.
   */
  async shutdown(among?: ReadonlySet<string>): Promise<void> {
    for (const [sessionId, session] of [...this.sessions]) {
      if (among && !among.has(sessionId)) continue;
      await session
        .flush('pause')
        .catch((error: Error) =>
          this.deps.log.error('utterance lost at shutdown', { sessionId, error: error.message }),
        );
      await this.close(sessionId, 'idle');
    }
    await this.published();
  }
}
