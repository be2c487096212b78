// Plays the translated sentences: each clip (a sentence, or one of its parts) is fetched and decoded as soon as
// its `audio` message arrives, then scheduled on the AudioContext's clock right after the previous one (one clip
// ahead, so a sentence's parts follow each other without a gap), through an
// AnalyserNode that drives the level meter. Which clip and how fast is audio-queue.ts's decision.
import type { AudioMessage } from '@llt/events';
import type { Text } from '../i18n/index.ts';
import { AudioQueue, type CatchUpPolicy, type Clip, clipKey } from './audio-queue.ts';
import { speechBounds } from './speech-bounds.ts';

interface QueuedClip extends Clip {
  url: string;
  urlExpiresAt: number;
}

interface Loaded {
  buffer: AudioBuffer;
  offset: number;
  duration: number;
}

interface Scheduled {
  clip: QueuedClip;
  loaded: Loaded;
  source: AudioBufferSourceNode;
  startAt: number;
  cancelled: boolean;
}

/** Start a clip this far in the future (seconds): room for the audio thread, no audible delay. */
const START_LEAD_S = 0.05;
const METER_INTERVAL_MS = 50;
/** Level above which the meter says "speaking". */
export const SPEAKING_LEVEL = 0.02;

export class AudioPlayer {
  /** The listener wants audio. */
  enabled = $state(false);
  /** Audio is wanted but the browser keeps the AudioContext suspended (autoplay rules, a phone call): tap. */
  blocked = $state(false);
  /** Current level 0–1 (peak of the last few milliseconds, smoothed). */
  level = $state(0);
  /** Highest level seen since the page opened. */
  peak = $state(0);
  /** Clips played to their end. */
  played = $state(0);
  /** Clips skipped: too late, or dropped by "Jump to live". */
  skipped = $state(0);
  /** Clips waiting, the one playing excluded. */
  backlog = $state(0);
  /** playbackRate of the clip playing (above 1 while catching up). */
  rate = $state(1);
  /** How late the clip playing started, ms beyond the fastest delivery seen. */
  lateMs = $state(0);
  /** Last loading problem, for a discreet notice. */
  problem = $state.raw<Text | undefined>(undefined);

  readonly speaking = $derived(this.level > SPEAKING_LEVEL);

  private context: AudioContext | undefined;
  private analyser: AnalyserNode | undefined;
  private samples: Float32Array<ArrayBuffer> | undefined;
  private readonly queue: AudioQueue<QueuedClip>;
  private readonly loaded = new Map<string, Loaded>();
  private readonly loads = new Map<string, AbortController>();
  private scheduled: Scheduled[] = [];
  /** Context time at which the last scheduled clip ends. */
  private nextStart = 0;
  private newestSeen = -1;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private meterTimer: ReturnType<typeof setInterval> | undefined;

  constructor(policy: Partial<CatchUpPolicy> = {}) {
    this.queue = new AudioQueue<QueuedClip>(policy);
  }

  /**
   * Turns audio on. Call it from the tap (mobile browsers only let a context start in a user gesture); without
   * one it works where autoplay is allowed, else `blocked` says a tap is needed.
   */
  enable(): void {
    const context = this.ensureContext();
    // iOS unlocks Web Audio for the page when something starts inside the gesture.
    const unlock = context.createBufferSource();
    unlock.buffer = context.createBuffer(1, 1, context.sampleRate);
    unlock.connect(context.destination);
    unlock.start();
    if (!this.enabled) {
      this.enabled = true;
      // Clips announced while audio was off are not coming back: start with the next one.
      this.queue.reset(this.newestSeen);
    }
    context.resume().then(
      () => this.contextChanged(),
      () => this.contextChanged(),
    );
    this.contextChanged();
  }

  disable(): void {
    this.enabled = false;
    this.blocked = false;
    this.cancelScheduled();
    for (const clip of this.queue.reset(this.newestSeen)) this.forget(clip);
    clearTimeout(this.retryTimer);
    this.updateStats();
    this.level = 0;
    void this.context?.suspend().catch(() => {});
  }

  /** Forgets everything queued or playing (another session or language follows); audio stays on or off. */
  clear(): void {
    this.cancelScheduled();
    this.newestSeen = -1;
    for (const clip of this.queue.reset(-1)) this.forget(clip);
    clearTimeout(this.retryTimer);
    this.updateStats();
  }

  /** An `audio` message arrived: queue it and start loading it at once. */
  add(message: AudioMessage, receivedAt: number): void {
    this.newestSeen = Math.max(this.newestSeen, message.segmentIndex);
    this.queue.observe(message.captureEnd, receivedAt);
    if (!this.enabled || receivedAt >= message.urlExpiresAt) return;
    const clip: QueuedClip = {
      segmentId: message.segmentId,
      segmentIndex: message.segmentIndex,
      captureEnd: message.captureEnd,
      part: message.part ?? 0,
      last: message.last !== false,
      url: message.url,
      urlExpiresAt: message.urlExpiresAt,
    };
    if (this.context?.state !== 'running') {
      const stale = this.queue.dropStale(receivedAt);
      for (const old of stale) this.forget(old);
      this.skipped += stale.length;
    }
    if (!this.queue.add(clip, receivedAt)) return;
    this.load(clip);
    this.updateStats();
  }

  /**
   * A caption arrived: its timing teaches what "on time" is, and a final one means its sentence will get audio
   * (later clips wait for it, or for the rest of it after its clauses, for a bounded time). Partials do not count:
   * the recogniser may drop an utterance it began.
   */
  noteCaption(segmentIndex: number, captureEnd: number, receivedAt: number, final: boolean): void {
    this.queue.observe(captureEnd, receivedAt);
    if (final) this.queue.noteSegment(segmentIndex, receivedAt);
  }

  /** Drops the backlog and plays the newest clip now. */
  jumpToLive(): void {
    const dropped = this.queue.jumpToLive();
    for (const clip of dropped) this.forget(clip);
    this.skipped += dropped.length;
    if (this.queue.size > 0) {
      this.skipped += this.cancelScheduled();
    } else {
      // Nothing waiting: the newest is scheduled already; if it has not started, start it now.
      const context = this.context;
      const newest = this.scheduled.at(-1);
      if (context && newest && this.scheduled.length > 1 && newest.startAt > context.currentTime) {
        this.skipped += this.cancelScheduled() - 1;
        this.start(newest.clip, newest.loaded, 1, context.currentTime + START_LEAD_S, 0);
      }
    }
    this.pump();
  }

  destroy(): void {
    this.disable();
    clearInterval(this.meterTimer);
    void this.context?.close().catch(() => {});
    this.context = undefined;
  }

  private ensureContext(): AudioContext {
    if (this.context) return this.context;
    const context = new AudioContext({ latencyHint: 'playback' });
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    analyser.connect(context.destination);
    context.onstatechange = () => this.contextChanged();
    // Safari: play through the ringer switch like a media app would.
    const session = (navigator as Navigator & { audioSession?: { type: string } }).audioSession;
    if (session) session.type = 'playback';
    this.context = context;
    this.analyser = analyser;
    this.samples = new Float32Array(analyser.fftSize);
    return context;
  }

  private contextChanged(): void {
    const running = this.context?.state === 'running';
    this.blocked = this.enabled && !running;
    if (running) this.pump();
  }

  private load(clip: QueuedClip): void {
    const key = clipKey(clip);
    const controller = new AbortController();
    this.loads.set(key, controller);
    const context = this.context;
    fetch(clip.url, { signal: controller.signal, credentials: 'omit' })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.arrayBuffer();
      })
      .then((bytes) => {
        if (!context) throw new Error('no audio context');
        return context.decodeAudioData(bytes);
      })
      .then(
        (buffer) => {
          if (controller.signal.aborted || !this.queue.has(key)) return;
          const channels = Array.from({ length: buffer.numberOfChannels }, (_, i) => buffer.getChannelData(i));
          this.loaded.set(key, { buffer, ...speechBounds(channels, buffer.sampleRate) });
          this.queue.mark(key, 'ready');
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          this.problem = { key: 'audio.loadFailed', values: { detail: (error as Error).message ?? 'error' } };
          this.queue.mark(key, 'failed');
        },
      )
      .finally(() => {
        if (this.loads.get(key) === controller) this.loads.delete(key);
        this.pump();
      });
  }

  /** Schedules clips while fewer than two are scheduled (the one playing and the next, back to back). */
  private pump(): void {
    clearTimeout(this.retryTimer);
    const context = this.context;
    if (!context || !this.enabled || context.state !== 'running') {
      this.updateStats();
      return;
    }
    while (this.scheduled.length < 2) {
      const now = Date.now();
      const startAt = Math.max(context.currentTime + START_LEAD_S, this.nextStart);
      const decision = this.queue.next(now, now + (startAt - context.currentTime) * 1000);
      for (const clip of decision.skipped) this.forget(clip);
      this.skipped += decision.skipped.length;
      if (decision.kind === 'play') {
        const loaded = this.loaded.get(clipKey(decision.clip));
        this.loaded.delete(clipKey(decision.clip));
        if (!loaded) continue;
        this.start(decision.clip, loaded, decision.rate, startAt, decision.lateMs);
        continue;
      }
      if (decision.kind === 'wait' && decision.retryAt !== undefined) {
        this.retryTimer = setTimeout(() => this.pump(), Math.max(0, decision.retryAt - now));
      }
      break;
    }
    this.updateStats();
  }

  private start(clip: QueuedClip, loaded: Loaded, rate: number, startAt: number, lateMs = this.lateMs): void {
    const context = this.context;
    const analyser = this.analyser;
    if (!context || !analyser) return;
    const source = context.createBufferSource();
    source.buffer = loaded.buffer;
    source.playbackRate.value = rate;
    source.connect(analyser);
    source.start(startAt, loaded.offset, loaded.duration);
    const entry: Scheduled = { clip, loaded, source, startAt, cancelled: false };
    this.scheduled.push(entry);
    this.nextStart = startAt + loaded.duration / rate;
    this.rate = rate;
    this.lateMs = Math.round(lateMs);
    this.problem = undefined;
    source.onended = () => {
      source.disconnect();
      this.scheduled = this.scheduled.filter((s) => s !== entry);
      if (!entry.cancelled) this.played++;
      this.pump();
    };
    this.startMeter();
  }

  /** Stops every scheduled clip; returns how many there were. */
  private cancelScheduled(): number {
    const cancelled = this.scheduled;
    this.scheduled = [];
    this.nextStart = 0;
    for (const entry of cancelled) {
      entry.cancelled = true;
      try {
        entry.source.stop();
      } catch {
        // Not started yet in some engines' view; disconnecting silences it either way.
      }
      entry.source.disconnect();
    }
    return cancelled.length;
  }

  private forget(clip: Clip): void {
    const key = clipKey(clip);
    this.loaded.delete(key);
    this.loads.get(key)?.abort();
    this.loads.delete(key);
  }

  private updateStats(): void {
    const waiting = this.queue.size + Math.max(0, this.scheduled.length - 1);
    if (this.backlog !== waiting) this.backlog = waiting;
    if (this.scheduled.length === 0 && this.rate !== 1) this.rate = 1;
  }

  /** Samples the analyser while anything plays; stops when everything is quiet to spare the battery. */
  private startMeter(): void {
    if (this.meterTimer !== undefined) return;
    this.meterTimer = setInterval(() => {
      const analyser = this.analyser;
      const samples = this.samples;
      if (!analyser || !samples) return;
      // With nothing playing, Chromium stops pulling the analyser, which then keeps returning its last block.
      let peak = 0;
      if (this.scheduled.length > 0) {
        analyser.getFloatTimeDomainData(samples);
        for (const sample of samples) peak = Math.max(peak, Math.abs(sample));
        peak = Math.min(1, peak);
      }
      if (peak > this.peak) this.peak = Math.round(peak * 1000) / 1000;
      const level = Math.max(peak, this.level * 0.8);
      this.level = level < 0.005 ? 0 : Math.round(level * 1000) / 1000;
      if (this.scheduled.length === 0 && this.level === 0) {
        clearInterval(this.meterTimer);
        this.meterTimer = undefined;
      }
    }, METER_INTERVAL_MS);
  }
}
