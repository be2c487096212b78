// Voice-activity endpointing on the audio itself, independent of the recogniser: decides when an utterance
// starts and ends. Energy per 10 ms block against an adaptive noise floor (and, within an utterance, against its
// loudest block, so a fading tail is silence), with a hangover before an
// utterance ends (every 100 ms of hangover is 100 ms of latency) that shortens once an utterance runs long,
// so monologues are cut at the next short pause, and a hard cut at a maximum length.

import type { VoiceDetector } from './front-end.ts';

export interface EndpointerSettings {
  /** Silence that ends an utterance. */
  hangoverMs: number;
  /** After this much speech, a shorter pause ends the utterance. */
  softMaxMs: number;
  /** The shorter pause used past softMaxMs. */
  longUtteranceHangoverMs: number;
  /** An utterance is cut here even without a pause. */
  hardMaxMs: number;
  /** Voiced time needed before speech counts as started (ignores clicks). */
  minSpeechMs: number;
  /** Energy above the noise floor that counts as voice. */
  marginDb: number;
  /** With a voice detector: energy above the noise floor that a block the detector calls voice needs too. */
  detectorMarginDb: number;
  /** Quietest level ever treated as voice, whatever the noise floor. */
  absoluteFloorDbfs: number;
  /** The noise floor is the quietest block heard within this window (speech always has quieter gaps). */
  noiseWindowMs: number;
  /**
   * Within an utterance, a block this far or more below the utterance's loudest block is silence to the hangover (0:
   * no such rule): the fading tail of a word's last sound, or denoised room noise just above the floor, is not speech,
   * and waiting it out delays the end (the recogniser still hears it: the utterance's audio runs to the decision).
   */
  tailBelowPeakDb?: number;
}

export const DEFAULT_ENDPOINTER: EndpointerSettings = {
  hangoverMs: 300,
  softMaxMs: 8_000,
  longUtteranceHangoverMs: 150,
  hardMaxMs: 15_000,
  minSpeechMs: 60,
  marginDb: 12,
  detectorMarginDb: 3,
  absoluteFloorDbfs: -55,
  noiseWindowMs: 3_000,
  /**
   * 35 dB, for the hangover (see Endpointer.trailingSilenceMs for the likely-sentence-end rule). On the corpora's
   * recordings (denoised, WebRTC VAD), the endpointer's last voice came after the last sample louder than 600 (the
   * benchmarks' end of speech) by p50 / p95 40 / 184 ms on the harder corpus and 35 / 132 ms on the everyday one;
   * with 35 dB 31 / 53 and 20 / 76 ms (30 dB: 21 / 43). Measured 2026-12-07, off → on: recogniser alone
   * (`node --import tsx test/bench/noise.bench.ts --sets flite,long,librivox --noise none,room --denoise on --vad
   * webrtc --per-voice 10 --sentence-end 150:-0.8`), decision p50 on long sentences 248 → 223 ms clean and in room
   * noise, everyday sentences unchanged (p95 in noise 442 → 418 ms), the same word error, one more long sentence
   * split clean (15 → 16 finals for 12); `npm run bench:e2e:hard`, one pair: final on the bus p50 / p95
   * 367 / 535 → 332 / 503 ms, translated caption 502 / 732 → 503 / 763 ms, audio URL 613 / 931 → 606 / 1065 ms, 4
   * splits of 25 both. With the tail silence to the sentence-end rule too, captions came sooner (two pairs: 504 / 845
   * → 478 / 669 and 474 / 854 → 477 / 698 ms) but 2 more sentences of 25 split at clause pauses.
   */
  tailBelowPeakDb: 35,
};

export const BLOCK_MS = 10;
const SAMPLE_RATE = 16_000;
const BLOCK_SAMPLES = (SAMPLE_RATE * BLOCK_MS) / 1000;

export type EndpointEvent =
  /** Speech began at `at` (capture time of its first voiced block). */
  | { kind: 'start'; at: number }
  /** The utterance ended; `lastVoiceAt` is the capture time at which its last voiced block ended. */
  | { kind: 'end'; lastVoiceAt: number; reason: 'silence' | 'max-length' };

export class Endpointer {
  /** Levels of the last noiseWindowMs of blocks, a ring. */
  private readonly levels: Float64Array;
  private blocksSeen = 0;
  private speaking = false;
  private voicedRun = 0;
  private silentRun = 0;
  /** Blocks since the last one that was voice before the tail rule (see trailingSilenceMs). */
  private untrimmedSilentRun = 0;
  private speechStart = 0;
  private lastVoiceEnd = 0;
  /** The loudest block of the utterance in progress (dBFS). */
  private peakDb = -90;
  /** Samples carried over between calls that did not fill a block. */
  private carry = new Int16Array(0);
  private carryTime = 0;

  constructor(
    private readonly settings: EndpointerSettings = DEFAULT_ENDPOINTER,
    /** When given, a block is voice only if the detector says so too (and it is louder than absoluteFloorDbfs). */
    private readonly detector?: VoiceDetector,
  ) {
    // Until a window has been heard, assume it was quiet: speech from the first sample still counts as speech.
    this.levels = new Float64Array(Math.max(1, Math.round(settings.noiseWindowMs / BLOCK_MS))).fill(-90);
  }

  get inSpeech(): boolean {
    return this.speaking;
  }

  /**
   * Silence since the last voiced block of the utterance in progress (0 outside an utterance), a fading tail
   * counted as voice: what the recogniser's likely-sentence-end rule waits on, whose pauses must not be longer than
   * they were measured at (inside long sentences, pauses between clauses pass for ends). Only the hangover ends an
   * utterance on the silence the tail rule finds.
   */
  get trailingSilenceMs(): number {
    return this.speaking ? this.untrimmedSilentRun * BLOCK_MS : 0;
  }

  /** Feeds samples whose first sample was captured at `captureTime` (ms); returns what happened, in order. */
  push(samples: Int16Array, captureTime: number): EndpointEvent[] {
    const events: EndpointEvent[] = [];
    let data = samples;
    let time = captureTime;
    if (this.carry.length) {
      data = new Int16Array(this.carry.length + samples.length);
      data.set(this.carry);
      data.set(samples, this.carry.length);
      time = this.carryTime;
    }
    let offset = 0;
    for (; offset + BLOCK_SAMPLES <= data.length; offset += BLOCK_SAMPLES) {
      const blockStart = time + (offset / SAMPLE_RATE) * 1000;
      const event = this.block(data.subarray(offset, offset + BLOCK_SAMPLES), blockStart);
      if (event) events.push(event);
    }
    this.carry = data.slice(offset);
    this.carryTime = time + (offset / SAMPLE_RATE) * 1000;
    return events;
  }

  /**
   * Declares speech started at `at` without waiting for voice: a replay that resumes an utterance another process
   * had started (its history before this point may not have been heard the same way).
   */
  forceStart(at: number): void {
    this.speaking = true;
    this.voicedRun = 0;
    this.silentRun = 0;
    this.untrimmedSilentRun = 0;
    this.speechStart = at;
    this.lastVoiceEnd = at;
  }

  /** Ends the utterance in progress now (the speaker paused or ended the session). */
  flush(): EndpointEvent | undefined {
    this.carry = new Int16Array(0);
    if (!this.speaking) return undefined;
    this.reset();
    return { kind: 'end', lastVoiceAt: this.lastVoiceEnd, reason: 'silence' };
  }

  private block(block: Int16Array, start: number): EndpointEvent | undefined {
    const { settings } = this;
    const db = Math.max(levelDbfs(block), -90);
    const noiseDb = this.noiseFloor();
    this.levels[this.blocksSeen % this.levels.length] = db;
    this.blocksSeen++;
    const untrimmed = this.detector
      ? this.detector.isVoice(block) && db > Math.max(noiseDb + settings.detectorMarginDb, settings.absoluteFloorDbfs)
      : db > Math.max(noiseDb + settings.marginDb, settings.absoluteFloorDbfs);
    const voiced =
      untrimmed && !(this.speaking && settings.tailBelowPeakDb && db <= this.peakDb - settings.tailBelowPeakDb);
    this.untrimmedSilentRun = untrimmed ? 0 : this.untrimmedSilentRun + 1;
    if (voiced) this.peakDb = Math.max(this.peakDb, db);
    else if (!this.speaking) this.peakDb = -90;
    if (!this.speaking) {
      this.voicedRun = voiced ? this.voicedRun + 1 : 0;
      if (this.voicedRun * BLOCK_MS >= settings.minSpeechMs) {
        this.speaking = true;
        this.silentRun = 0;
        this.speechStart = start - (this.voicedRun - 1) * BLOCK_MS;
        this.lastVoiceEnd = start + BLOCK_MS;
        return { kind: 'start', at: this.speechStart };
      }
      return undefined;
    }
    if (voiced) {
      this.silentRun = 0;
      this.lastVoiceEnd = start + BLOCK_MS;
    } else {
      this.silentRun++;
    }
    const length = start + BLOCK_MS - this.speechStart;
    const hangover = length >= settings.softMaxMs ? settings.longUtteranceHangoverMs : settings.hangoverMs;
    if (this.silentRun * BLOCK_MS >= hangover) {
      this.reset();
      return {
        kind: 'end',
        lastVoiceAt: this.lastVoiceEnd,
        reason: length >= settings.softMaxMs ? 'max-length' : 'silence',
      };
    }
    if (length >= settings.hardMaxMs) {
      this.reset();
      return { kind: 'end', lastVoiceAt: this.lastVoiceEnd, reason: 'max-length' };
    }
    return undefined;
  }

  private noiseFloor(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const level of this.levels) min = Math.min(min, level);
    return min;
  }

  private reset(): void {
    this.peakDb = -90;
    this.speaking = false;
    this.voicedRun = 0;
    this.silentRun = 0;
  }
}

/** RMS level of a block in dB relative to full scale (digital silence is -Infinity). */
export function levelDbfs(block: Int16Array): number {
  let sum = 0;
  for (const s of block) sum += s * s;
  const rms = Math.sqrt(sum / Math.max(1, block.length)) / 32768;
  return 20 * Math.log10(rms);
}
