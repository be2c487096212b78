// Use case: a batch of audio records arrived from the stream.
//   input: decoded Kinesis records (audio frames and pause/resume/end markers), in stream order
//   output: TranscriptPartial events while people speak, one TranscriptFinalized per utterance
//   primary course: group the batch by session; per session (sessions in parallel, each in order) feed the
//   session's transcriber, opening a recogniser for a new session within the pool's capacity; finalize on
//   markers; release the recognisers of ended and idle sessions.
import { type AudioRecord, TranscriptFinalizedV1, TranscriptionUnavailableV1, TranscriptPartialV1 } from '@llt/events';
import { RecognizerCapacityError } from '#errors';
import type { Clock, EventPublisher, FinalizedLedger, Recognizer, ServiceLog, ServiceMetrics } from './ports.ts';
import { type SessionSettings, SessionTranscriber, type TranscriptSink } from './session.ts';

export interface TranscriberSettings extends SessionSettings {
  /** Recognisers open at once (each PocketSphinx decoder holds ~90 MB). */
  maxSessions: number;
  /** A session with no audio for this long gives its recogniser back. */
  idleMs: number;
  /** After a refusal for capacity, how long before the session's next frame tries again. */
  retryRefusedAfterMs: number;
  language: string;
}

export interface TranscriberDeps {
  recognizer: Recognizer;
  events: EventPublisher;
  ledger: FinalizedLedger;
  clock: Clock;
  log: ServiceLog;
  metrics: ServiceMetrics;
  settings: TranscriberSettings;
}

/** Ended sessions remembered so late audio for them is ignored. */
const MAX_ENDED_REMEMBERED = 10_000;

export const segmentIdOf = (segmentIndex: number) => `seg-${String(segmentIndex).padStart(6, '0')}`;

export class Transcriber {
  private readonly sessions = new Map<string, SessionTranscriber>();
  private readonly opening = new Map<string, Promise<SessionTranscriber | undefined>>();
  private readonly refused = new Map<string, number>();
  private readonly ended = new Set<string>();

  constructor(private readonly deps: TranscriberDeps) {}

  get openSessions(): number {
    return this.sessions.size;
  }

  /** Handles a batch; records of one session are handled in order, sessions concurrently. */
  async handle(records: AudioRecord[]): Promise<void> {
    const bySession = new Map<string, AudioRecord[]>();
    for (const record of records) {
      const list = bySession.get(record.header.sessionId) ?? [];
      list.push(record);
      bySession.set(record.header.sessionId, list);
    }
    await Promise.all([...bySession].map(([sessionId, list]) => this.handleSession(sessionId, list)));
    await this.releaseIdle();
  }

  private async handleSession(sessionId: string, records: AudioRecord[]): Promise<void> {
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
      const samples = new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength));
      try {
        const outcome = await session.audio(header, samples);
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
    const { recognizer, settings, log, metrics, clock } = this.deps;
    try {
      // Sessions being opened are in `opening` except this one, which is not registered yet.
      if (this.sessions.size + this.opening.size >= settings.maxSessions) {
        throw new RecognizerCapacityError(
          `all ${settings.maxSessions} recognisers are in use; session ${sessionId} is not transcribed until one frees up`,
        );
      }
      const started = clock.now();
      const stream = await recognizer.open(sessionId, settings.language);
      metrics.latency('RecognizerOpenMs', clock.now() - started);
      const session = new SessionTranscriber(
        sessionId,
        stream,
        this.sink(sessionId),
        settings,
        () => clock.now(),
        metrics,
      );
      this.sessions.set(sessionId, session);
      this.refused.delete(sessionId);
      log.info('recogniser opened', { sessionId, engine: recognizer.name, open: this.sessions.size });
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

  private sink(sessionId: string): TranscriptSink {
    const { events, ledger, clock, metrics, settings } = this.deps;
    return {
      partial: async (p) => {
        await events.publish(TranscriptPartialV1, {
          v: 1,
          sessionId,
          segmentId: segmentIdOf(p.segmentIndex),
          segmentIndex: p.segmentIndex,
          revision: p.revision,
          language: settings.language,
          text: p.text,
          capture: { start: p.captureStart, end: p.captureEnd },
          occurredAt: clock.now(),
        });
        metrics.count('Partials');
      },
      final: async (f) => {
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
          language: settings.language,
          text: f.text,
          capture: { start: f.captureStart, end: f.captureEnd },
          frames: { first: f.firstSeq, last: f.lastSeq },
          reason: f.reason,
          occurredAt: now,
        });
        metrics.count('Finals');
        metrics.latency('EndOfSpeechToFinalMs', now - f.captureEnd);
      },
    };
  }

  /** Releases the recognisers of sessions idle for idleMs (also run after every batch). */
  async releaseIdle(): Promise<void> {
    const now = this.deps.clock.now();
    const idle = [...this.sessions].filter(([, s]) => now - s.lastActivity >= this.deps.settings.idleMs);
    for (const [sessionId, session] of idle) {
      await session.flush('pause');
      await this.close(sessionId, 'idle');
    }
  }

  private async close(sessionId: string, why: 'ended' | 'idle' | 'failed'): Promise<void> {
    const session = this.sessions.get(sessionId);
    this.sessions.delete(sessionId);
    if (why === 'ended') {
      this.ended.add(sessionId);
      // Remembered only to ignore stragglers; the oldest are forgotten first.
      if (this.ended.size > MAX_ENDED_REMEMBERED) this.ended.delete(this.ended.values().next().value as string);
    }
    await session
      ?.release()
      .catch((error: Error) => this.deps.log.warn('recogniser release failed', { sessionId, error: error.message }));
    this.deps.log.info('recogniser released', { sessionId, why });
  }

  /**
   * Process shutdown: the utterance in progress in each session ends as a final transcript (what was said is
   * not lost with the process), then every recogniser is released.
   */
  async shutdown(): Promise<void> {
    for (const [sessionId, session] of [...this.sessions]) {
      await session
        .flush('pause')
        .catch((error: Error) =>
          this.deps.log.error('utterance lost at shutdown', { sessionId, error: error.message }),
        );
      await this.close(sessionId, 'idle');
    }
  }
}
