// A session's audio front end from two small WASM builds shipped with their weights in npm packages: RNNoise
// noise suppression (@echogarden/rnnoise-wasm, a recurrent network that works on 10 ms frames at 48 kHz) and the
// WebRTC voice activity detector (@echogarden/fvad-wasm, on 10 ms blocks at 16 kHz). The modules are loaded once
// per process (loadAudioFrontEnd, ~10 ms); each session then gets its own denoiser and detector state.
//
// RNNoise hears 16 kHz audio resampled to 48 kHz (3× by a polyphase low-pass FIR) and its output is brought back
// the same way; the whole chain delays the audio by 10 ms (one 160-sample block), so a chunk of any length comes
// out as long as it went in.
import fvadModule from '@echogarden/fvad-wasm';
import rnnoiseModule from '@echogarden/rnnoise-wasm';
import { levelDbfs } from '#core/endpointer';
import type { AudioFilter, AudioFrontEnd, VoiceDetection, VoiceDetector } from '#core/front-end';

export type { VoiceDetection };

export interface FrontEndOptions {
  /** RNNoise noise suppression ahead of the endpointer and the recogniser. */
  denoise: boolean;
  /**
   * Which blocks are voice: 'energy' (the endpointer's level against its noise floor alone), 'webrtc' (the WebRTC
   * VAD agrees too) or 'rnnoise' (RNNoise's own voice probability agrees too; needs denoise).
   */
  vad: VoiceDetection;
  /** WebRTC VAD aggressiveness, 0 (least) to 3 (most). */
  webrtcMode?: number;
  /** RNNoise voice probability above which a block is voice. */
  rnnoiseThreshold?: number;
}

interface EmscriptenModule {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  HEAP16: Int16Array;
  HEAPF32: Float32Array;
}
interface RnnoiseModule extends EmscriptenModule {
  _rnnoise_create(model: number): number;
  _rnnoise_destroy(state: number): void;
  _rnnoise_process_frame(state: number, out: number, input: number): number;
}
interface FvadModule extends EmscriptenModule {
  _fvad_new(): number;
  _fvad_free(state: number): void;
  _fvad_set_mode(state: number, mode: number): number;
  _fvad_set_sample_rate(state: number, rate: number): number;
  _fvad_process(state: number, frame: number, length: number): number;
}

let modules: Promise<{ rnnoise: RnnoiseModule; fvad: FvadModule }> | undefined;
let loaded: { rnnoise: RnnoiseModule; fvad: FvadModule } | undefined;

/** Loads both WASM modules once per process; createAudioFrontEnd may be called once it resolved. */
export function loadAudioFrontEnd(): Promise<void> {
  modules ??= Promise.all([rnnoiseModule(), fvadModule()]).then(([rnnoise, fvad]) => {
    loaded = { rnnoise: rnnoise as RnnoiseModule, fvad: fvad as FvadModule };
    return loaded;
  });
  return modules.then(() => undefined);
}

/** A session's front end; throws if loadAudioFrontEnd has not resolved yet. */
export function createAudioFrontEnd(options: FrontEndOptions): AudioFrontEnd {
  if (!options.denoise && options.vad === 'energy') return {};
  if (!loaded) throw new Error('the audio front end is used before loadAudioFrontEnd() resolved');
  const denoiser = options.denoise || options.vad === 'rnnoise' ? new RnnoiseFilter(loaded.rnnoise) : undefined;
  const frontEnd: AudioFrontEnd = {};
  if (options.denoise && denoiser) frontEnd.filter = denoiser;
  if (options.vad === 'webrtc') frontEnd.detector = new WebRtcVad(loaded.fvad, options.webrtcMode ?? 2);
  if (options.vad === 'rnnoise' && denoiser) {
    if (!options.denoise) throw new Error("vad 'rnnoise' needs denoise on");
    frontEnd.detector = new RnnoiseVoice(denoiser, options.rnnoiseThreshold ?? 0.5);
  }
  return frontEnd;
}

const BLOCK = 160;
const RATIO = 3;
/** Taps of the 48 kHz low-pass (a multiple of RATIO, so each polyphase branch has TAPS / RATIO). */
const TAPS = 48;

/** Windowed-sinc low-pass at 48 kHz, cut at 7.6 kHz (under the 8 kHz Nyquist of 16 kHz audio), unit DC gain. */
const LOW_PASS = (() => {
  const h = new Float64Array(TAPS);
  const cutoff = 7_600 / 48_000;
  const middle = (TAPS - 1) / 2;
  let sum = 0;
  for (let i = 0; i < TAPS; i++) {
    const t = i - middle;
    const sinc = t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
    const blackman =
      0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (TAPS - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (TAPS - 1));
    h[i] = sinc * blackman;
    sum += h[i]!;
  }
  for (let i = 0; i < TAPS; i++) h[i]! /= sum;
  return h;
})();

/**
 * When the input's noise floor is below BYPASS_BELOW_DBFS there is no noise to take away and the input is handed on
 * as it is: denoising clean audio only smears the ends of words (utterances of synthetic speech ended ~60 ms later
 * and lost a word or two). Denoising starts when the floor rises above DENOISE_ABOVE_DBFS. RNNoise keeps running
 * either way, so it knows the noise when it starts.
 *
 * The floor is the 3rd percentile of the levels of the last 10 s of 10 ms blocks (longer than any sentence), blocks of
 * digital silence left out: a muted or gated input, or the gaps a file-based stream puts between recordings, say
 * nothing about the room. Measured on the project's four flite voices, sentence by sentence: clean speech's 3rd
 * percentile is −62 to −86 dBFS (word ends, closures), the same speech in room noise at 15–20 dB SNR −32 to −52 dBFS
 * (the noise never goes away; a lower percentile would catch a noise's first, fading-in blocks). Until
 * FLOOR_MIN_BLOCKS blocks that are not silence were heard the input is denoised: starting in bypass and switching
 * half a second in cost noisy speech 11 points of word error (bench:noise, flite at 15 dB: 17.0 % → 27.9 %), while
 * clean speech's first half second denoised cost nothing measurable.
 */
const BYPASS_BELOW_DBFS = -60;
const DENOISE_ABOVE_DBFS = -56;
const FLOOR_PERCENTILE = 0.03;
const FLOOR_BLOCKS = 1_000;
const FLOOR_MIN_BLOCKS = 50;
/** A block with a run this long of exact zeros is digital silence (or an edge of it), not sound from a room. */
const SILENT_RUN = 8;
/** Levels are counted in 1 dB bins from −120 dBFS up. */
const LEVEL_BINS = 121;

/** RNNoise on 16 kHz audio: 3× up, RNNoise per 480-sample frame, 3× down; 10 ms behind its input. */
export class RnnoiseFilter implements AudioFilter {
  /** Whether blocks are denoised now (else handed on as they came; see BYPASS_BELOW_DBFS). */
  denoising = true;
  /** The level bin of each of the last FLOOR_BLOCKS blocks (−1: digital silence), a ring, and how many fall in each bin. */
  private readonly blockBins = new Int16Array(FLOOR_BLOCKS).fill(-1);
  private readonly binCounts = new Uint16Array(LEVEL_BINS);
  private blocksSeen = 0;
  private soundBlocks = 0;
  private readonly state: number;
  private readonly inPointer: number;
  private readonly outPointer: number;
  /** Upsampling input: the previous block's last TAPS / RATIO - 1 samples (16 kHz), then the current block. */
  private readonly upBuffer = new Float64Array(TAPS / RATIO - 1 + BLOCK);
  /** Downsampling input: the previous frame's last TAPS - 1 denoised samples (48 kHz), then the current frame. */
  private readonly downBuffer = new Float64Array(TAPS - 1 + BLOCK * RATIO);
  private readonly up = new Float32Array(BLOCK * RATIO);
  /** Input not yet a whole block. */
  private pending = new Int16Array(0);
  /** Denoised output not handed out yet; starts with one block of silence, the chain's delay. */
  private ready: Int16Array = new Int16Array(BLOCK);
  /** RNNoise's voice probability of each block in `ready` and of those handed out but not asked about yet. */
  private readonly probabilities: number[] = [0];

  constructor(private readonly module: RnnoiseModule) {
    this.state = module._rnnoise_create(0);
    this.inPointer = module._malloc(BLOCK * RATIO * 4);
    this.outPointer = module._malloc(BLOCK * RATIO * 4);
  }

  process(samples: Int16Array): Int16Array {
    const input = new Int16Array(this.pending.length + samples.length);
    input.set(this.pending);
    input.set(samples, this.pending.length);
    const blocks = Math.floor(input.length / BLOCK);
    const output = new Int16Array(this.ready.length + blocks * BLOCK);
    output.set(this.ready);
    for (let b = 0; b < blocks; b++) {
      output.set(this.block(input.subarray(b * BLOCK, (b + 1) * BLOCK)), this.ready.length + b * BLOCK);
    }
    this.pending = input.slice(blocks * BLOCK);
    this.ready = output.slice(samples.length);
    return output.slice(0, samples.length);
  }

  /** RNNoise's voice probability of the next block of output, in order (the caller reads each block once). */
  nextVoiceProbability(): number {
    return this.probabilities.shift() ?? 0;
  }

  /** Follows the input's noise floor and decides whether to denoise. */
  private track(input: Int16Array): void {
    let run = 0;
    let silent = false;
    for (const sample of input) {
      run = sample === 0 ? run + 1 : 0;
      if (run >= SILENT_RUN) silent = true;
    }
    const slot = this.blocksSeen++ % FLOOR_BLOCKS;
    const old = this.blockBins[slot]!;
    if (old >= 0) {
      this.binCounts[old]!--;
      this.soundBlocks--;
    }
    let bin = -1;
    if (!silent) {
      bin = Math.max(0, Math.min(LEVEL_BINS - 1, Math.round(levelDbfs(input) + LEVEL_BINS - 1)));
      this.binCounts[bin]!++;
      this.soundBlocks++;
    }
    this.blockBins[slot] = bin;
    if (this.soundBlocks < FLOOR_MIN_BLOCKS) return;
    const rank = Math.floor(this.soundBlocks * FLOOR_PERCENTILE);
    let below = 0;
    let floorBin = 0;
    while (below + this.binCounts[floorBin]! <= rank) below += this.binCounts[floorBin++]!;
    const floor = floorBin - (LEVEL_BINS - 1);
    if (this.denoising && floor < BYPASS_BELOW_DBFS) this.denoising = false;
    else if (!this.denoising && floor > DENOISE_ABOVE_DBFS) this.denoising = true;
  }

  /** One 10 ms block: returns the denoised block, or the block itself while bypassed (10 ms late either way). */
  private block(input: Int16Array): Int16Array {
    this.track(input);
    const { up, upBuffer, downBuffer } = this;
    const branch = TAPS / RATIO;
    // upBuffer holds the last branch - 1 samples of the previous block, then this one: x[n - j] is at branch - 1 + n - j.
    upBuffer.copyWithin(0, BLOCK);
    upBuffer.set(input, branch - 1);
    // Upsampling: output 3n+p is the sum over the input history of h[3j+p] · x[n-j], times 3 for the inserted zeros.
    for (let n = 0; n < BLOCK; n++) {
      for (let p = 0; p < RATIO; p++) {
        let acc = 0;
        for (let j = 0; j < branch; j++) acc += LOW_PASS[j * RATIO + p]! * upBuffer[branch - 1 + n - j]!;
        up[n * RATIO + p] = acc * RATIO;
      }
    }
    this.module.HEAPF32.set(up, this.inPointer >> 2);
    this.probabilities.push(this.module._rnnoise_process_frame(this.state, this.outPointer, this.inPointer));
    // downBuffer: the last TAPS - 1 denoised samples of the previous frame, then this frame's BLOCK × RATIO.
    downBuffer.copyWithin(0, BLOCK * RATIO);
    downBuffer.set(
      this.module.HEAPF32.subarray(this.outPointer >> 2, (this.outPointer >> 2) + BLOCK * RATIO),
      TAPS - 1,
    );
    const out = new Int16Array(BLOCK);
    for (let n = 0; n < BLOCK; n++) {
      // Every third sample of the low-passed 48 kHz signal: y[3n + 2] = Σ h[k] · d[3n + 2 - k].
      const last = TAPS - 1 + n * RATIO + RATIO - 1;
      let acc = 0;
      for (let k = 0; k < TAPS; k++) acc += LOW_PASS[k]! * downBuffer[last - k]!;
      out[n] = Math.max(-32768, Math.min(32767, Math.round(acc)));
    }
    return this.denoising ? out : input.slice();
  }

  release(): void {
    this.module._rnnoise_destroy(this.state);
    this.module._free(this.inPointer);
    this.module._free(this.outPointer);
  }
}

/** RNNoise's voice probability of each block the filter handed out, in order (the session filters first). */
class RnnoiseVoice implements VoiceDetector {
  constructor(
    private readonly filter: RnnoiseFilter,
    private readonly threshold: number,
  ) {}
  isVoice(): boolean {
    return this.filter.nextVoiceProbability() >= this.threshold;
  }
}

/** The WebRTC VAD on 10 ms blocks at 16 kHz. */
export class WebRtcVad implements VoiceDetector {
  private readonly state: number;
  private readonly pointer: number;

  constructor(
    private readonly module: FvadModule,
    mode: number,
  ) {
    this.state = module._fvad_new();
    if (!this.state) throw new Error('fvad_new failed');
    if (module._fvad_set_mode(this.state, mode) < 0) throw new Error(`WebRTC VAD mode ${mode} is not 0–3`);
    module._fvad_set_sample_rate(this.state, 16_000);
    this.pointer = module._malloc(BLOCK * 2);
  }

  isVoice(block: Int16Array): boolean {
    this.module.HEAP16.set(block, this.pointer >> 1);
    return this.module._fvad_process(this.state, this.pointer, block.length) === 1;
  }

  release(): void {
    this.module._fvad_free(this.state);
    this.module._free(this.pointer);
  }
}
