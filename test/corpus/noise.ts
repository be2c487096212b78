// Room noise for the noisy corpora, and mixing it under speech at a chosen signal-to-noise ratio.
//
// The noise is made here rather than by a tool so that every machine gets the same samples, bit for bit: a
// seeded integer generator, then additions and multiplications only (no Math.random, no library maths whose last
// digit could differ between versions), so the benchmark figures measured on one machine hold on another.

/** Changes whenever the noise or the mixing changes, so that cached noisy files are remade. */
export const NOISE_KIND = 'room-v1: pink noise, low-passed at ~2 kHz';

/** The margin of ITU-T P.56: speech counts as active down to this far below its own active level. */
const ACTIVE_MARGIN_DB = 15.9;
const FRAME = 160; // 10 ms at 16 kHz
/** Noise fades in and out over this many samples (50 ms) so that it starts without a click. */
const RAMP = 800;

/** mulberry32: a small seeded generator of uniform numbers in [0, 1), the same on every machine. */
export function uniforms(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit FNV-1a hash of `text`: the noise seed of a corpus file, from its name. */
export function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/**
 * `length` samples of room-like noise at unit RMS: white noise (the sum of four uniforms, near Gaussian) through
 * Paul Kellet's pink filter (−3 dB per octave, as ventilation and crowd rumble fall off), then a one-pole
 * low-pass at about 2 kHz (a room's walls and furniture absorb the highs). Same `seed`, same samples.
 */
export function roomNoise(length: number, seed: number): Float64Array {
  const next = uniforms(seed);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  let b4 = 0;
  let b5 = 0;
  let b6 = 0;
  let low = 0;
  const warmUp = 4096; // the slowest pink stage settles over ~900 samples
  const out = new Float64Array(length);
  for (let i = -warmUp; i < length; i++) {
    const white = (next() + next() + next() + next() - 2) * 1.7320508075688772; // unit variance
    b0 = 0.99886 * b0 + white * 0.0555179;
    b1 = 0.99332 * b1 + white * 0.0750759;
    b2 = 0.969 * b2 + white * 0.153852;
    b3 = 0.8665 * b3 + white * 0.3104856;
    b4 = 0.55 * b4 + white * 0.5329522;
    b5 = -0.7616 * b5 - white * 0.016898;
    const pink = b0 + b1 + b2 + b3 + b4 + b5 + b6 + white * 0.5362;
    b6 = white * 0.115926;
    low += 0.544 * (pink - low); // 1 − e^(−2π·2000/16000)
    if (i >= 0) out[i] = low;
  }
  let power = 0;
  for (const v of out) power += v * v;
  const scale = length > 0 && power > 0 ? 1 / Math.sqrt(power / length) : 0;
  for (let i = 0; i < length; i++) out[i]! *= scale;
  return out;
}

/**
 * The active speech level of `samples` as a mean square (in s16 units²), after ITU-T P.56 in a simplified form:
 * the mean power of the 10 ms frames whose power is at most 15.9 dB below that mean, found by iteration from the
 * mean of every frame. Silence, padding and pauses between words are left out, so a sentence's level does not
 * depend on how much silence surrounds it. 0 for silence.
 */
export function activeSpeechPower(samples: Int16Array): number {
  const powers: number[] = [];
  for (let at = 0; at + FRAME <= samples.length; at += FRAME) {
    let sum = 0;
    for (let i = at; i < at + FRAME; i++) sum += samples[i]! * samples[i]!;
    powers.push(sum / FRAME);
  }
  const meanOf = (ps: number[]) => (ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length : 0);
  let level = meanOf(powers);
  const margin = 10 ** (ACTIVE_MARGIN_DB / 10);
  for (let round = 0; round < 50 && level > 0; round++) {
    const next = meanOf(powers.filter((p) => p >= level / margin));
    if (next === level) break;
    level = next;
  }
  return level;
}

/** dB relative to a full-scale square wave (mean square 32768²). */
export function powerDbfs(power: number): number {
  return power > 0 ? Math.round(10 * Math.log10(power / 32768 ** 2) * 10) / 10 : -Infinity;
}

export interface NoisyMix {
  samples: Int16Array;
  /** Active level of the speech (activeSpeechPower) and mean power of the noise as added, in dBFS. */
  speechDbfs: number;
  noiseDbfs: number;
  /** The factor the whole mix was scaled by so that no sample clips (1 when none would have). */
  scaledBy: number;
}

/**
 * `speech` with room noise under it at `snrDb`: the noise's mean power is the speech's active level
 * (activeSpeechPower) divided by 10^(snrDb/10). The noise covers the whole file, padding included, fading in and
 * out over its first and last 50 ms; a mix that would clip is scaled down as a whole, which keeps the ratio.
 */
export function mixRoomNoise(speech: Int16Array, snrDb: number, seed: number): NoisyMix {
  const speechPower = activeSpeechPower(speech);
  if (speechPower === 0) throw new Error('mixRoomNoise: the speech is silent');
  const noise = roomNoise(speech.length, seed);
  const gain = Math.sqrt(speechPower / 10 ** (snrDb / 10));
  const ramp = Math.min(RAMP, Math.floor(speech.length / 2));
  const mixed = new Float64Array(speech.length);
  let peak = 0;
  for (let i = 0; i < speech.length; i++) {
    const edge = Math.min(i, speech.length - 1 - i);
    const fade = edge < ramp ? edge / ramp : 1;
    mixed[i] = speech[i]! + gain * fade * noise[i]!;
    peak = Math.max(peak, Math.abs(mixed[i]!));
  }
  const scaledBy = peak > 32767 ? 32767 / peak : 1;
  const samples = Int16Array.from(mixed, (v) => Math.round(v * scaledBy));
  return {
    samples,
    speechDbfs: powerDbfs(speechPower * scaledBy * scaledBy),
    noiseDbfs: powerDbfs(gain * gain * scaledBy * scaledBy),
    scaledBy,
  };
}
