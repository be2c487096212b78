// Captions merged into sentences, and the latency figures the speaker's page shows.
import type { CaptionMessage } from '@llt/events';
import { describe, expect, test } from 'vitest';
import { applyCaption, lastFinalIndex, latencySummary, median, type Sentence } from '../../src/lib/transcript.ts';

const options = { languages: ['es', 'ca', 'eo'] };

function caption(index: number, fields: Partial<CaptionMessage> = {}): CaptionMessage {
  return {
    type: 'caption',
    sessionId: 'sess_0123456789',
    segmentId: `seg-${String(index).padStart(6, '0')}`,
    segmentIndex: index,
    language: 'en',
    kind: 'source',
    final: false,
    text: '',
    captureEnd: 10_000 + index * 5_000,
    ...fields,
  };
}

describe('applyCaption', () => {
  test('partial text is replaced by later partials, then by the final', () => {
    const sentences: Sentence[] = [];
    applyCaption(sentences, caption(0, { text: 'the' }), 10_100, options);
    applyCaption(sentences, caption(0, { text: 'the meeting' }), 10_200, options);
    expect(sentences).toMatchObject([{ text: 'the meeting', final: false }]);
    applyCaption(sentences, caption(0, { text: 'the meeting will start', final: true }), 10_400, options);
    expect(sentences).toMatchObject([{ text: 'the meeting will start', final: true, latencyMs: 400 }]);
  });

  test('a partial arriving after the final does not undo it, and a repeated final keeps the first arrival', () => {
    const sentences: Sentence[] = [];
    applyCaption(sentences, caption(0, { text: 'hello world', final: true }), 10_300, options);
    applyCaption(sentences, caption(0, { text: 'hello' }), 10_350, options);
    applyCaption(sentences, caption(0, { text: 'hello world', final: true }), 12_000, options);
    expect(sentences).toMatchObject([{ text: 'hello world', final: true, latencyMs: 300 }]);
  });

  test('translations attach to their sentence in the session language order, once each', () => {
    const sentences: Sentence[] = [];
    applyCaption(sentences, caption(0, { text: 'good morning', final: true }), 10_300, options);
    applyCaption(
      sentences,
      caption(0, { kind: 'translation', final: true, language: 'eo', text: 'bonan matenon' }),
      10_500,
      options,
    );
    applyCaption(
      sentences,
      caption(0, { kind: 'translation', final: true, language: 'es', text: 'buenos días' }),
      10_450,
      options,
    );
    applyCaption(
      sentences,
      caption(0, { kind: 'translation', final: true, language: 'es', text: 'again' }),
      10_900,
      options,
    );
    expect(sentences[0]!.translations).toEqual([
      { language: 'es', text: 'buenos días', latencyMs: 450 },
      { language: 'eo', text: 'bonan matenon', latencyMs: 500 },
    ]);
  });

  test('a translation that overtakes its source caption waits in the sentence for it', () => {
    const sentences: Sentence[] = [];
    applyCaption(
      sentences,
      caption(0, { kind: 'translation', final: true, language: 'es', text: 'hola' }),
      10_400,
      options,
    );
    applyCaption(sentences, caption(0, { text: 'hello', final: true }), 10_450, options);
    expect(sentences).toHaveLength(1);
    expect(sentences[0]).toMatchObject({
      text: 'hello',
      final: true,
      translations: [{ language: 'es', text: 'hola' }],
    });
  });

  test('sentences stay in segment order whatever order they arrive in', () => {
    const sentences: Sentence[] = [];
    for (const index of [0, 2, 1, 3])
      applyCaption(sentences, caption(index, { text: `s${index}` }), undefined, options);
    expect(sentences.map((s) => s.segmentIndex)).toEqual([0, 1, 2, 3]);
  });

  test('captions from history count for the text but not for latency', () => {
    const sentences: Sentence[] = [];
    applyCaption(sentences, caption(0, { text: 'earlier', final: true }), undefined, options);
    expect(sentences[0]).toMatchObject({ text: 'earlier', final: true });
    expect(sentences[0]!.latencyMs).toBeUndefined();
  });

  test('keeps only the most recent sentences', () => {
    const sentences: Sentence[] = [];
    for (let i = 0; i < 12; i++)
      applyCaption(sentences, caption(i, { text: 'x', final: true }), 0, { ...options, maxSentences: 10 });
    expect(sentences.map((s) => s.segmentIndex)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
});

describe('lastFinalIndex', () => {
  test('finds the newest final per language', () => {
    const sentences: Sentence[] = [];
    applyCaption(sentences, caption(0, { text: 'a', final: true }), 1, options);
    applyCaption(sentences, caption(0, { kind: 'translation', final: true, language: 'es', text: 'a' }), 1, options);
    applyCaption(sentences, caption(1, { text: 'b', final: true }), 1, options);
    applyCaption(sentences, caption(2, { text: 'c…' }), 1, options);
    expect(lastFinalIndex(sentences, 'source')).toBe(1);
    expect(lastFinalIndex(sentences, 'es')).toBe(0);
    expect(lastFinalIndex(sentences, 'ca')).toBeUndefined();
  });
});

describe('latencySummary', () => {
  test('covers the last five measured sentences with medians per column and over all translations', () => {
    const sentences: Sentence[] = [];
    const latencies = [900, 100, 200, 300, 400, 500];
    latencies.forEach((ms, i) => {
      const end = 10_000 + i * 5_000;
      applyCaption(sentences, caption(i, { text: `s${i}`, final: true }), end + ms, options);
      applyCaption(
        sentences,
        caption(i, { kind: 'translation', final: true, language: 'es', text: 't' }),
        end + ms + 20,
        options,
      );
      if (i % 2 === 0) {
        applyCaption(
          sentences,
          caption(i, { kind: 'translation', final: true, language: 'ca', text: 't' }),
          end + ms + 60,
          options,
        );
      }
    });
    applyCaption(sentences, caption(6, { text: 'still talking' }), 50_000, options);
    const summary = latencySummary(sentences, options.languages);
    expect(summary.rows.map((r) => r.segmentIndex)).toEqual([1, 2, 3, 4, 5]);
    expect(summary.captionMedianMs).toBe(300);
    expect(summary.perLanguageMedianMs).toEqual({ es: 320, ca: 360, eo: undefined });
    // es: 120 220 320 420 520, ca: 260 460 → median of the seven
    expect(summary.translationMedianMs).toBe(320);
  });

  test('has nothing to say before the first sentence', () => {
    expect(latencySummary([], ['es'])).toEqual({
      rows: [],
      captionMedianMs: undefined,
      translationMedianMs: undefined,
      perLanguageMedianMs: { es: undefined },
    });
  });

  test('median of an even count is the mean of the middle two', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});
