// The session glossary contract and its CSV form.
import { describe, expect, test } from 'vitest';
import {
  Glossary,
  type GlossaryCsvError,
  GlossaryEntry,
  glossaryToCsv,
  MAX_GLOSSARY_ENTRIES,
  parseGlossaryCsv,
} from '../../src/glossary.ts';

function errorsOf(csv: string): GlossaryCsvError[] {
  const result = parseGlossaryCsv(csv);
  if (!('errors' in result)) throw new Error(`expected errors, got ${JSON.stringify(result.glossary)}`);
  return result.errors;
}

function glossaryOf(csv: string): Glossary {
  const result = parseGlossaryCsv(csv);
  if (!('glossary' in result)) throw new Error(`expected a glossary, got ${JSON.stringify(result.errors)}`);
  return result.glossary;
}

/** The message for one line, which must be the only line with problems. */
function onlyError(csv: string): GlossaryCsvError {
  const errors = errorsOf(csv);
  expect(errors).toHaveLength(1);
  return errors[0]!;
}

describe('GlossaryEntry', () => {
  test('accepts a term alone, with a spoken form, and with target forms in any script', () => {
    expect(GlossaryEntry.parse({ term: 'Kubernetes' })).toEqual({ term: 'Kubernetes' });
    expect(GlossaryEntry.parse({ term: 'Nguyen', spoken: 'win' })).toEqual({ term: 'Nguyen', spoken: 'win' });
    const entry = {
      term: "O'Brien & Sons Ltd.",
      targets: { el: 'Ο’Μπράιεν', hi: 'ओ’ब्रायन', 'pt-BR': 'O’Brien e Filhos' },
    };
    expect(GlossaryEntry.parse(entry)).toEqual(entry);
    expect(GlossaryEntry.parse({ term: 'SVOX Pico 2', spoken: 'es vox pee-ko' }).term).toBe('SVOX Pico 2');
  });

  test.each([
    ['', 'term is empty'],
    ['a'.repeat(65), 'is 65 characters long (at most 64)'],
    ['C++', 'contains "+": only letters'],
    ['Nguyen\u0007', 'contains a control character (U+0007)'],
    ['Non\u00A0breaking', 'contains U+00A0'],
    [' Nguyen', 'starts or ends with a space'],
    ['one two three four five six seven', 'has 7 words (at most 6)'],
  ])('refuses the term %j, saying why', (term, why) => {
    const result = GlossaryEntry.safeParse({ term });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]?.path).toEqual(['term']);
    expect(result.error?.issues[0]?.message).toContain(why);
    expect(result.error?.issues[0]?.message).toMatch(/^term /);
  });

  test('counts characters, not UTF-16 units: 64 astral letters are a term', () => {
    expect(GlossaryEntry.safeParse({ term: '𠀀'.repeat(64) }).success).toBe(true);
    expect(GlossaryEntry.safeParse({ term: '𠀀'.repeat(65) }).success).toBe(false);
  });

  test('refuses a spoken form with digits or punctuation, or over 128 characters', () => {
    expect(GlossaryEntry.safeParse({ term: 'R2', spoken: 'ar too' }).success).toBe(true);
    const digits = GlossaryEntry.safeParse({ term: 'R2', spoken: 'ar 2' });
    expect(digits.error?.issues[0]?.message).toMatch(/^spoken form "ar 2" contains "2": only letters, spaces/);
    const longest = `${'la '.repeat(42)}la`;
    expect(longest).toHaveLength(128);
    expect(GlossaryEntry.safeParse({ term: 'Long', spoken: longest }).success).toBe(true);
    const tooLong = GlossaryEntry.safeParse({ term: 'Long', spoken: 'a'.repeat(129) });
    expect(tooLong.error?.issues[0]?.message).toContain('is 129 characters long (at most 128)');
  });

  test('refuses a target form breaking the term rules, naming its language; a long name may take more words', () => {
    const result = GlossaryEntry.safeParse({ term: 'UN', targets: { es: 'ONU', fr: 'ONU;' } });
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]?.path).toEqual(['targets', 'fr']);
    expect(result.error?.issues[0]?.message).toMatch(/^target form "ONU;" contains ";"/);
    const words = { term: 'A B C D E F', targets: { fr: 'un deux trois quatre cinq six sept' } };
    expect(GlossaryEntry.safeParse(words).success).toBe(true);
    expect(GlossaryEntry.safeParse({ term: 'UN', targets: { es: '' } }).success).toBe(false);
  });

  test('refuses a target keyed by something that is not a language code', () => {
    expect(GlossaryEntry.safeParse({ term: 'UN', targets: { Spanish: 'ONU' } }).success).toBe(false);
  });
});

describe('Glossary', () => {
  test('refuses the same term twice whatever its case and spacing, naming it', () => {
    const result = Glossary.safeParse([{ term: 'SVOX Pico' }, { term: 'Nguyen' }, { term: 'svox  PICO' }]);
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]?.path).toEqual([2, 'term']);
    expect(result.error?.issues[0]?.message).toBe('term "svox  PICO" is given twice (entry 1 is "SVOX Pico")');
  });

  test(`holds at most ${MAX_GLOSSARY_ENTRIES} entries`, () => {
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ term: `Term ${i}` }));
    expect(Glossary.safeParse(entries(MAX_GLOSSARY_ENTRIES)).success).toBe(true);
    const result = Glossary.safeParse(entries(MAX_GLOSSARY_ENTRIES + 1));
    expect(result.error?.issues[0]?.message).toBe('a glossary has at most 200 entries; this one has 201');
  });
});

describe('parseGlossaryCsv', () => {
  test('reads a spreadsheet export: BOM, CRLF, quoted cells, blank lines, empty cells, spaces around cells', () => {
    const csv = [
      '\uFEFFterm,spoken,es,pt-BR',
      'Nguyen,win,,',
      '',
      '"Smith & Jones Co.",,"Smith y Jones Cía.",',
      'Kubernetes, koo ber net eez ,Kubernetes',
      '"O\'Brien",oh bry en,,O’Brien',
      ',,,',
      'SVOX Pico',
      '',
    ].join('\r\n');
    expect(glossaryOf(csv)).toEqual([
      { term: 'Nguyen', spoken: 'win' },
      { term: 'Smith & Jones Co.', targets: { es: 'Smith y Jones Cía.' } },
      { term: 'Kubernetes', spoken: 'koo ber net eez', targets: { es: 'Kubernetes' } },
      { term: "O'Brien", spoken: 'oh bry en', targets: { 'pt-BR': 'O’Brien' } },
      { term: 'SVOX Pico' },
    ]);
  });

  test('reads LF files and a header alone as an empty glossary; header names in any case', () => {
    expect(glossaryOf('Term,Spoken,es\nNguyen,win,Nguyen\n')).toEqual([
      { term: 'Nguyen', spoken: 'win', targets: { es: 'Nguyen' } },
    ]);
    expect(glossaryOf('term,spoken')).toEqual([]);
  });

  test('a quoted comma or doubled quote stays in its cell, where the term rules then refuse it', () => {
    expect(onlyError('term,spoken,es\n"Smith, Jones",,\n')).toEqual({
      line: 2,
      message: expect.stringMatching(/^term "Smith, Jones" contains ",": only letters/),
    });
    expect(onlyError('term,spoken\n"The ""Pico"" voice",\n').message).toMatch(
      /^term "The \\"Pico\\" voice" contains "\\""/,
    );
  });

  test("reports every row's problems with its line, naming the field and the limit", () => {
    const csv = [
      'term,spoken,es,fr',
      'Nguyen,win,,',
      'C++,see plus plus,,',
      `${'x'.repeat(65)},,,`,
      'one two three four five six seven,,,',
      'R2D2,ar 2 dee 2,,',
      `Ok,,${'y'.repeat(65)},bad/form`,
      ',lonely spoken form,,',
      'Nguyen,again,,',
      'a,b,c,d,e',
    ].join('\n');
    expect(errorsOf(csv)).toEqual([
      { line: 3, message: 'term "C++" contains "+": only letters, digits, spaces and - \' . & are allowed' },
      { line: 4, message: `term "${'x'.repeat(65)}" is 65 characters long (at most 64)` },
      { line: 5, message: 'term "one two three four five six seven" has 7 words (at most 6)' },
      { line: 6, message: 'spoken form "ar 2 dee 2" contains "2": only letters, spaces, - and \' are allowed' },
      { line: 7, message: `column es: target form "${'y'.repeat(65)}" is 65 characters long (at most 64)` },
      {
        line: 7,
        message:
          'column fr: target form "bad/form" contains "/": only letters, digits, spaces and - \' . & are allowed',
      },
      { line: 8, message: 'term is missing (the first cell of a row)' },
      { line: 9, message: 'term "Nguyen" is given twice (line 2 has "Nguyen")' },
      { line: 10, message: 'has 5 cells but the header has 4 columns' },
    ]);
  });

  test('names a duplicate however it is written, and the line of its first appearance', () => {
    const csv = 'term,spoken\r\nSVOX Pico,\r\nNguyen,win\r\n"svox   pico",\r\n';
    expect(onlyError(csv)).toEqual({ line: 4, message: 'term "svox   pico" is given twice (line 2 has "SVOX Pico")' });
  });

  test('a quoted cell spanning lines counts its lines; its line break is refused as a control character', () => {
    const errors = errorsOf('term,spoken\n"Two\nlines",\nC++,\n');
    expect(errors).toEqual([
      { line: 2, message: 'term "Two\\nlines" contains a control character (U+000A)' },
      { line: 4, message: expect.stringContaining('term "C++" contains "+"') },
    ]);
  });

  describe('header', () => {
    test('is required', () => {
      expect(onlyError('Nguyen,win\n')).toEqual({
        line: 1,
        message: expect.stringContaining(
          'the first line must be the header "term,spoken" followed by one column per language code',
        ),
      });
      expect(onlyError('\n\n').message).toMatch(/^the file is empty/);
      expect(onlyError('').message).toMatch(/^the file is empty/);
      expect(onlyError('term,es\nNguyen,Nguyen\n').message).toContain('not "term,es"');
    });

    test('names an unknown or repeated language column, and still checks the rows', () => {
      expect(errorsOf('term,spoken,es,Spanish,,es\nC++,,,,,\n')).toEqual([
        {
          line: 1,
          message:
            'header column 4 "Spanish" is not a language code: columns after "spoken" are language codes like "es" or "pt-BR"',
        },
        {
          line: 1,
          message: 'header column 5 has no name: columns after "spoken" are language codes like "es" or "pt-BR"',
        },
        { line: 1, message: 'header column 6: language "es" is given twice' },
        { line: 2, message: expect.stringContaining('term "C++" contains "+"') },
      ]);
    });
  });

  test('reports malformed quoting on its line', () => {
    expect(errorsOf('term,spoken\n"Nguyen"x,win\nOk,\n')).toEqual([
      { line: 2, message: 'text follows a closing quote: a quote inside a quoted cell is written ""' },
    ]);
    expect(errorsOf('term,spoken\nOk,\n"Nguyen,win\nMore,\n')).toEqual([
      { line: 3, message: 'a quoted cell is never closed (a " is missing)' },
    ]);
  });

  test(`refuses more than ${MAX_GLOSSARY_ENTRIES} entries on the line of the first one too many`, () => {
    const rows = Array.from({ length: MAX_GLOSSARY_ENTRIES + 5 }, (_, i) => `Term ${i},`);
    expect(glossaryOf(['term,spoken', ...rows.slice(0, MAX_GLOSSARY_ENTRIES)].join('\n'))).toHaveLength(200);
    expect(onlyError(['term,spoken', '', ...rows].join('\n'))).toEqual({
      line: MAX_GLOSSARY_ENTRIES + 3,
      message: 'a glossary has at most 200 entries; this file has 205',
    });
  });
});

describe('glossaryToCsv', () => {
  test('round-trips through parseGlossaryCsv', () => {
    const glossary: Glossary = [
      { term: 'Nguyen', spoken: 'win' },
      { term: "O'Brien & Sons Ltd.", spoken: 'oh bry-en and sunz', targets: { 'pt-BR': 'O’Brien e Filhos' } },
      { term: 'Kubernetes', spoken: 'koo ber net eez', targets: { es: 'Kubernetes', el: 'Κουμπερνήτης' } },
      { term: 'SVOX Pico' },
      { term: 'Nations Unies', targets: { hi: 'संयुक्त राष्ट्र', es: 'Naciones Unidas' } },
    ];
    const csv = glossaryToCsv(glossary);
    expect(csv.split('\r\n')[0]).toBe('term,spoken,pt-BR,es,el,hi');
    expect(glossaryOf(csv)).toEqual(glossary);
    expect(glossaryOf(`\uFEFF${csv.replaceAll('\r\n', '\n')}`)).toEqual(glossary);
    expect(glossaryToCsv([])).toBe('term,spoken\r\n');
    expect(glossaryOf(glossaryToCsv([]))).toEqual([]);
  });
});
