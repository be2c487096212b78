// The setup form's language lists: sorted names, targets preselected only when few, and the filter of a long
// list (AWS offers about 75 targets).
import { describe, expect, test } from 'vitest';
import { byName, defaultSource, filterLanguages, preselectedTargets, SHORT_LIST } from '../../src/lib/languages.ts';

function target(code: string, name: string, nativeName = name, spoken = true) {
  return { code, name, nativeName, available: true, spoken };
}

const local = [
  target('es', 'Spanish', 'Español'),
  target('ca', 'Catalan', 'Català'),
  target('gl', 'Galician', 'Galego'),
  target('eo', 'Esperanto'),
  target('fr', 'French', 'Français'),
  target('it', 'Italian', 'Italiano'),
  target('pt', 'Portuguese', 'Português'),
  target('oc', 'Occitan', 'Occitan', false),
];

const aws = [
  target('af', 'Afrikaans'),
  ...local,
  target('fr-CA', 'French (Canada)', 'Français (Canada)'),
  target('pt-PT', 'Portuguese (Portugal)', 'Português (Portugal)'),
  target('zh-TW', 'Chinese (Taiwan)', '中文（台灣）'),
  target('de', 'German', 'Deutsch'),
  target('ja', 'Japanese', '日本語'),
];

describe('the targets checked when the form opens', () => {
  test('all of a short list', () => {
    expect(local).toHaveLength(SHORT_LIST);
    expect(preselectedTargets(local)).toEqual(['es', 'ca', 'gl', 'eo', 'fr', 'it', 'pt', 'oc']);
  });

  test('none of a long one', () => {
    expect(preselectedTargets(aws)).toEqual([]);
  });
});

describe('filtering a long list', () => {
  const codes = (query: string) => filterLanguages(aws, query).map((l) => l.code);

  test('by the start of a word of the English name or own name, whatever the case and accents', () => {
    expect(codes('french')).toEqual(['fr', 'fr-CA']);
    expect(codes('canada')).toEqual(['fr-CA']);
    expect(codes('espa')).toEqual(['es']);
    expect(codes('FRANCAIS')).toEqual(['fr', 'fr-CA']);
    expect(codes('台灣')).toEqual(['zh-TW']);
  });

  test('by the start of the code', () => {
    expect(codes('pt')).toEqual(['pt', 'pt-PT']);
    expect(codes('fr-c')).toEqual(['fr-CA']);
  });

  test('not by letters inside a word', () => {
    expect(codes('fr')).toEqual(['fr', 'fr-CA']);
    expect(codes('kaans')).toEqual([]);
  });

  test('an empty query keeps every language; one matching none keeps none', () => {
    expect(codes('  ')).toHaveLength(aws.length);
    expect(codes('klingon')).toEqual([]);
  });
});

describe('the source list', () => {
  const sources = [target('es-US', 'Spanish (US)'), target('en-US', 'English (US)'), target('en-GB', 'English (UK)')];

  test('is sorted by name', () => {
    expect(byName(sources).map((l) => l.code)).toEqual(['en-GB', 'en-US', 'es-US']);
  });

  test("opens on the browser's language where the server has it, else on the server's first", () => {
    expect(defaultSource(sources, ['en-GB', 'en'])).toBe('en-GB');
    expect(defaultSource(sources, ['en-AU'])).toBe('en-US');
    expect(defaultSource(sources, ['es'])).toBe('es-US');
    expect(defaultSource(sources, ['ja'])).toBe('es-US');
    expect(defaultSource([], ['ja'])).toBe('');
  });
});
