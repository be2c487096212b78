// Where the speech is inside a decoded clip. Synthesized sentences carry leading and trailing silence (the
// voice's own, plus the MP3 encoder's padding); playing only the voiced part, with a short margin, keeps the
// sentences back to back without dead air piling up when the listener is behind.

export interface SpeechBoundsOptions {
  /** Absolute sample value above which a sample counts as sound. */
  threshold: number;
  /** Silence kept before the first and after the last sound. */
  leadMarginS: number;
  tailMarginS: number;
}

export const DEFAULT_BOUNDS: SpeechBoundsOptions = { threshold: 0.01, leadMarginS: 0.04, tailMarginS: 0.2 };

/** Offset and duration (seconds) of the part worth playing; the whole clip when it is silent throughout. */
export function speechBounds(
  channels: readonly Float32Array[],
  sampleRate: number,
  options: SpeechBoundsOptions = DEFAULT_BOUNDS,
): { offset: number; duration: number } {
  const length = channels[0]?.length ?? 0;
  const total = length / sampleRate;
  let first = -1;
  let last = -1;
  for (const data of channels) {
    for (let i = 0; i < data.length; i++) {
      if (Math.abs(data[i] ?? 0) > options.threshold) {
        if (first === -1 || i < first) first = i;
        break;
      }
    }
    for (let i = data.length - 1; i >= 0; i--) {
      if (Math.abs(data[i] ?? 0) > options.threshold) {
        if (i > last) last = i;
        break;
      }
    }
  }
  if (first === -1) return { offset: 0, duration: total };
  const offset = Math.max(0, first / sampleRate - options.leadMarginS);
  const end = Math.min(total, (last + 1) / sampleRate + options.tailMarginS);
  return { offset, duration: end - offset };
}
