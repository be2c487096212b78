// Simultaneity figures on hand-made caption streams, where the lag and the flicker can be worked out by hand.
import { describe, expect, test } from 'vitest';
import {
  composeSegments,
  erasure,
  firstAudioLag,
  laal,
  type Shown,
  simultaneity,
  summarizeSimultaneity,
  wordDisplayTimes,
} from '../bench/simultaneity.ts';

const at = (receivedAt: number, text: string, final = false): Shown => ({ receivedAt, text, final });

describe('laal', () => {
  test('a first word after the end of the source gives its own delay (SimulEval returns delays[0])', () => {
    expect(laal([10_600, 10_600, 10_600], 10_000)).toBe(10_600);
  });

  test('averages each word’s delay minus an even-paced interpreter’s, up to the first word after the source', () => {
    // |X| 8000, |Y| 4: the ideal pace is one word per 2000 ms; the fourth word comes after the source (τ = 4).
    // (1000 − 0) + (3000 − 2000) + (5000 − 4000) + (9000 − 6000) = 6000, / 4
    expect(laal([1000, 3000, 5000, 9000], 8000)).toBe(1500);
  });

  test('stops at τ, the first word shown once the whole source was heard', () => {
    // τ = 2: (1000 − 0) + (8000 − 8000/3), / 2; the third word is not counted.
    expect(laal([1000, 8000, 8500], 8000)).toBeCloseTo((1000 + 8000 - 8000 / 3) / 2, 6);
  });

  test('a longer reference lowers the ideal pace, so fewer words shown cannot look faster', () => {
    // max(|Y|, |Y*|) = 8: one word per 1000 ms. (1000 − 0) + (3000 − 1000) + (5000 − 2000) + (9000 − 3000) = 12000
    expect(laal([1000, 3000, 5000, 9000], 8000, 8)).toBe(3000);
    // A shorter reference changes nothing: |Y| is used.
    expect(laal([1000, 3000, 5000, 9000], 8000, 2)).toBe(1500);
  });

  test('no words, no figure', () => {
    expect(laal([], 8000)).toBeNull();
  });
});

describe('wordDisplayTimes', () => {
  test('a single final gives every word its arrival', () => {
    expect(wordDisplayTimes([at(11_600, 'uno dos tres', true)])).toEqual([11_600, 11_600, 11_600]);
  });

  test('a growing prefix gives each word the update that first showed it', () => {
    expect(wordDisplayTimes([at(1000, 'a'), at(3000, 'a b'), at(5000, 'a b c'), at(9000, 'a b c d', true)])).toEqual([
      1000, 3000, 5000, 9000,
    ]);
  });

  test('a word counts from the update after which it was never retracted', () => {
    const stream = [
      at(1000, 'the cat'),
      at(2000, 'the dog runs'),
      at(3000, 'the dog ran fast'),
      at(4000, 'the dog ran fast', true),
    ];
    expect(wordDisplayTimes(stream)).toEqual([1000, 2000, 3000, 3000]);
  });

  test('a word shown, withdrawn and shown again counts from its return', () => {
    expect(wordDisplayTimes([at(1000, 'a b'), at(2000, 'a'), at(3000, 'a b', true)])).toEqual([1000, 3000]);
  });

  test('without a final nothing was shown for good', () => {
    expect(wordDisplayTimes([at(1000, 'a b')])).toEqual([]);
  });
});

describe('erasure', () => {
  test('a caption that only grows erases nothing', () => {
    expect(erasure([at(1000, 'a'), at(2000, 'a b'), at(3000, 'a b c', true)])).toEqual({
      retracted: 0,
      finalWords: 3,
      normalized: 0,
    });
  });

  test('counts the previous words past the common prefix, per word of the final caption', () => {
    // 'the cat' → 'the dog runs': cat; 'the dog runs' → 'the dog ran fast': runs; then unchanged. 2 of 4.
    const stream = [
      at(1000, 'the cat'),
      at(2000, 'the dog runs'),
      at(3000, 'the dog ran fast'),
      at(4000, 'the dog ran fast', true),
    ];
    expect(erasure(stream)).toEqual({ retracted: 2, finalWords: 4, normalized: 0.5 });
  });

  test('a rewrite early in the caption retracts every word after it', () => {
    expect(erasure([at(1000, 'a b c d'), at(2000, 'x b c d', true)]).retracted).toBe(4);
  });

  test('a final that shortens the caption counts the dropped words', () => {
    expect(erasure([at(1000, 'a b c'), at(2000, 'a', true)])).toEqual({ retracted: 2, finalWords: 1, normalized: 2 });
  });
});

describe('simultaneity', () => {
  const source = { start: 1000, end: 11_000 };

  test('sentence-final captions: LAAL is the final’s arrival from the start of speech', () => {
    const figures = simultaneity(source, [at(11_600, 'buenos días a todos', true)]);
    expect(figures).toEqual({
      laalMs: 10_600,
      startOffsetMs: 10_600,
      endingOffsetMs: 600,
      completeOffsetMs: 600,
      normalizedErasure: 0,
      retractedWords: 0,
      finalWords: 4,
      provisionalUpdates: 0,
    });
  });

  test('a monotonic prefix stream lags by its words, not by the end of the sentence', () => {
    // Relative to the start: 1000, 3000, 5000 and 9000 ms over a source of 8000 ms; see laal above.
    const src = { start: 0, end: 8000 };
    const figures = simultaneity(src, [at(1000, 'a'), at(3000, 'a b'), at(5000, 'a b c'), at(9000, 'a b c d', true)]);
    expect(figures).toMatchObject({
      laalMs: 1500,
      startOffsetMs: 1000,
      endingOffsetMs: 1000,
      normalizedErasure: 0,
      provisionalUpdates: 3,
    });
  });

  test('a stream with retractions has erasure > 0 and counts retracted words from their last rewrite', () => {
    const src = { start: 0, end: 3500 };
    const stream = [
      at(1000, 'the cat'),
      at(2000, 'the dog runs'),
      at(3000, 'the dog ran fast'),
      at(4000, 'the dog ran fast', true),
    ];
    const figures = simultaneity(src, stream);
    // Delays 1000, 2000, 3000, 3000; none ≥ 3500, so τ = 4; pace 3500 / 4 = 875 ms per word.
    // (1000 − 0) + (2000 − 875) + (3000 − 1750) + (3000 − 2625) = 3750, / 4 = 937.5
    expect(figures.laalMs).toBe(938);
    expect(figures.normalizedErasure).toBe(0.5);
    expect(figures.endingOffsetMs).toBe(500);
  });

  test('an utterance whose final never came has no lag and no ending', () => {
    expect(simultaneity(source, [at(5000, 'buenos')])).toMatchObject({
      laalMs: null,
      startOffsetMs: null,
      endingOffsetMs: null,
      normalizedErasure: null,
      provisionalUpdates: 1,
    });
  });

  test('complete: when the final caption’s words were all on screen, which a provisional caption may do first', () => {
    // The provisional caption already shows every word of the final: complete at its arrival, 300 ms before.
    const early = simultaneity(source, [
      at(9000, 'buenos'),
      at(11_300, 'buenos días'),
      at(11_600, 'buenos días', true),
    ]);
    expect(early).toMatchObject({ endingOffsetMs: 600, completeOffsetMs: 300 });
    // The final adds a word: complete when it arrives.
    const late = simultaneity(source, [at(11_300, 'buenos'), at(11_600, 'buenos días', true)]);
    expect(late).toMatchObject({ endingOffsetMs: 600, completeOffsetMs: 600 });
    // The final rewrites a word shown before: complete from the rewrite.
    const rewritten = simultaneity(source, [at(11_300, 'buenas días'), at(11_700, 'buenos días', true)]);
    expect(rewritten).toMatchObject({ endingOffsetMs: 700, completeOffsetMs: 700 });
    expect(simultaneity(source, [at(5000, 'buenos')]).completeOffsetMs).toBeNull();
  });

  test('updates after the final are not counted', () => {
    const figures = simultaneity(source, [at(11_600, 'a b', true), at(12_000, 'a b', true)]);
    expect(figures.endingOffsetMs).toBe(1000);
    expect(figures.laalMs).toBe(10_600);
  });
});

describe('composeSegments', () => {
  test('joins the segments of an utterance in order; final once every segment is', () => {
    const shown = composeSegments(
      [
        { segmentIndex: 7, receivedAt: 1000, text: 'hola', final: false },
        { segmentIndex: 7, receivedAt: 2000, text: 'hola amigos', final: true },
        { segmentIndex: 9, receivedAt: 3000, text: 'cómo', final: false },
        // Late provisional text for a finished segment: not shown.
        { segmentIndex: 7, receivedAt: 3500, text: 'hola', final: false },
        { segmentIndex: 9, receivedAt: 4000, text: 'cómo estáis', final: true },
      ],
      [7, 9],
    );
    expect(shown).toEqual([
      at(1000, 'hola'),
      at(2000, 'hola amigos'),
      at(3000, 'hola amigos cómo'),
      at(4000, 'hola amigos cómo estáis', true),
    ]);
  });

  test('ignores segments of other utterances', () => {
    const shown = composeSegments([{ segmentIndex: 3, receivedAt: 1000, text: 'otra', final: true }], [4]);
    expect(shown).toEqual([]);
  });
});

describe('firstAudioLag', () => {
  test('from the start and from the end of speech to the earliest audio', () => {
    expect(firstAudioLag({ start: 1000, end: 9000 }, [9800, 9500])).toEqual({ fromStartMs: 8500, fromEndMs: 500 });
    expect(firstAudioLag({ start: 1000, end: 9000 }, [])).toEqual({ fromStartMs: null, fromEndMs: null });
  });
});

describe('summarizeSimultaneity', () => {
  test('spreads over the rows with a final, erasure as mean and max, the rest counted', () => {
    const source = { start: 0, end: 8000 };
    const rows = [
      { ...simultaneity(source, [at(8500, 'a b', true)]), firstAudio: firstAudioLag(source, [8700]) },
      { ...simultaneity(source, [at(1000, 'a x'), at(8600, 'a b', true)]), firstAudio: firstAudioLag(source, [8900]) },
      { ...simultaneity(source, []), firstAudio: firstAudioLag(source, []) },
    ];
    const summary = summarizeSimultaneity(rows);
    expect(summary).toMatchObject({
      rows: 3,
      withFinal: 2,
      endingOffsetMs: { count: 2, p50: 500, max: 600 },
      completeOffsetMs: { count: 2, p50: 500, max: 600 },
      normalizedErasure: { mean: 0.25, max: 0.5 },
      retractedWords: 1,
      provisionalUpdates: 1,
      firstAudioFromEndMs: { count: 2, p50: 700, max: 900 },
    });
    // Second row: 'a' from 1000 ms, 'b' from 8600 ms; pace 4000 ms per word: (1000 + 8600 − 4000) / 2
    expect(summary.laalMs).toMatchObject({ count: 2, p50: 2800, max: 8500 });
  });
});
