// Local agreement over the hypotheses of an utterance in progress: which words are handed out, when, and once.
import { describe, expect, test } from 'vitest';
import { StablePrefix } from '#core/stability';

const settings = { agreementMs: 300, minIncrementWords: 2, clauseWords: 0 };

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

describe('clauses spoken ahead of the sentence', () => {
  test('the increment that reaches the clause length ends a clause with every increment since the last one', () => {
    const prefix = new StablePrefix({ ...settings, clauseWords: 4 });
    const said = ['Good morning', 'everyone and', 'welcome to', 'the meeting'];
    const out = said.map((_, i) =>
      prefix.observe({
        at: i * 100,
        text: said.slice(0, i + 1).join(' '),
        finishedWords: 0,
        engineStableWords: words(said.slice(0, i + 1)),
      }),
    );
    expect(out.map((i) => i?.clause)).toEqual([
      undefined,
      { index: 0, increments: ['Good morning', 'everyone and'] },
      undefined,
      { index: 1, increments: ['welcome to', 'the meeting'] },
    ]);
    expect(prefix.spoken).toEqual({ clauses: 2, increments: 4, ends: [2, 4] });
  });

  test('a pause ends a clause of two words or more; none are spoken ahead when clauseWords is 0', () => {
    const ahead = new StablePrefix({ ...settings, clauseWords: 8 });
    expect(ahead.observe({ at: 0, text: 'Yes', finishedWords: 1 })?.clause).toBeUndefined();
    expect(ahead.observe({ at: 100, text: 'Yes we can', finishedWords: 3 })?.clause).toEqual({
      index: 0,
      increments: ['Yes', 'we can'],
    });
    const never = new StablePrefix(settings);
    expect(never.observe({ at: 0, text: 'Yes we can', finishedWords: 3 })?.clause).toBeUndefined();
    expect(never.spoken).toBeUndefined();
  });
});

function words(parts: string[]): number {
  return parts.join(' ').split(' ').length;
}
