// Endpointing on energy: utterance start and end times, hangover, long-utterance cuts, fading tails.
import { describe, expect, test } from 'vitest';
import { DEFAULT_ENDPOINTER, Endpointer } from '#core/endpointer';
import { chunk, tone } from '../fakes.ts';

function run(pattern: string, settings = DEFAULT_ENDPOINTER) {
  const e = new Endpointer(settings);
  const events = [];
  for (const [i, c] of [...pattern].entries()) events.push(...e.push(chunk(c === 'V'), i * 100));
  return events;
}

describe('Endpointer', () => {
  test('an utterance starts at its first voiced audio and ends after the hangover of silence', () => {
    expect(run('sssVVVVVssssss')).toEqual([
      { kind: 'start', at: 300 },
      { kind: 'end', lastVoiceAt: 800, reason: 'silence' },
    ]);
  });

  test('a pause shorter than the hangover does not end the utterance', () => {
    expect(run('VVVssVVVsssss').filter((e) => e.kind === 'end')).toEqual([
      { kind: 'end', lastVoiceAt: 800, reason: 'silence' },
    ]);
  });

  test('a click shorter than the minimum speech is ignored', () => {
    const e = new Endpointer();
    expect(e.push(chunk(true, 30), 0)).toEqual([]);
    expect(e.push(chunk(false, 500), 30)).toEqual([]);
  });

  test('a long monologue is cut at the next short pause, or at the hard maximum', () => {
    const settings = { ...DEFAULT_ENDPOINTER, softMaxMs: 1_000, longUtteranceHangoverMs: 150, hardMaxMs: 2_000 };
    expect(run('VVVVVVVVVVVVssVVV', settings)).toContainEqual({
      kind: 'end',
      lastVoiceAt: 1_200,
      reason: 'max-length',
    });
    expect(run('V'.repeat(25), settings)).toContainEqual({ kind: 'end', lastVoiceAt: 2_000, reason: 'max-length' });
  });

  test('the noise floor adapts, so steady background noise stops counting as speech', () => {
    const e = new Endpointer();
    const noise = new Int16Array(1600).map((_, i) => (i % 2 ? 300 : -300));
    const events = [];
    for (let i = 0; i < 80; i++) events.push(...e.push(noise, i * 100));
    // Noise from the very first sample looks like speech until the floor has heard it for a window.
    expect(events.filter((x) => x.kind === 'start')).toHaveLength(1);
    expect(events.at(-1)?.kind).toBe('end');
    expect(e.push(chunk(true), 8_000)).toEqual([{ kind: 'start', at: 8_000 }]);
  });

  test("a word's fading tail far below the utterance's loudest block is not voice; quieter speech within reach is", () => {
    const speak = (settings: typeof DEFAULT_ENDPOINTER, parts: Int16Array[]) => {
      const e = new Endpointer(settings);
      return parts.flatMap((part, i) => e.push(part, i * 100)).filter((x) => x.kind === 'end');
    };
    const loud = tone(8_000);
    const fading = tone(92);
    const quiet = tone(260);
    const silence = chunk(false);
    const off = { ...DEFAULT_ENDPOINTER, tailBelowPeakDb: 0 };
    // Above -55 dBFS and the noise floor, the tail counts as voice without the rule: the end waits it out.
    expect(speak(off, [loud, loud, fading, fading, silence, silence, silence, silence])).toEqual([
      { kind: 'end', lastVoiceAt: 400, reason: 'silence' },
    ]);
    expect(DEFAULT_ENDPOINTER.tailBelowPeakDb).toBe(35);
    expect(speak(DEFAULT_ENDPOINTER, [loud, loud, fading, fading, silence, silence, silence])).toEqual([
      { kind: 'end', lastVoiceAt: 200, reason: 'silence' },
    ]);
    // 30 dB under the loudest block is still speech; a quiet speaker's utterance is measured against itself.
    expect(speak(DEFAULT_ENDPOINTER, [loud, quiet, quiet, silence, silence, silence])).toEqual([
      { kind: 'end', lastVoiceAt: 300, reason: 'silence' },
    ]);
    expect(speak(DEFAULT_ENDPOINTER, [silence, fading, fading, silence, silence, silence])).toEqual([
      { kind: 'end', lastVoiceAt: 300, reason: 'silence' },
    ]);
  });

  test('the silence a likely sentence end waits on counts the fading tail as voice; the hangover does not', () => {
    const e = new Endpointer();
    e.push(tone(8_000), 0);
    e.push(tone(92), 100);
    // 100 ms of tail: silence to the hangover, voice to the sentence-end rule (a pause between clauses stays as long
    // as it was measured at).
    expect(e.trailingSilenceMs).toBe(0);
    e.push(chunk(false), 200);
    expect(e.trailingSilenceMs).toBe(100);
    expect(e.push(chunk(false), 300)).toEqual([{ kind: 'end', lastVoiceAt: 100, reason: 'silence' }]);
  });

  test('flush ends an utterance in progress', () => {
    const e = new Endpointer();
    e.push(chunk(true), 0);
    expect(e.flush()).toEqual({ kind: 'end', lastVoiceAt: 100, reason: 'silence' });
    expect(e.flush()).toBeUndefined();
  });
});
