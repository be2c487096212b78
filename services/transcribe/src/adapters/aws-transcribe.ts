// AWS Recognizer adapter: one Transcribe Streaming request per live session, cut into utterances by audio offset.
//
// Audio clock
// - Each Transcribe request has its own timeline: result and item StartTime/EndTime are seconds of audio *received
//   by that request*. A Connection counts the samples it was handed (speech and keep-alive silence alike), so the
//   sample count at finish() is exactly the boundary on Transcribe's clock.
// - Words are assigned to an utterance by their midpoint against that boundary, item by item when Transcribe gives
//   items (a result may straddle a boundary: our endpointer and Transcribe's segmenter disagree), by the result's own
//   times otherwise. Anything before the boundary that arrives after finish() is therefore never shown again.
//
// Stream lifetime
// - The request stays open across utterances for the session's life: opening one costs a round trip, a 15-second
//   minimum charge and the engine's context. The transcription worker that holds it is a long-running process, so
//   its timers run between utterances.
// - Transcribe ends a request that receives no audio for 15 s. A timer sends a short burst of silence after
//   keepAliveAfterMs without audio (cheap: 100 ms of billed audio per 10 s of pause). If no timer could run for ~14 s
//   (a process stalled or suspended), write() treats the request as gone and replaces it before sending, instead of
//   losing the first words of an utterance into a dead stream.
// - A request may last 4 hours: past maxStreamMs it is replaced at the next utterance boundary, so the limit never
//   cuts a sentence.
// - A failed request is replaced reopenAfterMs later, or by the next write if that comes first (bounded consecutive
//   attempts); audio not yet sent moves to the replacement and text already recognised for the current utterance is
//   carried over.
//
// Stable words
// - Partial-result stabilization is always on: each write() also says how many leading words of its text will not
//   change (Hypothesis.stableWords), so the core can translate them while the speaker is still talking.
//
// Session glossary (custom vocabulary)
// - The events handler creates one custom vocabulary per glossary version, `llt-{sessionId}-v{version}`
//   (aws-vocabulary-table.ts). Creating one takes minutes: it is PENDING, then READY or FAILED
//   (https://docs.aws.amazon.com/transcribe/latest/APIReference/API_GetVocabulary.html), and only a READY one may be
//   named in a request (https://docs.aws.amazon.com/transcribe/latest/dg/custom-vocabulary-using.html).
// - A request names one vocabulary in a header sent when it starts (x-amzn-transcribe-vocabulary-name), so it cannot
//   change during the request (https://docs.aws.amazon.com/transcribe/latest/APIReference/API_streaming_StartStreamTranscription.html).
//   The vocabulary's language must be the request's, else it is silently not applied
//   (https://docs.aws.amazon.com/transcribe/latest/dg/custom-vocabulary-using.html): both come from the session's
//   source language through the same locale table. The request has no per-term boost or weight, and a custom
//   language model (LanguageModelName) is trained ahead per domain, not per session: a vocabulary is the per-session
//   lever.
// - useGlossary (between utterances) names the version the session now wants and asks GetVocabulary (bounded wait).
//   READY: the request is replaced right away by one that names it, so the next utterance has it. PENDING (or not
//   created yet): recognition goes on as it is — with the previous version's vocabulary if the request has one,
//   else none — and GetVocabulary is asked again, at most every vocabularyCheckEveryMs, at utterance boundaries and
//   whenever a request (re)starts; the request is replaced at the first boundary after READY is seen. FAILED:
//   logged and counted once, and the stream goes on without it (never asked again for that version).
// - Transcripts say which glossary version was in effect: useGlossary resolves with the version of the vocabulary
//   the request uses (a glossary with no recognisable phrase needs none and is in effect at once).
// - A request naming a vocabulary that is gone by the time it starts (deleted for a newer version, or at session
//   end) is refused with BadRequestException: it is reopened without a vocabulary instead of failing the session.

import { GetVocabularyCommand, type TranscribeClient } from '@aws-sdk/client-transcribe';
import {
  type AudioStream,
  type LanguageCode,
  type PartialResultsStability,
  type Result,
  StartStreamTranscriptionCommand,
  type StartStreamTranscriptionCommandOutput,
  type TranscribeStreamingClient,
} from '@aws-sdk/client-transcribe-streaming';
import { matchLanguage } from '@llt/events';
import type {
  Clock,
  Hypothesis,
  Recognizer,
  RecognizerStream,
  ServiceLog,
  ServiceMetrics,
  SessionGlossary,
} from '#core/ports';
import type { VocabularyState } from '#core/vocabulary';
import { RecognizerError } from '#errors';
import { AMAZON_TRANSCRIBE_CAPABILITIES } from './aws-transcribe-languages.ts';
import { vocabularyName, vocabularyTable } from './aws-vocabulary-table.ts';

/** Scheduling seam, so tests drive keep-alive and bounded waits without sleeping. */
export interface Timers {
  /** Runs `callback` once after `ms`; the returned function cancels it. */
  schedule(ms: number, callback: () => void): () => void;
}

export const systemTimers: Timers = {
  schedule(ms, callback) {
    const handle = setTimeout(callback, ms);
    return () => clearTimeout(handle);
  },
};

export interface AmazonTranscribeOptions {
  /** Sample rate of the PCM the core writes (s16le mono). */
  sampleRate?: number;
  /** Partial-result stabilization level; `high` trades a little latency for fewer rewrites of shown text. */
  partialResultsStability?: PartialResultsStability;
  /** Silence is sent after this long without audio, to stay inside Transcribe's 15-second no-audio timeout. */
  keepAliveAfterMs?: number;
  /** Length of each keep-alive silence chunk (billed as audio). */
  keepAliveChunkMs?: number;
  /** How long finish() waits for Transcribe to turn the utterance's partial results final. */
  finalWaitMs?: number;
  /** How long open() waits for Transcribe to accept the request, so that a refusal fails open() itself. */
  openWaitMs?: number;
  /** How long release() (or replacing a request) waits for Transcribe to close the result stream before aborting. */
  closeWaitMs?: number;
  /** Consecutive failed requests replaced before write()/finish() give up with a RecognizerError. */
  maxReopens?: number;
  /** A request that failed is replaced this long after, without waiting for the next write. */
  reopenAfterMs?: number;
  /** A request is replaced at the first utterance boundary after this long (Transcribe ends one after 4 hours). */
  maxStreamMs?: number;
  /** Where session vocabularies are looked up (GetVocabulary); without it, glossaries are not applied. */
  vocabularies?: TranscribeClient;
  /** Least time between two GetVocabulary calls for a vocabulary that is not READY yet. */
  vocabularyCheckEveryMs?: number;
  /** How long useGlossary() or a request's start waits for GetVocabulary before going on without its answer. */
  vocabularyLookupWaitMs?: number;
  clock?: Clock;
  timers?: Timers;
  log?: ServiceLog;
  metrics?: ServiceMetrics;
}

type Settings = Required<Omit<AmazonTranscribeOptions, 'log' | 'metrics' | 'vocabularies'>> & {
  log: ServiceLog | undefined;
  metrics: ServiceMetrics | undefined;
  vocabularies: TranscribeClient | undefined;
};

/** Transcribe's own limit, minus a margin for the request to be in flight. */
const NO_AUDIO_TIMEOUT_MS = 15_000;
const STALE_AFTER_MS = NO_AUDIO_TIMEOUT_MS - 1_000;
/** Transcribe's 4-hour limit on one request, minus a margin for the utterance that is in progress when it is due. */
const MAX_STREAM_MS = 4 * 3_600_000 - 10 * 60_000;

/** Refusals of the request itself: retrying the same request cannot succeed (quota, invalid parameters). */
const FATAL_AT_START = new Set(['BadRequestException', 'LimitExceededException']);
const STREAM_EXCEPTIONS = [
  'BadRequestException',
  'LimitExceededException',
  'InternalFailureException',
  'ConflictException',
  'ServiceUnavailableException',
] as const;

export class AmazonTranscribeRecognizer implements Recognizer {
  readonly name = 'amazon-transcribe';
  private readonly settings: Settings;

  constructor(
    private readonly client: TranscribeStreamingClient,
    options: AmazonTranscribeOptions = {},
  ) {
    this.settings = {
      sampleRate: options.sampleRate ?? 16_000,
      partialResultsStability: options.partialResultsStability ?? 'high',
      keepAliveAfterMs: options.keepAliveAfterMs ?? 10_000,
      keepAliveChunkMs: options.keepAliveChunkMs ?? 100,
      finalWaitMs: options.finalWaitMs ?? 250,
      openWaitMs: options.openWaitMs ?? 2_000,
      closeWaitMs: options.closeWaitMs ?? 2_000,
      maxReopens: options.maxReopens ?? 3,
      reopenAfterMs: options.reopenAfterMs ?? 1_000,
      maxStreamMs: options.maxStreamMs ?? MAX_STREAM_MS,
      vocabularyCheckEveryMs: options.vocabularyCheckEveryMs ?? 10_000,
      vocabularyLookupWaitMs: options.vocabularyLookupWaitMs ?? 1_000,
      clock: options.clock ?? { now: () => Date.now() },
      timers: options.timers ?? systemTimers,
      log: options.log,
      metrics: options.metrics,
      vocabularies: options.vocabularies,
    };
    if (this.settings.keepAliveAfterMs >= STALE_AFTER_MS) {
      throw new RecognizerError(`keepAliveAfterMs must be under ${STALE_AFTER_MS} ms (Transcribe's no-audio timeout)`);
    }
  }

  async open(sessionId: string, language: string): Promise<RecognizerStream> {
    const languageCode = transcribeLanguageCode(language);
    if (!languageCode) throw new RecognizerError(`Amazon Transcribe: '${language}' is not a source language`);
    const stream = new TranscribeRecognizerStream(this.client, sessionId, languageCode, this.settings);
    await stream.start();
    return stream;
  }
}

const LOCALES = AMAZON_TRANSCRIBE_CAPABILITIES.languages;
const LOCALE_CODES = LOCALES.map((l) => l.code);

/**
 * Transcribe's code for a session's source language: the locale itself if Transcribe has it, else the preferred
 * locale of the language ("es" → es-US, "es-AR" → es-US, "es-ES" → es-ES).
 */
export function transcribeLanguageCode(language: string): LanguageCode | undefined {
  const code = matchLanguage(LOCALE_CODES, language);
  return LOCALES.find((l) => l.code === code)?.engineCode as LanguageCode | undefined;
}

interface PendingChunk {
  bytes: Uint8Array;
  /** Sample offset of the chunk's first sample on its connection's clock. */
  offset: number;
  samples: number;
}

/** A session vocabulary a request is started with. */
interface NamedVocabulary {
  name: string;
  /** The glossary version it was built from. */
  version: number;
}

/** The glossary version the session wants, and what this stream knows of its vocabulary. */
interface WantedVocabulary {
  version: number;
  /** Undefined when the glossary has no phrase to recognise: no vocabulary is needed. */
  name: string | undefined;
  /** GetVocabulary's last answer; MISSING: not created yet, or deleted; undefined: not asked yet. */
  state: VocabularyState | 'MISSING' | undefined;
  checkedAt: number;
  looking: Promise<void> | undefined;
}

/** One StartStreamTranscription request: its audio queue, its clock and the results it produced. */
class Connection {
  readonly abort = new AbortController();
  readonly results = new Map<string, Result>();
  state: 'starting' | 'open' | 'closed' = 'starting';
  error: unknown;
  /** The request itself was refused (send rejected), as opposed to a running stream failing. */
  failedAtStart = false;
  /** The custom vocabulary the request names, if any. */
  vocabulary: NamedVocabulary | undefined;
  /** Refused while naming a vocabulary: the vocabulary may be gone; a replacement goes without it. */
  vocabularyRefused = false;
  /** Samples handed to this request, silence included: Transcribe's StartTime/EndTime count on this clock. */
  enqueued = 0;
  /** Where the current utterance starts on this clock (the last finish() boundary). */
  utteranceStart = 0;
  readonly openedAt: number;
  lastAudioAt: number;
  /** Settles when send() resolved or rejected; never rejects. */
  readonly accepted: Promise<void>;
  /** Settles when the result stream is over, however it ended; never rejects. */
  done: Promise<void> = Promise.resolve();
  private markAccepted!: () => void;
  private readonly pending: PendingChunk[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  constructor(now: number) {
    this.openedAt = now;
    this.lastAudioAt = now;
    this.accepted = new Promise((resolve) => {
      this.markAccepted = resolve;
    });
  }

  accept(): void {
    this.markAccepted();
  }

  push(bytes: Uint8Array, samples: number, now: number): void {
    if (this.ended) return;
    this.pending.push({ bytes, offset: this.enqueued, samples });
    this.enqueued += samples;
    this.lastAudioAt = now;
    this.wakeAudio();
  }

  /** Ends the request's audio; chunks already queued are still sent, so Transcribe can finalize them. */
  end(): void {
    this.ended = true;
    this.wakeAudio();
  }

  /** Unsent chunks of the current utterance, taken away for a replacement request. */
  takeUnsent(): PendingChunk[] {
    return this.pending.splice(0).filter((c) => c.offset >= this.utteranceStart);
  }

  /** The request body: an event per queued chunk, until end(). Never yields an empty chunk (that ends the stream). */
  async *audio(): AsyncGenerator<AudioStream> {
    for (;;) {
      const chunk = this.pending.shift();
      if (chunk) {
        yield { AudioEvent: { AudioChunk: chunk.bytes } };
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private wakeAudio(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

class TranscribeRecognizerStream implements RecognizerStream {
  private conn: Connection;
  /** Text of the current utterance recognised by requests that have since been replaced. */
  private carry = '';
  /** Failed requests since Transcribe last sent a transcript. */
  private failures = 0;
  /** Set once the stream cannot recover; every later write()/finish() rejects with it. */
  private failure: RecognizerError | undefined;
  private releasing: Promise<void> | undefined;
  private cancelKeepAlive: (() => void) | undefined;
  /** Wakes finish() when results arrive or the request ends. */
  private onChange: (() => void) | undefined;
  /** The session's current glossary version and its vocabulary (undefined: no glossary yet). */
  private wanted: WantedVocabulary | undefined;

  constructor(
    private readonly client: TranscribeStreamingClient,
    private readonly sessionId: string,
    private readonly languageCode: LanguageCode,
    private readonly s: Settings,
  ) {
    this.conn = this.connect();
  }

  /** Waits (bounded) for the first request to be accepted so that quota and parameter refusals fail open(). */
  async start(): Promise<void> {
    const conn = this.conn;
    await this.within(conn.accepted, this.s.openWaitMs);
    if (conn.state === 'closed' && this.refusedForGood(conn)) {
      this.failure = this.fatalError(conn.error);
      void this.release();
      throw this.failure;
    }
    this.armKeepAlive();
  }

  async write(samples: Int16Array): Promise<Hypothesis> {
    this.assertUsable();
    const now = this.s.clock.now();
    let conn = this.conn;
    if (conn.state === 'closed') {
      conn = this.recover(conn);
    } else if (now - conn.lastAudioAt >= STALE_AFTER_MS) {
      // No timer ran for ~15 s (a stalled or suspended process): Transcribe has closed the request or is about to.
      this.s.log?.info('Amazon Transcribe stream idle past the no-audio timeout; reopening', this.logFields());
      conn = this.replace(conn);
    }
    // Copied: the caller may reuse its buffer, and the bytes leave later. Node is little-endian on every AWS
    // architecture, so the platform-order copy is the s16le Transcribe expects.
    if (samples.length > 0) conn.push(new Uint8Array(samples.slice().buffer), samples.length, now);
    this.armKeepAlive();
    return this.hypothesis(conn, conn.utteranceStart, Number.POSITIVE_INFINITY);
  }

  async finish(): Promise<string> {
    this.assertUsable();
    const conn = this.conn;
    const from = conn.utteranceStart;
    const to = conn.enqueued;
    if (to > from) await this.awaitFinal(conn, from, to);
    if (this.releasing) throw new RecognizerError('Amazon Transcribe stream released during finish()');
    if (conn.state === 'closed' && this.refusedForGood(conn)) {
      this.failure = this.fatalError(conn.error);
      throw this.failure;
    }
    const text = this.utteranceText(conn, from, to);
    conn.utteranceStart = to;
    this.carry = '';
    this.prune(conn, to);
    // Between utterances: the only moment the request may be replaced without cutting a sentence.
    if (
      !this.switchVocabulary(conn) &&
      conn.state !== 'closed' &&
      this.s.clock.now() - conn.openedAt >= this.s.maxStreamMs
    ) {
      // The next utterance goes to a fresh request rather than being cut by the 4-hour limit.
      this.s.log?.info('Amazon Transcribe stream near its 4-hour limit; replaced between utterances', this.logFields());
      this.replace(conn);
    }
    // A vocabulary still being built is asked about again in the background; the next boundary uses the answer.
    if (this.wanted && this.lookupDue(this.wanted)) void this.lookUp(this.wanted);
    return text;
  }

  /**
   * The glossary version the session now wants. Called between utterances. Resolves with the glossary version the
   * recogniser applies from the next utterance on (see the module comment for a vocabulary still being built).
   */
  async useGlossary(glossary: SessionGlossary): Promise<number | undefined> {
    this.assertUsable();
    if (!this.s.vocabularies) return undefined;
    const hasPhrases = vocabularyTable(glossary.entries).rows.length > 0;
    const wanted: WantedVocabulary = {
      version: glossary.version,
      name: hasPhrases ? vocabularyName(this.sessionId, glossary.version) : undefined,
      state: undefined,
      checkedAt: Number.NEGATIVE_INFINITY,
      looking: undefined,
    };
    this.wanted = wanted;
    if (wanted.name) await this.within(this.lookUp(wanted), this.s.vocabularyLookupWaitMs);
    this.switchVocabulary(this.conn);
    return this.versionInEffect();
  }

  /** The glossary version in effect now: it changes when a vocabulary that was being built is switched to. */
  glossaryInEffect(): number | undefined {
    return this.versionInEffect();
  }

  /** The glossary version whose vocabulary the current request uses (or that needs none). */
  private versionInEffect(): number | undefined {
    if (this.conn.vocabulary) return this.conn.vocabulary.version;
    return this.wanted && !this.wanted.name ? this.wanted.version : undefined;
  }

  /** The vocabulary a request starting now names: the wanted one once READY, else none. */
  private vocabularyForStart(): NamedVocabulary | undefined {
    const wanted = this.wanted;
    return wanted?.name && wanted.state === 'READY' ? { name: wanted.name, version: wanted.version } : undefined;
  }

  /**
   * Between utterances: replaces the request when it should name another vocabulary (the wanted one is READY, or
   * the glossary no longer needs one). A vocabulary still being built leaves the request as it is. True if replaced.
   */
  private switchVocabulary(conn: Connection): boolean {
    const wanted = this.wanted;
    if (!wanted || conn.state === 'closed' || this.releasing || this.failure) return false;
    const next = this.vocabularyForStart();
    const stale = next ? conn.vocabulary?.name !== next.name : !wanted.name && conn.vocabulary !== undefined;
    if (!stale) return false;
    this.s.log?.info('Amazon Transcribe stream restarted for the session glossary', {
      ...this.logFields(),
      vocabulary: next?.name ?? null,
      glossaryVersion: wanted.version,
    });
    this.s.metrics?.count('VocabularySwitches');
    this.replace(conn);
    return true;
  }

  private lookupDue(wanted: WantedVocabulary): boolean {
    if (!wanted.name || wanted.state === 'READY' || wanted.state === 'FAILED' || wanted.looking) return false;
    return this.s.clock.now() - wanted.checkedAt >= this.s.vocabularyCheckEveryMs;
  }

  /** Asks GetVocabulary for the wanted vocabulary's state; never rejects. One question at a time. */
  private lookUp(wanted: WantedVocabulary): Promise<void> {
    const client = this.s.vocabularies;
    const name = wanted.name;
    if (!client || !name) return Promise.resolve();
    if (wanted.looking) return wanted.looking;
    wanted.checkedAt = this.s.clock.now();
    wanted.looking = (async () => {
      try {
        const out = await client.send(new GetVocabularyCommand({ VocabularyName: name }));
        const state = out.VocabularyState;
        if (state === 'FAILED' && wanted.state !== 'FAILED') {
          this.s.log?.error('session vocabulary failed; recognition goes on without it', {
            ...this.logFields(),
            vocabulary: name,
            reason: out.FailureReason,
          });
          this.s.metrics?.count('VocabulariesFailed');
        }
        if (state === 'READY' || state === 'PENDING' || state === 'FAILED') wanted.state = state;
      } catch (error) {
        // Not created yet (the events handler runs alongside) or deleted: asked again later.
        const name = errorName(error);
        if (name === 'NotFoundException' || name === 'BadRequestException') {
          wanted.state = 'MISSING';
        } else {
          this.s.log?.warn('GetVocabulary failed; asked again later', { ...this.logFields(), error: errorName(error) });
        }
      } finally {
        wanted.looking = undefined;
      }
    })();
    return wanted.looking;
  }

  /** Refused for a reason a new request cannot get past (quota, bad parameters other than a vanished vocabulary). */
  private refusedForGood(conn: Connection): boolean {
    return conn.failedAtStart && !conn.vocabularyRefused && isFatalAtStart(conn.error);
  }

  release(): Promise<void> {
    this.releasing ??= this.close();
    return this.releasing;
  }

  private async close(): Promise<void> {
    this.cancelKeepAlive?.();
    this.cancelKeepAlive = undefined;
    this.notify();
    const conn = this.conn;
    conn.end();
    if (conn.state === 'closed') return;
    if (!(await this.within(conn.done, this.s.closeWaitMs))) {
      this.s.log?.warn('Amazon Transcribe stream did not close in time; aborting', this.logFields());
      conn.abort.abort();
    }
  }

  private assertUsable(): void {
    if (this.failure) throw this.failure;
    if (this.releasing) throw new RecognizerError('Amazon Transcribe stream already released');
  }

  /** Makes a new request the current one and starts it in the background; write() never waits for Transcribe. */
  private connect(): Connection {
    const conn = new Connection(this.s.clock.now());
    conn.vocabulary = this.vocabularyForStart();
    // Current before run() starts: a refusal is counted against the current request even if send() throws at once.
    this.conn = conn;
    conn.done = this.run(conn);
    return conn;
  }

  private async run(conn: Connection): Promise<void> {
    const wanted = this.wanted;
    if (!conn.vocabulary && wanted && this.lookupDue(wanted)) {
      // A (re)start is a moment to look again: the audio written meanwhile waits in the request's queue.
      await this.within(this.lookUp(wanted), this.s.vocabularyLookupWaitMs);
      conn.vocabulary = this.vocabularyForStart();
      if (conn !== this.conn || this.releasing) {
        this.closeWith(conn, undefined);
        conn.accept();
        return;
      }
    }
    let response: StartStreamTranscriptionCommandOutput;
    try {
      response = await this.client.send(
        new StartStreamTranscriptionCommand({
          LanguageCode: this.languageCode,
          MediaEncoding: 'pcm',
          MediaSampleRateHertz: this.s.sampleRate,
          EnablePartialResultsStabilization: true,
          PartialResultsStability: this.s.partialResultsStability,
          ...(conn.vocabulary ? { VocabularyName: conn.vocabulary.name } : {}),
          AudioStream: conn.audio(),
        }),
        { abortSignal: conn.abort.signal },
      );
    } catch (error) {
      conn.failedAtStart = true;
      if (conn.vocabulary && errorName(error) === 'BadRequestException') this.vocabularyRefused(conn);
      this.closeWith(conn, error);
      conn.accept();
      return;
    }
    conn.state = 'open';
    conn.accept();
    try {
      const events = response.TranscriptResultStream;
      if (!events) throw new Error('StartStreamTranscription returned no TranscriptResultStream');
      for await (const event of events) {
        if (event.TranscriptEvent) {
          if (conn === this.conn) this.failures = 0;
          for (const result of event.TranscriptEvent.Transcript?.Results ?? []) {
            conn.results.set(result.ResultId ?? `@${result.StartTime ?? 0}`, result);
          }
          this.notify();
          continue;
        }
        // The SDK throws modelled exceptions while iterating; a member carrying one is handled the same way.
        const exception = STREAM_EXCEPTIONS.map((name) => event[name]).find((e) => e !== undefined);
        if (exception) throw exception;
      }
      this.closeWith(conn, undefined);
    } catch (error) {
      this.closeWith(conn, error);
    }
  }

  /** A request naming a vocabulary was refused: the vocabulary may be gone, so replacements go without it. */
  private vocabularyRefused(conn: Connection): void {
    conn.vocabularyRefused = true;
    const wanted = this.wanted;
    if (wanted && wanted.name === conn.vocabulary?.name) {
      wanted.state = 'MISSING';
      wanted.checkedAt = this.s.clock.now();
    }
    this.s.log?.warn('Amazon Transcribe refused the request naming the session vocabulary; going on without it', {
      ...this.logFields(),
      vocabulary: conn.vocabulary?.name,
    });
  }

  private closeWith(conn: Connection, error: unknown): void {
    conn.state = 'closed';
    conn.error = error;
    conn.end();
    // Only we end a request on purpose (release, replace); Transcribe closing the current one, cleanly or not,
    // counts towards giving up so that a request that keeps dying cannot be reopened forever.
    if (conn === this.conn && !this.releasing) {
      this.failures += 1;
      this.s.log?.warn('Amazon Transcribe stream ended; reopening', {
        ...this.logFields(),
        error: describeEnd(error),
        failures: this.failures,
      });
      if (!this.refusedForGood(conn)) this.reopenLater(conn);
    }
    this.notify();
  }

  /** Replaces a failed request soon, so the session has one ready when the speaker goes on (a write may do it first). */
  private reopenLater(conn: Connection): void {
    this.s.timers.schedule(this.s.reopenAfterMs, () => {
      if (conn !== this.conn || conn.state !== 'closed' || this.releasing || this.failure) return;
      // Too many failures in a row: the next write reports it (see recover()).
      if (this.failures > this.s.maxReopens) return;
      this.replace(conn);
      this.armKeepAlive();
    });
  }

  /** The current request is closed: replace it, unless it cannot work or has failed too often. */
  private recover(conn: Connection): Connection {
    if (this.refusedForGood(conn)) {
      this.failure = this.fatalError(conn.error);
    } else if (this.failures > this.s.maxReopens) {
      this.failure = new RecognizerError(
        `Amazon Transcribe stream for session ${this.sessionId} failed ${this.failures} times in a row (last: ${describeEnd(conn.error)}); giving up`,
        { cause: conn.error },
      );
    }
    if (this.failure) {
      this.s.log?.error(this.failure.message, this.logFields());
      throw this.failure;
    }
    return this.replace(conn);
  }

  /** Opens a new request for the rest of the session, moving over what the old one knows of the current utterance. */
  private replace(old: Connection): Connection {
    this.carry = joinText(this.carry, this.wordsText(old, old.utteranceStart, Number.POSITIVE_INFINITY));
    const unsent = old.takeUnsent();
    this.retire(old);
    const conn = this.connect();
    for (const chunk of unsent) conn.push(chunk.bytes, chunk.samples, this.s.clock.now());
    return conn;
  }

  /** Lets an abandoned request finish sending, and aborts it if Transcribe does not close it in time. */
  private retire(conn: Connection): void {
    conn.end();
    if (conn.state === 'closed') return;
    this.s.timers.schedule(this.s.closeWaitMs, () => {
      if (conn.state !== 'closed') conn.abort.abort();
    });
  }

  private armKeepAlive(): void {
    if (this.cancelKeepAlive || this.releasing || this.failure) return;
    const conn = this.conn;
    const idle = this.s.clock.now() - conn.lastAudioAt;
    this.cancelKeepAlive = this.s.timers.schedule(Math.max(1, this.s.keepAliveAfterMs - idle), () => {
      this.cancelKeepAlive = undefined;
      this.keepAlive();
    });
  }

  private keepAlive(): void {
    if (this.releasing || this.failure) return;
    const conn = this.conn;
    // A closed request is being reopened; a request idle past the timeout (timers stalled with the process) is
    // dead already, and silence sent now would only hide that from write().
    if (conn.state === 'closed') return;
    const idle = this.s.clock.now() - conn.lastAudioAt;
    if (idle >= STALE_AFTER_MS) return;
    if (idle >= this.s.keepAliveAfterMs) {
      const samples = Math.round((this.s.keepAliveChunkMs * this.s.sampleRate) / 1000);
      conn.push(new Uint8Array(samples * 2), samples, this.s.clock.now());
    }
    this.armKeepAlive();
  }

  /** Waits up to finalWaitMs for every result of [from, to) to be final; the core has already heard the silence. */
  private async awaitFinal(conn: Connection, from: number, to: number): Promise<void> {
    const deadline = this.s.clock.now() + this.s.finalWaitMs;
    for (;;) {
      if (conn.state === 'closed' || this.releasing || this.settled(conn, from, to)) return;
      const left = deadline - this.s.clock.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const cancel = this.s.timers.schedule(left, resolve);
        this.onChange = () => {
          cancel();
          resolve();
        };
      });
    }
  }

  private settled(conn: Connection, from: number, to: number): boolean {
    const words = this.words(conn, from, to);
    return words.length > 0 && words.every((w) => !w.partial);
  }

  private notify(): void {
    const onChange = this.onChange;
    this.onChange = undefined;
    onChange?.();
  }

  private utteranceText(conn: Connection, from: number, to: number): string {
    return this.hypothesis(conn, from, to).text;
  }

  /**
   * The utterance's text so far and how many of its leading words will not change. Text carried over from replaced
   * requests is fixed; after it come the words of completed results and the items Transcribe marks stable, up to
   * the first item that may still change (partial-result stabilization; `Stable` is set on each item of a partial
   * result: https://docs.aws.amazon.com/transcribe/latest/dg/streaming-partial-results.html and
   * https://docs.aws.amazon.com/transcribe/latest/APIReference/API_streaming_Item.html).
   */
  private hypothesis(conn: Connection, from: number, to: number): { text: string; stableWords: number } {
    const own = render(this.words(conn, from, to));
    return { text: joinText(this.carry, own.text), stableWords: countWords(this.carry) + own.stableWords };
  }

  private wordsText(conn: Connection, from: number, to: number): string {
    return render(this.words(conn, from, to)).text;
  }

  /** Words (final and latest partial) whose midpoint lies in [from, to) samples, in time order. */
  private words(conn: Connection, from: number, to: number): Word[] {
    const words: Word[] = [];
    for (const result of conn.results.values()) {
      for (const word of wordsOf(result)) {
        const mid = ((word.start + word.end) / 2) * this.s.sampleRate;
        if (mid >= from && mid < to) words.push(word);
      }
    }
    return words.sort((a, b) => a.start - b.start);
  }

  /** Forgets results wholly before the boundary: the utterance they belong to has been returned. */
  private prune(conn: Connection, boundary: number): void {
    for (const [id, result] of conn.results) {
      const words = wordsOf(result);
      const gone =
        words.length > 0
          ? words.every((w) => ((w.start + w.end) / 2) * this.s.sampleRate < boundary)
          : (result.EndTime ?? 0) * this.s.sampleRate <= boundary;
      if (gone) conn.results.delete(id);
    }
  }

  private fatalError(cause: unknown): RecognizerError {
    if (errorName(cause) === 'LimitExceededException') {
      return new RecognizerError(
        `Amazon Transcribe refused a stream for session ${this.sessionId}: the account's limit of concurrent streaming ` +
          'transcriptions (or StartStreamTranscription rate) is reached (LimitExceededException); ' +
          'request a higher Service Quotas limit for Amazon Transcribe or run fewer sessions',
        { cause },
      );
    }
    return new RecognizerError(
      `Amazon Transcribe rejected the stream request for session ${this.sessionId}: ${errorMessage(cause)}`,
      { cause },
    );
  }

  /** Resolves true if `promise` settled within `ms`, false otherwise (the promise keeps running). */
  private within(promise: Promise<void>, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const cancel = this.s.timers.schedule(ms, () => resolve(false));
      void promise.then(() => {
        cancel();
        resolve(true);
      });
    });
  }

  private logFields(): Record<string, unknown> {
    return { sessionId: this.sessionId, engine: 'amazon-transcribe' };
  }
}

interface Word {
  /** Seconds on the connection's clock. */
  start: number;
  end: number;
  text: string;
  punctuation: boolean;
  partial: boolean;
  /** Will not change: the result is complete, or Transcribe marked the item of a partial result stable. */
  stable: boolean;
}

function wordsOf(result: Result): Word[] {
  const alternative = result.Alternatives?.[0];
  const partial = result.IsPartial === true;
  const resultStart = result.StartTime ?? 0;
  const resultEnd = result.EndTime ?? resultStart;
  const items = alternative?.Items ?? [];
  if (items.length === 0) {
    const text = alternative?.Transcript?.trim() ?? '';
    return text ? [{ start: resultStart, end: resultEnd, text, punctuation: false, partial, stable: !partial }] : [];
  }
  return items
    .filter((item) => item.Content)
    .map((item) => ({
      start: item.StartTime ?? resultStart,
      end: item.EndTime ?? item.StartTime ?? resultEnd,
      text: item.Content!,
      punctuation: item.Type === 'punctuation',
      partial,
      stable: !partial || item.Stable === true,
    }));
}

/**
 * Words joined as they are shown (a punctuation mark attaches to the word before it), and how many leading words
 * of that text are stable: a word counts only if it and the punctuation attached to it are, and counting stops at
 * the first item that may change (a mark that may still go, "the amazon." → "the amazon is", holds its word back).
 */
function render(words: readonly Word[]): { text: string; stableWords: number } {
  let text = '';
  let count = 0;
  let firstUnstable: number | undefined;
  for (const word of words) {
    const attached = word.punctuation && text !== '';
    const before = count;
    text += attached || text === '' ? word.text : ` ${word.text}`;
    // Counted as the core counts them (split on white space): a result without items is one multi-word entry.
    if (!attached) count += countWords(word.text);
    if (!word.stable) firstUnstable ??= attached ? count - 1 : before;
  }
  return { text, stableWords: firstUnstable ?? count };
}

function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function joinText(a: string, b: string): string {
  return a && b ? `${a} ${b}` : a || b;
}

function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : String(error);
}

function describeEnd(error: unknown): string {
  return error === undefined ? 'closed by Transcribe' : errorName(error);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function isFatalAtStart(error: unknown): boolean {
  return FATAL_AT_START.has(errorName(error));
}
