// Where speech is in a recording: the first and last samples above a level (for end-of-speech timing).
export function voicedSpan(samples: Int16Array, threshold = 600): { first: number; last: number } | undefined {
  let first = -1;
  let last = -1;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]!) > threshold) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return first < 0 ? undefined : { first, last };
}
