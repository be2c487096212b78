import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import CaptionList from '../../src/components/CaptionList.svelte';
import type { Segment } from '../../src/lib/captions.ts';

const T0 = 1_700_000_000_000;

function segment(index: number, source?: [string, boolean], translation?: [string, boolean, number?]): Segment {
  return {
    segmentId: `seg-${index}`,
    segmentIndex: index,
    source: source && { text: source[0], final: source[1], captureEnd: T0 },
    translation: translation && {
      text: translation[0],
      final: translation[1],
      captureEnd: T0,
      sourceWords: translation[2],
    },
  };
}

function html(segments: Segment[], finishedOnly = false, showUntranslated?: boolean): string {
  return render(CaptionList, {
    props: {
      segments,
      language: 'es',
      sourceLanguage: 'en',
      showOriginal: false,
      finishedOnly,
      ...(showUntranslated === undefined ? {} : { showUntranslated }),
    },
  }).body;
}

/** The opening tag of the paragraph with this test id (attributes in any order). */
function tag(body: string, testId: string): string | undefined {
  return body.match(new RegExp(`<p[^>]*data-testid="${testId}"[^>]*>`))?.[0];
}

const sentences = [
  segment(0, ['the meeting will start', true], ['La reunión empezará', true]),
  segment(1, ['we will talk about', false], ['Hablaremos de', false]),
  segment(2, ['and then', false]),
];

/** A sentence in progress whose provisional translation covers its first three words of five. */
const inProgress = [segment(0, ['we will talk about money', false], ['Hablaremos de', false, 3])];

describe('CaptionList', () => {
  it('shows a provisional translation in the listener language, hidden from screen readers', () => {
    const body = html(sentences);
    const provisional = tag(body, 'provisional-translation');
    expect(provisional).toContain('lang="es"');
    expect(provisional).toContain('aria-hidden="true"');
    expect(body).toContain('Hablaremos de');
    expect(body).not.toContain('we will talk about');
    expect(tag(body, 'provisional')).toContain('aria-hidden="true"');
    expect(tag(body, 'caption')).not.toContain('aria-hidden');
  });

  it('hides all provisional text, source and translated, when the listener wants finished sentences only', () => {
    const body = html(sentences, true);
    expect(body).toContain('La reunión empezará');
    expect(body).not.toContain('Hablaremos de');
    expect(body).not.toContain('and then');
    expect(body.match(/<li/g)).toHaveLength(1);
  });

  it('shows the words not translated yet after the provisional translation, in the source language, hidden from screen readers', () => {
    const body = html(inProgress);
    const provisional = body.match(/<p[^>]*data-testid="provisional-translation"[^>]*>([\s\S]*?)<\/p>/);
    expect(provisional?.[0]).toContain('aria-hidden="true"');
    expect(provisional?.[1]).toMatch(/^\s*Hablaremos de\s*(?:<!--[^>]*-->)?<span[^>]*>about money<\/span>/);
    const tail = body.match(/<span[^>]*data-testid="untranslated-tail"[^>]*>/)?.[0];
    expect(tail).toContain('lang="en"');
    expect(tail).toContain('class="tail');
  });

  it('hides the untranslated words when the listener turned them off, keeping the provisional translation', () => {
    const body = html(inProgress, false, false);
    expect(body).toContain('Hablaremos de');
    expect(body).not.toContain('about money');
    expect(body).not.toContain('untranslated-tail');
  });

  it('shows neither provisional translation nor untranslated words with finished sentences only', () => {
    const body = html(inProgress, true, true);
    expect(body).not.toContain('Hablaremos de');
    expect(body).not.toContain('about money');
  });
});
