// Which glossary terms of a translated sentence the voice says as their spoken form, and where they are.
import type { GlossaryEntry } from '@llt/events';
import { describe, expect, test } from 'vitest';
import { pronunciationsFor } from '#core/pronunciation';

const glossary: GlossaryEntry[] = [
  { term: 'Nguyen', spoken: 'win' },
  { term: 'Kubernetes', spoken: 'koo ber net eez', targets: { eo: 'Kuberneto', es: 'kubernetes' } },
  { term: 'New Bridge Fund', spoken: 'new bridge fund', targets: { es: 'Fondo Puente Nuevo' } },
  { term: 'Bridge', spoken: 'brij' },
  { term: 'Apertium' },
];

const said = (text: string, language = 'es') =>
  pronunciationsFor(text, glossary, language, 'en').map((p) => [text.slice(p.start, p.end), p.spoken, p.language]);

describe('pronunciationsFor', () => {
  test('finds each term kept as written, in any letter case, with its spoken form and the source language', () => {
    expect(said('La casa de Nguyen y de NGUYEN, no de Nguyenson.')).toEqual([
      ['Nguyen', 'win', 'en'],
      ['NGUYEN', 'win', 'en'],
    ]);
  });

  test('a term with a target form of its own in the language is read as written', () => {
    expect(said('Kuberneto kaj Nguyen', 'eo')).toEqual([['Nguyen', 'win', 'en']]);
    // A target form that is the term itself (in another case) is still the term.
    expect(said('Kubernetes y Nguyen', 'es')).toEqual([
      ['Kubernetes', 'koo ber net eez', 'en'],
      ['Nguyen', 'win', 'en'],
    ]);
    // The base language's form counts for a regional variant.
    expect(said('El Fondo Puente Nuevo y el New Bridge Fund', 'es-US')).toEqual([]);
  });

  test('the longest term wins where several start together; a shorter one still counts elsewhere', () => {
    expect(said('The New Bridge Fund and the Bridge', 'fr')).toEqual([
      ['New Bridge Fund', 'new bridge fund', 'en'],
      ['Bridge', 'brij', 'en'],
    ]);
  });

  test('a multi-word term matches across any run of spaces', () => {
    expect(said('le New  Bridge Fund', 'fr')).toEqual([['New  Bridge Fund', 'new bridge fund', 'en']]);
  });

  test('terms without a spoken form, and an empty glossary, give nothing', () => {
    expect(said('Apertium')).toEqual([]);
    expect(pronunciationsFor('Nguyen', [], 'es', 'en')).toEqual([]);
  });
});
