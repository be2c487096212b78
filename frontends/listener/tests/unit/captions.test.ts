import type { CaptionMessage } from '@llt/events';
import { describe, expect, it } from 'vitest';
import {
  type CaptionLike,
  displayKind,
  lastFinalIndex,
  mergeCaption,
  orderedSegments,
  type Segment,
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
});
