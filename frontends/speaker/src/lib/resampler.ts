// Streaming sample-rate conversion for the microphone (44.1 or 48 kHz → 16 kHz), free of Web Audio so the
// worklet and the unit tests share it: a Kaiser-windowed sinc low-pass evaluated at the exact rational positions.

export interface ResamplerOptions {
  inputRate: number;
  outputRate: number;
  /** Stopband attenuation in dB. Default 70. */
  attenuationDb?: number;
  /**
   * End of the passband as a fraction of the lower Nyquist frequency; the stopband starts at that Nyquist, so
   * nothing above it folds back. Default 0.875 (7 kHz flat, 8 kHz gone for 16 kHz output).
   */
  passbandFraction?: number;
}

/** Phase tables larger than this many phases are computed per output sample instead (odd rates only). */
const MAX_TABLE_PHASES = 4096;

/**
 * Converts a continuous stream chunk by chunk; the result does not depend on how the input is chunked.
 *
 * Output sample `j` is the band-limited input evaluated at input position `j * inputRate / outputRate`: the
 * filter is centred there (it looks `halfTaps` input samples ahead), so the output carries no group delay and
 * the time of output sample `j` is exactly `j / outputRate` after input sample 0. The stream is taken to be
 * silent before its first sample.
 */
export class Resampler {
  readonly inputRate: number;
  readonly outputRate: number;
  /** Input samples the filter reaches on each side of an output position. */
  readonly halfTaps: number;
  /** Output phases per input step (L) and input samples per L outputs (M): inputRate / outputRate = M / L. */
  private readonly up: number;
  private readonly down: number;
  private readonly cutoff: number;
  private readonly beta: number;
  private readonly table: Float32Array | undefined;
  private readonly scratch: Float32Array;
  private history: Float32Array;
  /** Absolute input index of history[0]. */
  private historyStart: number;
  private historyLength: number;
  /** Next output's position: input index `position + phase / up`. */
  private position = 0;
  private phase = 0;
  private emitted = 0;
  private consumed = 0;

  constructor(options: ResamplerOptions) {
    const { inputRate, outputRate } = options;
    if (!Number.isInteger(inputRate) || !Number.isInteger(outputRate) || inputRate <= 0 || outputRate <= 0) {
      throw new RangeError(`Sample rates must be positive integers, got ${inputRate} → ${outputRate}`);
    }
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    const divisor = gcd(inputRate, outputRate);
    this.up = outputRate / divisor;
    this.down = inputRate / divisor;

    const attenuation = options.attenuationDb ?? 70;
    const nyquist = Math.min(inputRate, outputRate) / 2;
    const passband = nyquist * (options.passbandFraction ?? 0.875);
    // Cut-off halfway through the transition band, normalised to the input rate.
    this.cutoff = (passband + nyquist) / 2 / inputRate;
    const transition = (2 * Math.PI * (nyquist - passband)) / inputRate;
    // Kaiser's estimates for the window length and shape that reach `attenuation` over that transition.
    const taps = Math.ceil((attenuation - 7.95) / (2.285 * transition)) + 1;
    this.halfTaps = Math.max(2, Math.ceil(taps / 2));
    this.beta =
      attenuation > 50
        ? 0.1102 * (attenuation - 8.7)
        : attenuation >= 21
          ? 0.5842 * (attenuation - 21) ** 0.4 + 0.07886 * (attenuation - 21)
          : 0;

    const width = 2 * this.halfTaps;
    this.scratch = new Float32Array(width);
    if (this.up <= MAX_TABLE_PHASES) {
      this.table = new Float32Array(this.up * width);
      for (let phase = 0; phase < this.up; phase++) this.fillKernel(phase, this.table.subarray(phase * width));
    }
    // Silence before the first sample, so the first outputs have the history the filter looks back on.
    this.history = new Float32Array(Math.max(4096, 4 * width));
    this.historyStart = -this.halfTaps;
    this.historyLength = this.halfTaps;
  }

  /** Output samples produced so far (the index of the next one). */
  get outputCount(): number {
    return this.emitted;
  }

  /** Input samples accepted so far. */
  get inputCount(): number {
    return this.consumed;
  }

  /** Upper bound on the outputs one `push` of `inputLength` samples can write. */
  maxOutput(inputLength: number): number {
    return Math.ceil(((inputLength + 2 * this.halfTaps + 1) * this.up) / this.down) + 1;
  }

  /** Feeds input samples and writes every output they complete into `out`; returns how many were written. */
  push(input: Float32Array, out: Float32Array): number {
    this.append(input);
    this.consumed += input.length;
    return this.drain(out, this.historyStart + this.historyLength);
  }

  /** Convenience for callers that do not manage buffers: the outputs `input` completes, as a new array. */
  process(input: Float32Array): Float32Array {
    const out = new Float32Array(this.maxOutput(input.length));
    return out.slice(0, this.push(input, out));
  }

  /**
   * Ends the stream: emits the outputs whose positions fall inside the input received so far, treating what
   * follows as silence. Afterwards the total output is ceil(inputCount * outputRate / inputRate) samples: one per output
   * position inside the input.
   */
  flush(): Float32Array {
    const end = this.consumed;
    this.append(new Float32Array(this.halfTaps + 1));
    const out = new Float32Array(this.maxOutput(0) + this.halfTaps);
    let count = 0;
    const limit = Math.ceil((end * this.up) / this.down);
    while (this.emitted < limit) {
      out[count++] = this.evaluate();
      this.advance();
    }
    return out.slice(0, count);
  }

  private drain(out: Float32Array, available: number): number {
    let count = 0;
    // An output needs input up to position + halfTaps.
    while (this.position + this.halfTaps < available) {
      if (count >= out.length) throw new RangeError('Resampler output buffer too small; size it with maxOutput()');
      out[count++] = this.evaluate();
      this.advance();
    }
    this.discardBefore(this.position - this.halfTaps + 1);
    return count;
  }

  private evaluate(): number {
    const width = 2 * this.halfTaps;
    let kernel: Float32Array;
    if (this.table) {
      kernel = this.table.subarray(this.phase * width, (this.phase + 1) * width);
    } else {
      kernel = this.scratch;
      this.fillKernel(this.phase, kernel);
    }
    const first = this.position - this.halfTaps + 1 - this.historyStart;
    const history = this.history;
    let sum = 0;
    for (let k = 0; k < width; k++) sum += history[first + k]! * kernel[k]!;
    return sum;
  }

  private advance(): void {
    this.emitted++;
    this.phase += this.down;
    if (this.phase >= this.up) {
      this.position += Math.floor(this.phase / this.up);
      this.phase %= this.up;
    }
  }

  /**
   * The kernel for outputs at fractional offset phase/up past an input sample: taps for input samples
   * -halfTaps+1 … +halfTaps around it, normalised to unit gain at DC so no phase is louder than another.
   */
  private fillKernel(phase: number, into: Float32Array): void {
    const fraction = phase / this.up;
    const half = this.halfTaps;
    const norm = besselI0(this.beta);
    let sum = 0;
    for (let k = 0; k < 2 * half; k++) {
      const t = k - half + 1 - fraction;
      const x = 2 * this.cutoff * t;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const r = t / half;
      const window = r * r < 1 ? besselI0(this.beta * Math.sqrt(1 - r * r)) / norm : 0;
      const value = sinc * window;
      into[k] = value;
      sum += value;
    }
    for (let k = 0; k < 2 * half; k++) into[k] = into[k]! / sum;
  }

  private append(input: Float32Array): void {
    const needed = this.historyLength + input.length;
    if (needed > this.history.length) {
      const grown = new Float32Array(Math.max(needed, 2 * this.history.length));
      grown.set(this.history.subarray(0, this.historyLength));
      this.history = grown;
    }
    this.history.set(input, this.historyLength);
    this.historyLength = needed;
  }

  private discardBefore(index: number): void {
    const drop = index - this.historyStart;
    if (drop <= 0) return;
    this.history.copyWithin(0, drop, this.historyLength);
    this.historyStart = index;
    this.historyLength -= drop;
  }
}

/**
 * Averages planar channels into `out` (length `frames`); missing input (a disconnected source) is silence.
 * Returns `out`.
 */
export function mixToMono(channels: readonly Float32Array[], frames: number, out: Float32Array): Float32Array {
  out.fill(0, 0, frames);
  if (channels.length === 0) return out;
  const gain = 1 / channels.length;
  for (const channel of channels) {
    for (let i = 0; i < frames; i++) out[i] = out[i]! + channel[i]! * gain;
  }
  return out;
}

/** Modified Bessel function of the first kind, order 0 (series; converges fast for the betas used here). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const quarter = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= quarter / (k * k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
