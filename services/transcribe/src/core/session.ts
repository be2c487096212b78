// One live session's recognition: drops duplicate frames, endpoints the audio, feeds utterances to the
// session's recogniser stream with a little audio from before the speech started, throttles partials and
// finalizes each utterance exactly once; hands out the stable words of an utterance in progress as increments.
import type { AudioRecordHeader } from '@llt/events';
import { capitalizeTranscript } from './capitalize.ts';
import { type EndpointEvent, Endpointer, type EndpointerSettings } from './endpointer.ts';
import type { AudioFilter, AudioFrontEndFactory } from './front-end.ts';
import type { SessionGlossaryTracker } from './glossary.ts';
import type { Hypothesis, RecognizerStream, ServiceMetrics } from './ports.ts';
import { type Increment, type Spoken, type StabilitySettings, StablePrefix } from './stability.ts';

export interface TranscriptSink {
  partial(p: {
    segmentIndex: number;
    revision: number;
    text: string;
    captureStart: number;
    captureEnd: number;
  }): Promise<void>;
  /** Newly stable words of the utterance in progress (see stability.ts). */
  stable(
    i: Increment & {
      segmentIndex: number;
      captureStart: number;
      captureEnd: number;
      /** The glossary version the recogniser applied to this utterance (undefined: none). */
      glossaryVersion?: number | undefined;
    },
  ): Promise<void>;
  final(f: {
    segmentIndex: number;
    text: string;
    captureStart: number;
    captureEnd: number;
    firstSeq: number;
    lastSeq: number;
    reason: 'silence' | 'max-length' | 'pause' | 'end';
    /** The stable increments handed out for this utterance, in order (none when the feature is off). */
    increments: readonly string[];
    /** The clauses of it already handed out for speech, if any. */
    spoken?: Spoken | undefined;
    /** The glossary version the recogniser applied to this utterance (undefined: none). */
    glossaryVersion?: number | undefined;
  }): Promise<void>;
}

export interface SessionSettings {
  endpointer: EndpointerSettings;
  /** Audio before the detected start of speech that is fed to the recogniser too. */
  preRollMs: number;
  /** Minimum time between two partials of one utterance. */
  partialIntervalMs: number;
  /**
   * Silence after which the recogniser's final pass runs ahead of the endpoint decision, so the final is
   * ready when the hangover is over (the pass takes ~100–200 ms). If speech resumes, the utterance's text is
   * the parts joined.
   */
  speculateAfterMs: number;
  /**
   * Ends an utterance before the hangover is over where its sentence is probably over: once the final pass has run
   * ahead of the endpoint, an utterance whose words end a sentence with log10 probability at least `minLogProb` by
   * the recogniser's language model ends after `minSilenceMs` of silence, by the first rule that holds (the likelier
   * the end, the shorter the pause can be, as in Kaldi's endpointing rules). A pause after words that rarely end a
   * sentence ("the", "and", "of") waits out the whole hangover. None when empty or undefined, and for engines that do
   * not say how likely an end is.
   */
  sentenceEnd?: readonly SentenceEndRule[];
  /** When set, stable words of utterances in progress are handed out for translation; off when undefined. */
  stability?: StabilitySettings;
  /**
   * The session's noise suppression and voice detection, ahead of the endpointer and the recogniser (both hear the
   * filtered audio); none when undefined.
   */
  frontEnd?: AudioFrontEndFactory;
}

/** One way an utterance may end before the hangover is over (SessionSettings.sentenceEnd). */
export interface SentenceEndRule {
  minSilenceMs: number;
  minLogProb: number;
}

/**
 * Where a session's processing resumes when another process handled its audio up to a checkpoint and the stream is
 * replayed from a little before it: frames before `resumeFrom` only rebuild what the first process knew (the
 * endpointer's noise floor and state, the pre-roll); from `resumeFrom` on, frames are processed as usual.
 */
export interface ResumePoint {
  /** The first frame of the utterance in progress, or the frame after the last one handled. */
  resumeFrom: number;
  /** An utterance was in progress from `resumeFrom`: it starts there again, so its segment id is the same. */
  inUtterance: boolean;
}

type AudioHeader = Extract<AudioRecordHeader, { kind: 'audio' }>;

/**
 * A frame missing from a session's sequence is waited for until the frames held behind it span this much audio and
 * this much time of arrival at ingest; then the gap is skipped. The arrival wait covers a cold start of ingest's
 * WebSocket function: the frame that lands on a new execution environment waits for its Init (hundreds of ms on
 * Lambda, about a second on a loaded machine locally) while later frames overtake it on warm ones. Skipping
 * sooner loses a word; waiting holds recognition back only while a gap is open.
 */
const REORDER_WAIT = { audioMs: 300, arrivalMs: 2_000 };

/** A degraded session's partials come this many times less often. */
const DEGRADED_PARTIAL_FACTOR = 4;

interface Utterance {
  segmentIndex: number;
  firstSeq: number;
  lastSeq: number;
  captureStart: number;
  captureEnd: number;
  lastPartialText: string;
  lastPartialAt: number;
  /** Least time between two of its partials (longer for an utterance begun while the session was degraded). */
  partialIntervalMs: number;
  /** Text of the parts the recogniser already finished (ahead of the endpoint) in this utterance. */
  parts: string[];
  /** Whether voice reached the recogniser since its last finish. */
  unfinishedVoice: boolean;
  /** log10 P(end of sentence) after the parts finished so far (undefined: not asked, or not known). */
  endLogProb?: number | undefined;
  stable?: StablePrefix;
  /** The glossary version in effect in the recogniser for this utterance. */
  glossaryVersion: number | undefined;
}

export class SessionTranscriber {
  /** Highest frame sequence number handled; earlier or equal ones are redeliveries. */
  lastSeq = -1;
  lastActivity = 0;
  /**
   * While set, partials are not published: a replay of audio whose partials listeners already saw (they would
   * flicker back). Finals are published as usual; the ledger drops the ones already published.
   */
  quiet = false;
  /**
   * Set while the session is behind real time: its next utterances publish a partial a quarter as often and no
   * stable increments (no provisional translation or clause speech downstream), which sheds most of the work a
   * session makes beyond recognition itself. The utterance in progress keeps what it began with.
   */
  degraded = false;
  private readonly endpointer: Endpointer;
  private readonly filter: AudioFilter | undefined;
  /** Recent frames while nobody speaks, fed as pre-roll when speech starts. */
  private preRoll: { header: AudioHeader; samples: Int16Array }[] = [];
  private utterance: Utterance | undefined;
  /** Frames that arrived ahead of a missing one, by sequence number. */
  private readonly waiting = new Map<number, { header: AudioHeader; samples: Int16Array }>();
  /** Until `resumeFrom` is reached, frames only rebuild state (see ResumePoint). */
  private resume: ResumePoint | undefined;
  /** While rebuilding state: whether the endpointer is inside an utterance the first process already handled. */
  private primedSpeech = false;

  constructor(
    readonly sessionId: string,
    private readonly stream: RecognizerStream,
    private readonly sink: TranscriptSink,
    private readonly settings: SessionSettings,
    private readonly now: () => number,
    private readonly metrics?: ServiceMetrics,
    resume?: ResumePoint,
    private readonly glossary?: SessionGlossaryTracker,
  ) {
    const frontEnd = settings.frontEnd?.() ?? {};
    this.filter = frontEnd.filter;
    this.endpointer = new Endpointer(settings.endpointer, frontEnd.detector);
    this.resume = resume;
  }

  /**
   * Where a replay of this session would have to resume to end up where it is now: at the first frame of the
   * utterance in progress (its audio is in no final yet), else after the last frame handled.
   */
  get progress(): ResumePoint {
    if (this.resume) return this.resume;
    if (this.utterance) return { resumeFrom: this.utterance.firstSeq, inUtterance: true };
    return { resumeFrom: this.lastSeq + 1, inUtterance: false };
  }

  /** Feeds the recogniser, accounting the time it took against the audio it got (real-time factor). */
  private async write(samples: Int16Array): Promise<Hypothesis> {
    const started = performance.now();
    const hypothesis = await this.stream.write(samples);
    this.metrics?.count('DecodeBusyMs', performance.now() - started);
    this.metrics?.count('AudioDecodedMs', samples.length / 16);
    return hypothesis;
  }

  /** Handles one audio frame; resolves after any transcript it produced was published. */
  /**
   * Handles one audio frame in sequence order: a frame that arrives ahead of a missing one waits (API Gateway
   * may run one connection's frames concurrently, and a reconnecting speaker resends a burst) until the gap
   * fills, or until frames held behind it span REORDER_WAIT of audio and of arrival at ingest, when the gap is
   * skipped. Both: a live stream with a lost frame moves on after 2 s (a frame delayed by a cold start comes
   * sooner), while a resent burst (seconds of audio arriving within milliseconds) waits for its stragglers.
   */
  async audio(header: AudioHeader, samples: Int16Array): Promise<'handled' | 'duplicate'> {
    if (header.seq <= this.lastSeq || this.waiting.has(header.seq)) return 'duplicate';
    this.lastActivity = this.now();
    if (this.lastSeq >= 0 && header.seq > this.lastSeq + 1) {
      this.waiting.set(header.seq, { header, samples });
      const held = [...this.waiting.values()].map((w) => w.header);
      const span = (of: (h: AudioHeader) => number) => Math.max(...held.map(of)) - Math.min(...held.map(of));
      if (span((h) => h.captureTime) < REORDER_WAIT.audioMs || span((h) => h.receivedAt) < REORDER_WAIT.arrivalMs) {
        return 'handled';
      }
      this.metrics?.count('FramesSkipped', Math.min(...this.waiting.keys()) - this.lastSeq - 1);
      this.lastSeq = Math.min(...this.waiting.keys()) - 1; // give up on the gap
    } else {
      await this.inOrder(header, samples);
    }
    for (let next = this.waiting.get(this.lastSeq + 1); next; next = this.waiting.get(this.lastSeq + 1)) {
      this.waiting.delete(next.header.seq);
      await this.inOrder(next.header, next.samples);
    }
    return 'handled';
  }

  private async inOrder(header: AudioHeader, raw: Int16Array): Promise<void> {
    this.lastSeq = header.seq;
    // Frames before a resume point go through the filter too: its state follows the audio as it did in the first process.
    const samples = this.filter ? this.filter.process(raw) : raw;
    let events = this.endpointer.push(samples, header.captureTime);
    const resume = this.resume;
    if (resume) {
      if (header.seq < resume.resumeFrom) {
        this.prime(header, samples, events);
        return;
      }
      this.resume = undefined;
      this.primedSpeech = false;
      const started = events.some((e) => e.kind === 'start');
      if (resume.inUtterance && !started) {
        // The replay did not find the start where the first process did (it heard less history): start here anyway,
        // so the utterance keeps its first frame and its segment id.
        this.endpointer.forceStart(header.captureTime);
        events = [{ kind: 'start', at: header.captureTime }];
      } else if (!resume.inUtterance && !started && this.endpointer.inSpeech) {
        // The first process was between utterances here; an utterance the replay thinks is going on is not one.
        this.endpointer.flush();
        events = [];
      }
    }
    const start = events.find((e): e is Extract<EndpointEvent, { kind: 'start' }> => e.kind === 'start');
    if (!this.utterance && !start) {
      this.keepPreRoll(header, samples);
      return;
    }
    if (!this.utterance && start) {
      // Between utterances: the only moment the recogniser's vocabulary may change (a version read in the
      // background is applied; nothing is read here).
      await this.glossary?.refresh();
      this.utterance = {
        segmentIndex: header.seq,
        firstSeq: header.seq,
        lastSeq: header.seq,
        captureStart: start.at,
        captureEnd: start.at,
        lastPartialText: '',
        lastPartialAt: 0,
        partialIntervalMs: this.settings.partialIntervalMs * (this.degraded ? DEGRADED_PARTIAL_FACTOR : 1),
        parts: [],
        unfinishedVoice: false,
        glossaryVersion: this.glossary?.applied,
        ...(this.settings.stability && !this.degraded ? { stable: new StablePrefix(this.settings.stability) } : {}),
      };
      for (const held of this.preRoll) await this.write(held.samples);
      this.preRoll = [];
    }
    const utterance = this.utterance!;
    utterance.lastSeq = header.seq;
    const hypothesis = await this.write(samples);
    const end = events.find((e): e is Extract<EndpointEvent, { kind: 'end' }> => e.kind === 'end');
    if (end) {
      utterance.captureEnd = end.lastVoiceAt;
      await this.finalize(end.reason);
      return;
    }
    utterance.captureEnd = header.captureTime + samples.length / 16;
    const silence = this.endpointer.trailingSilenceMs;
    if (silence < this.settings.speculateAfterMs) {
      utterance.unfinishedVoice = true;
    } else if (utterance.unfinishedVoice) {
      // Probably the end of the utterance: run the final pass now, while the hangover runs out.
      utterance.parts.push(await this.finish());
      utterance.unfinishedVoice = false;
      utterance.endLogProb = this.sentenceEndLogProb(utterance);
      if (this.endsSentence(utterance, silence)) return this.endEarly();
      // A pause: what was said before it is finished, so stable.
      await this.maybeStable(utterance, capitalizeTranscript(utterance.parts.join(' ')), undefined);
      return;
    } else if (this.endsSentence(utterance, silence)) {
      return this.endEarly();
    }
    const text = capitalizeTranscript([...utterance.parts, hypothesis.text].join(' '));
    await this.maybeStable(utterance, text, hypothesis.stableWords);
    await this.maybePartial(utterance, text);
    return;
  }

  /**
   * Hands out the words that became stable with the utterance's newest text (finished parts, then the current
   * hypothesis, of which the engine may mark `engineStable` words), if enough did; never during a quiet replay.
   */
  private async maybeStable(utterance: Utterance, text: string, engineStable: number | undefined): Promise<void> {
    if (!utterance.stable) return;
    const finishedWords = utterance.parts.join(' ').split(/\s+/).filter(Boolean).length;
    const increment = utterance.stable.observe({
      at: utterance.captureEnd,
      text,
      finishedWords,
      ...(engineStable === undefined ? {} : { engineStableWords: finishedWords + engineStable }),
    });
    // A replay keeps counting increments (so the next one gets the number the first process would have given it)
    // but publishes none: listeners already saw them.
    if (!increment || this.quiet) return;
    await this.sink.stable({
      ...increment,
      segmentIndex: utterance.segmentIndex,
      captureStart: utterance.captureStart,
      captureEnd: utterance.captureEnd,
      glossaryVersion: utterance.glossaryVersion,
    });
  }

  /** How likely the utterance's finished words end a sentence, by the recogniser's language model. */
  private sentenceEndLogProb(utterance: Utterance): number | undefined {
    if (!this.settings.sentenceEnd?.length || !this.stream.sentenceEndLogProb) return undefined;
    const words = utterance.parts.join(' ').toLowerCase().split(/\s+/).filter(Boolean);
    return this.stream.sentenceEndLogProb(words);
  }

  /** Whether the utterance, all of it through the final pass, ends here: its sentence is probably over. */
  private endsSentence(utterance: Utterance, silenceMs: number): boolean {
    const logProb = utterance.endLogProb;
    if (utterance.unfinishedVoice || logProb === undefined) return false;
    return (this.settings.sentenceEnd ?? []).some((r) => silenceMs >= r.minSilenceMs && logProb >= r.minLogProb);
  }

  /** Ends the utterance in progress at its last voice, before the hangover is over. */
  private async endEarly(): Promise<void> {
    const end = this.endpointer.flush();
    if (end?.kind === 'end') this.utterance!.captureEnd = end.lastVoiceAt;
    this.metrics?.count('SentenceEnds');
    await this.finalize('silence');
  }

  /** The speaker paused or the session ended: the utterance in progress ends now. */
  async flush(reason: 'pause' | 'end'): Promise<void> {
    // Whatever still waits behind a gap is all there is: handle it in order.
    for (const seq of [...this.waiting.keys()].sort((a, b) => a - b)) {
      const frame = this.waiting.get(seq)!;
      this.waiting.delete(seq);
      await this.inOrder(frame.header, frame.samples);
    }
    const end = this.endpointer.flush();
    if (this.utterance && end?.kind === 'end') this.utterance.captureEnd = end.lastVoiceAt;
    if (this.utterance) await this.finalize(reason);
    this.preRoll = [];
    this.primedSpeech = false;
  }

  /** The recogniser's final pass for what it was fed since its last finish. */
  private async finish(): Promise<string> {
    const started = performance.now();
    const text = await this.stream.finish();
    this.metrics?.count('DecodeBusyMs', performance.now() - started);
    this.metrics?.latency('FinishMs', performance.now() - started);
    return text;
  }

  async release(): Promise<void> {
    await this.stream.release();
  }

  private async maybePartial(utterance: Utterance, text: string): Promise<void> {
    const now = this.now();
    if (!text || text === utterance.lastPartialText) return;
    if (now - utterance.lastPartialAt < utterance.partialIntervalMs) return;
    if (this.quiet) return;
    utterance.lastPartialText = text;
    utterance.lastPartialAt = now;
    await this.sink.partial({
      segmentIndex: utterance.segmentIndex,
      // The frames heard since the utterance began: grows with every partial, and a replay that publishes a partial
      // at the same point of the audio gives it the same revision (so it is no newer than the one listeners saw).
      revision: utterance.lastSeq - utterance.firstSeq,
      text,
      captureStart: utterance.captureStart,
      captureEnd: utterance.captureEnd,
    });
  }

  private async finalize(reason: 'silence' | 'max-length' | 'pause' | 'end'): Promise<void> {
    const utterance = this.utterance!;
    this.utterance = undefined;
    // A newer glossary, if the speaker saved one, is read while the speaker pauses; the next utterance gets it.
    this.glossary?.checkSoon();
    if (utterance.unfinishedVoice || utterance.parts.length === 0) utterance.parts.push(await this.finish());
    const text = capitalizeTranscript(utterance.parts.join(' '));
    if (!text) return; // a cough or a click: nothing was said
    await this.sink.final({
      segmentIndex: utterance.segmentIndex,
      text,
      captureStart: utterance.captureStart,
      captureEnd: Math.max(utterance.captureEnd, utterance.captureStart),
      firstSeq: utterance.firstSeq,
      lastSeq: utterance.lastSeq,
      reason,
      increments: utterance.stable?.increments ?? [],
      spoken: utterance.stable?.spoken,
      glossaryVersion: utterance.glossaryVersion,
    });
  }

  /**
   * A frame the first process already handled: the endpointer has heard it (its noise floor and state follow the
   * audio as they did there) and the pre-roll is kept as it was there, but nothing reaches the recogniser.
   */
  private prime(header: AudioHeader, samples: Int16Array, events: EndpointEvent[]): void {
    if (!this.primedSpeech) {
      if (events.some((e) => e.kind === 'start')) {
        this.primedSpeech = true;
        this.preRoll = [];
      } else {
        this.keepPreRoll(header, samples);
      }
    }
    if (this.primedSpeech && events.some((e) => e.kind === 'end')) this.primedSpeech = false;
  }

  private keepPreRoll(header: AudioHeader, samples: Int16Array): void {
    this.preRoll.push({ header, samples });
    let held = this.preRoll.reduce((ms, f) => ms + f.samples.length / 16, 0);
    while (this.preRoll.length > 1 && held - this.preRoll[0]!.samples.length / 16 >= this.settings.preRollMs) {
      held -= this.preRoll.shift()!.samples.length / 16;
    }
  }
}
