import type { CaptionMessage } from '@llt/events';
import { describe, expect, it } from 'vitest';
import {
  type CaptionLike,
  displayKind,
  isProvisional,
  lastFinalIndex,
  mergeCaption,
  orderedSegments,
  type Segment,
  untranslatedTail,
} from '../../src/lib/captions.ts';

const T0 = 1_700_000_000_000;

function caption(overrides: Partial<CaptionMessage> & Pick<CaptionMessage, 'segmentIndex'>): CaptionLike {
  return {
    segmentId: `seg-${String(overrides.segmentIndex).padStart(6, '0')}`,
    language: 'en',
    kind: 'source',
    final: false,
    text: '',
    captureEnd: T0,
    ...overrides,
  };
}

describe('captions', () => {
  it('shows the source partial until the translation arrives, then the translation with the original', () => {
    const segments = new Map<string, Segment>();
    mergeCaption(segments, caption({ segmentIndex: 0, text: 'the meeting' }), 'es');
    expect(orderedSegments(segments.values())[0]).toMatchObject({ source: { text: 'the meeting', final: false } });
    mergeCaption(segments, caption({ segmentIndex: 0, text: 'the meeting will start', final: true }), 'es');
    mergeCaption(
      segments,
      caption({ segmentIndex: 0, kind: 'translation', language: 'es', text: 'La reunión empezará', final: true }),
      'es',
    );
    const [segment] = orderedSegments(segments.values());
    expect(segment?.translation?.text).toBe('La reunión empezará');
    expect(segment?.source?.text).toBe('the meeting will start');
  });

  it('never lets a late partial replace a final text', () => {
    const segments = new Map<string, Segment>();
    mergeCaption(segments, caption({ segmentIndex: 0, text: 'final words', final: true }), 'es');
    expect(mergeCaption(segments, caption({ segmentIndex: 0, text: 'final' }), 'es')).toBe(false);
    expect(segments.get('seg-000000')?.source?.text).toBe('final words');
  });

  it('merges history and live captions without duplicates, keyed by segment id', () => {
    const segments = new Map<string, Segment>();
    const history = [0, 1, 2].map((i) =>
      caption({ segmentIndex: i, kind: 'translation', language: 'es', final: true, text: `frase ${i}` }),
    );
    for (const c of history) mergeCaption(segments, c, 'es');
    for (const c of history.slice(1)) expect(mergeCaption(segments, c, 'es')).toBe(false);
    mergeCaption(
      segments,
      caption({ segmentIndex: 3, kind: 'translation', language: 'es', final: true, text: 'x' }),
      'es',
    );
    expect(orderedSegments(segments.values()).map((s) => s.segmentIndex)).toEqual([0, 1, 2, 3]);
    expect(lastFinalIndex(segments.values())).toBe(3);
  });

  it('ignores translations into other languages', () => {
    const segments = new Map<string, Segment>();
    const catalan = caption({ segmentIndex: 0, kind: 'translation', language: 'ca', final: true, text: 'La reunió' });
    expect(mergeCaption(segments, catalan, 'es')).toBe(false);
    expect(segments.size).toBe(0);
  });

  it('replaces a provisional translation with newer provisional text, then with the final one', () => {
    const segments = new Map<string, Segment>();
    const translation = (text: string, final: boolean) =>
      caption({ segmentIndex: 0, kind: 'translation', language: 'es', text, final });
    expect(mergeCaption(segments, translation('La reunión', false), 'es')).toBe(true);
    expect(mergeCaption(segments, translation('La reunión', false), 'es')).toBe(false);
    expect(mergeCaption(segments, translation('La reunión empezará', false), 'es')).toBe(true);
    expect(segments.get('seg-000000')?.translation).toMatchObject({ text: 'La reunión empezará', final: false });
    expect(mergeCaption(segments, translation('La reunión empezará pronto', true), 'es')).toBe(true);
    expect(segments.get('seg-000000')?.translation).toMatchObject({ text: 'La reunión empezará pronto', final: true });
  });

  it('never lets a late provisional translation replace the final one', () => {
    const segments = new Map<string, Segment>();
    const translation = (text: string, final: boolean) =>
      caption({ segmentIndex: 0, kind: 'translation', language: 'es', text, final });
    mergeCaption(segments, translation('La reunión empezará pronto', true), 'es');
    expect(mergeCaption(segments, translation('La reunión empezará', false), 'es')).toBe(false);
    expect(segments.get('seg-000000')?.translation).toMatchObject({ text: 'La reunión empezará pronto', final: true });
  });

  it('keeps the source text and the provisional translation of a segment side by side', () => {
    const segments = new Map<string, Segment>();
    mergeCaption(segments, caption({ segmentIndex: 0, text: 'the meeting will' }), 'es');
    mergeCaption(segments, caption({ segmentIndex: 0, kind: 'translation', language: 'es', text: 'La reunión' }), 'es');
    mergeCaption(segments, caption({ segmentIndex: 0, text: 'the meeting will start' }), 'es');
    expect(segments.get('seg-000000')).toMatchObject({
      source: { text: 'the meeting will start', final: false },
      translation: { text: 'La reunión', final: false },
    });
    expect(lastFinalIndex(segments.values())).toBeUndefined();
  });

  it('ignores provisional translations into other languages', () => {
    const segments = new Map<string, Segment>();
    const catalan = caption({ segmentIndex: 0, kind: 'translation', language: 'ca', text: 'La reunió' });
    expect(mergeCaption(segments, catalan, 'es')).toBe(false);
    expect(segments.size).toBe(0);
  });

  it('orders segments by index and leaves out empty ones', () => {
    const segments = new Map<string, Segment>();
    mergeCaption(segments, caption({ segmentIndex: 2, text: 'two' }), 'es');
    mergeCaption(segments, caption({ segmentIndex: 1, text: '' }), 'es');
    mergeCaption(segments, caption({ segmentIndex: 0, text: 'zero', final: true }), 'es');
    expect(orderedSegments(segments.values()).map((s) => s.segmentIndex)).toEqual([0, 2]);
    expect(lastFinalIndex(segments.values())).toBeUndefined();
  });
});

describe('displayKind', () => {
  const source = (segmentIndex: number, final: boolean): Segment => ({
    segmentId: `seg-${segmentIndex}`,
    segmentIndex,
    source: { text: 'words', final, captureEnd: T0 },
  });

  it('shows a translated sentence as a caption', () => {
    const segment: Segment = { ...source(1, true), translation: { text: 'palabras', final: true, captureEnd: T0 } };
    expect(displayKind(segment, 1)).toBe('caption');
  });

  it('keeps the newest untranslated sentences provisional while their translation may come', () => {
    expect(displayKind(source(5, false), 4)).toBe('provisional');
    expect(displayKind(source(5, true), 4)).toBe('provisional');
    expect(displayKind(source(5, true), undefined)).toBe('provisional');
  });

  it('marks a finished sentence untranslated once later sentences were translated', () => {
    expect(displayKind(source(3, true), 4)).toBe('untranslated');
  });

  const translated = (segment: Segment, text: string, final: boolean): Segment => ({
    ...segment,
    translation: { text, final, captureEnd: T0 },
  });

  it('prefers the final translation over a provisional one', () => {
    expect(displayKind(translated(source(1, true), 'palabras', true), undefined)).toBe('caption');
  });

  it('shows a provisional translation over the provisional source text', () => {
    expect(displayKind(translated(source(5, false), 'pala', false), 4)).toBe('provisional-translation');
    expect(displayKind(translated(source(5, true), 'pala', false), undefined)).toBe('provisional-translation');
  });

  it('shows the source text while the provisional translation is still empty', () => {
    expect(displayKind(translated(source(5, false), ' ', false), 4)).toBe('provisional');
  });

  it('marks a finished sentence untranslated when only its provisional translation came and later ones were translated', () => {
    expect(displayKind(translated(source(3, true), 'pala', false), 4)).toBe('untranslated');
  });

  it('counts provisional source and provisional translation as text that may still change', () => {
    expect(isProvisional('provisional')).toBe(true);
    expect(isProvisional('provisional-translation')).toBe(true);
    expect(isProvisional('caption')).toBe(false);
    expect(isProvisional('untranslated')).toBe(false);
  });
});

describe('untranslated tail', () => {
  const spanish = (text: string, sourceWords?: number, final = false) =>
    caption({ segmentIndex: 0, kind: 'translation', language: 'es', text, final, sourceWords });
  const english = (text: string, final = false) => caption({ segmentIndex: 0, text, final });
  const tail = (segments: Map<string, Segment>) => untranslatedTail(segments.get('seg-000000') as Segment);

  it('is the source words after those the provisional translation covers, from the latest source text', () => {
    const segments = new Map<string, Segment>();
    mergeCaption(segments, english('when the meeting starts tomorrow'), 'es');
    mergeCaption(segments, spanish('Cuando la reunión', 3), 'es');
    expect(segments.get('seg-000000')?.translation).toMatchObject({ text: 'Cuando la reunión', sourceWords: 3 });
    expect(tail(segments)).toBe('starts tomorrow');
    mergeCaption(segments, english('when the meeting starts tomorrow morning we will'), 'es');
    expect(tail(segments)).toBe('starts tomorrow morning we will');
    mergeCaption(segments, spanish('Cuando la reunión empiece mañana por la mañana', 6), 'es');
    expect(tail(segments)).toBe('we will');
  });

  it('keeps growing after the source text is final, until the final translation replaces the provisional one', () => {
    const segments = new Map<string, Segment>();
    mergeCaption(segments, spanish('Cuando la reunión', 3), 'es');
    mergeCaption(segments, english('when the meeting starts', true), 'es');
    expect(tail(segments)).toBe('starts');
    mergeCaption(segments, spanish('Cuando la reunión empiece', undefined, true), 'es');
    expect(segments.get('seg-000000')?.translation).toEqual({
      text: 'Cuando la reunión empiece',
      final: true,
      captureEnd: T0,
      captureStart: undefined,
    });
    expect(tail(segments)).toBe('');
  });

  it('is empty when the translation covers every source word so far, or says nothing of what it covers', () => {
    const segments = new Map<string, Segment>();
    mergeCaption(segments, english('when the'), 'es');
    mergeCaption(segments, spanish('Cuando la reunión', 3), 'es');
    expect(tail(segments)).toBe('');
    const older = new Map<string, Segment>();
    mergeCaption(older, english('when the meeting starts'), 'es');
    mergeCaption(older, spanish('Cuando la reunión'), 'es');
    expect(tail(older)).toBe('');
    expect(
      untranslatedTail({
        segmentId: 's',
        segmentIndex: 0,
        translation: { text: 'x', final: false, sourceWords: 1, captureEnd: T0 },
      }),
    ).toBe('');
  });

  it('ignores a provisional translation covering fewer words than the shown one (an older one arriving late)', () => {
    const segments = new Map<string, Segment>();
    mergeCaption(segments, english('when the meeting starts tomorrow'), 'es');
    expect(mergeCaption(segments, spanish('Cuando la reunión empiece', 4), 'es')).toBe(true);
    expect(mergeCaption(segments, spanish('Cuando la reunión', 3), 'es')).toBe(false);
    expect(mergeCaption(segments, spanish('Cuando la reunión empiece', 4), 'es')).toBe(false);
    expect(mergeCaption(segments, spanish('Cuando la reunión comience', 4), 'es')).toBe(true);
    expect(segments.get('seg-000000')?.translation).toMatchObject({
      text: 'Cuando la reunión comience',
      sourceWords: 4,
    });
    expect(tail(segments)).toBe('tomorrow');
  });
});
