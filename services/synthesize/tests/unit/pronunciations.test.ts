// How the local voices are given a glossary term's spoken form: cut into pieces, respelled (Pico, festival), or as an
// SSML language switch for espeak-ng; only markup of ours ever reaches a voice.
import { describe, expect, test } from 'vitest';
import { espeakText } from '#adapters/espeak';
import { languageAttribute, respelled, speechPieces } from '#adapters/pronunciations';
import type { Pronunciation } from '#core/ports';

const text = 'El informe de Nguyen es bueno.';
const nguyen: Pronunciation = { start: 14, end: 20, spoken: 'win', language: 'en' };

describe('speechPieces', () => {
  test('cuts the text at its terms', () => {
    expect(speechPieces(text, [nguyen])).toEqual([
      { text: 'El informe de ' },
      { text: 'Nguyen', say: { spoken: 'win', language: 'en' } },
      { text: ' es bueno.' },
    ]);
  });

  test('without pronunciations the text is one piece', () => {
    expect(speechPieces(text)).toEqual([{ text }]);
    expect(speechPieces('')).toEqual([{ text: '' }]);
  });

  test('leaves out pronunciations outside the text, overlapping or empty, and sorts the rest', () => {
    const pieces = speechPieces('a Nguyen b Nguyen', [
      { start: 11, end: 17, spoken: 'win', language: 'en' },
      { start: 2, end: 8, spoken: 'win', language: 'en' },
      { start: 4, end: 9, spoken: 'x', language: 'en' },
      { start: 15, end: 40, spoken: 'x', language: 'en' },
      { start: 0, end: 1, spoken: '  ', language: 'en' },
    ]);
    expect(pieces.map((p) => p.say?.spoken ?? p.text)).toEqual(['a ', 'win', ' b ', 'win']);
  });
});

test('respelled puts the spoken forms in place of the terms', () => {
  expect(respelled(text, [nguyen])).toBe('El informe de win es bueno.');
  expect(respelled(text)).toBe(text);
});

describe('espeakText', () => {
  test("switches to the spoken form's language around the respelling", () => {
    expect(espeakText(text, [nguyen], { ssml: true })).toBe('El informe de <voice xml:lang="en">win</voice> es bueno.');
    expect(espeakText(text, [{ ...nguyen, language: 'en-US' }], { ssml: true })).toContain(
      '<voice xml:lang="en-us">win</voice>',
    );
  });

  test("escapes the speaker's words and the spoken form alike: only the switch is markup", () => {
    const evil = 'a <break time="9s"/> [[h@l]] Nguyen & b';
    const start = evil.indexOf('Nguyen');
    const out = espeakText(evil, [{ start, end: start + 6, spoken: 'w<i>n [[x]]', language: 'en"><x' }], {
      ssml: true,
    });
    expect(out).toBe('a &lt;break time="9s"/&gt; ((h@l)) <voice xml:lang="enx">w&lt;i&gt;n ((x))</voice> &amp; b');
  });

  test('without pronunciations it is the safe text, as before', () => {
    expect(espeakText('a <b> [[c]]', [], { ssml: false })).toBe('a <b> ((c))');
    expect(espeakText('a <b>', [], { ssml: true })).toBe('a &lt;b&gt;');
  });
});

test('languageAttribute keeps letters, digits and hyphens', () => {
  expect(languageAttribute('pt-BR')).toBe('pt-BR');
  expect(languageAttribute('en" onload="x')).toBe('enonloadx');
});
