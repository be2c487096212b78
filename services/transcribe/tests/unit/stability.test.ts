// Local agreement over the hypotheses of an utterance in progress: which words are handed out, when, and once.
import { describe, expect, test } from 'vitest';
import { StablePrefix } from '#core/stability';

const settings = { agreementMs: 300, minIncrementWords: 2 };

/** Feeds hypotheses 100 ms apart; returns the increments handed out. */
function feed(prefix: StablePrefix, texts: string[], finishedWords: (i: number) => number = () => 0) {
  return texts.flatMap((text, i) => {
    const increment = prefix.observe({ at: 1000 + i * 100, text, finishedWords: finishedWords(i) });
    return increment ? [increment] : [];
  });
}

describe('StablePrefix', () => {
  test('a word is stable once every hypothesis over the agreement window had it, in increments of at least two words', () => {
    const out = feed(new StablePrefix(settings), [
      'Good',
      'Good morning',
      'Good morning every',
      'Good morning everyone',
      'Good morning everyone and',
      'Good morning everyone and welcome',
      'Good morning everyone and welcome to',
      'Good morning everyone and welcome to the',
      'Good morning everyone and welcome to the',
    ]);
    expect(out).toEqual([
      { increment: 0, text: 'Good morning', stableText: 'Good morning', stableWords: 2 },
      { increment: 1, text: 'everyone and', stableText: 'Good morning everyone and', stableWords: 4 },
    ]);
  });

  test('nothing is stable before the hypotheses span the agreement window', () => {
    const out = feed(new StablePrefix(settings), [
      'Good morning everyone',
      'Good morning everyone',
      'Good morning everyone',
    ]);
    expect(out).toEqual([]);
  });

  test('a word the recogniser keeps changing is held back with everything after it; a pause hands out the rest', () => {
    const prefix = new StablePrefix(settings);
    const out = feed(prefix, [
      'The whether',
      'The weather to',
      'The whether today',
      'The weather today is',
      'The weather today is fine',
      'The weather today is fine',
      'The weather today is fine',
      'The weather today is fine',
    ]);
    expect(out.map((i) => i.text)).toEqual(['The weather today is']);
    expect(prefix.observe({ at: 1800, text: 'The weather today is fine', finishedWords: 5 })).toEqual({
      increment: 1,
      text: 'fine',
      stableText: 'The weather today is fine',
      stableWords: 5,
    });
  });

  test('at a pause the finished words are handed out at once, even a single one', () => {
    const prefix = new StablePrefix(settings);
    expect(prefix.observe({ at: 0, text: 'Yes', finishedWords: 1 })).toEqual({
      increment: 0,
      text: 'Yes',
      stableText: 'Yes',
      stableWords: 1,
    });
    expect(prefix.observe({ at: 100, text: 'Yes we', finishedWords: 1 })).toBeUndefined();
  });

  test("the engine's own stability counts as stable without waiting for agreement", () => {
    const prefix = new StablePrefix(settings);
    expect(
      prefix.observe({ at: 0, text: 'Hello there my friend', finishedWords: 0, engineStableWords: 3 }),
    ).toMatchObject({
      text: 'Hello there my',
    });
  });

  test('handed-out words are never handed out again, even when the recogniser revises them', () => {
    const prefix = new StablePrefix(settings);
    const out = feed(prefix, [
      'I think that',
      'I think that',
      'I think that',
      'I think that',
      'I thing that we',
      'I thing that we should',
      'I thing that we should go',
      'I thing that we should go',
      'I thing that we should go',
      'I thing that we should go',
    ]);
    // "think" stays as handed out; the final transcript is what corrects it.
    expect(out.map((i) => i.text)).toEqual(['I think that', 'we should']);
    expect(out.map((i) => i.increment)).toEqual([0, 1]);
    expect(prefix.stableWords).toBe(5);
  });
});
