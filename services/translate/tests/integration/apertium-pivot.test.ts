// Integration tests of ApertiumTranslator's pivots through Catalan against the installed Debian Apertium pairs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApertiumTranslator } from '#adapters/apertium';

const PIVOTS = ['fr', 'it', 'pt', 'oc'] as const;
const ALL = ['es', 'ca', 'gl', 'eo', ...PIVOTS] as const;

/** Words each language's translation of "The house number N has a red door." contains, whatever the number. */
const HOUSE: Record<(typeof ALL)[number], RegExp> = {
  es: /\bcasa\b.*\bpuerta\b/i,
  ca: /\bcasa\b.*\bporta\b/i,
  gl: /\bcasa\b.*\bporta\b/i,
  eo: /\bdoma?\b.*\bpordon\b/i,
  fr: /\bmaison\b.*\bporte\b/i,
  it: /\bcasa\b.*\bporta\b/i,
  pt: /\bcasa\b.*\bporta\b/i,
  oc: /\bostal\b.*\bpòrta\b/i,
};

describe('ApertiumTranslator pivots through Catalan (real engine)', () => {
  const translator = new ApertiumTranslator();

  beforeAll(async () => {
    await translator.warm([...ALL]);
  });
  afterAll(async () => {
    await translator.close();
  });

  it('warms one pipeline per mode, the English→Catalan one shared by Catalan and every pivot', () => {
    expect(Object.keys(translator.pids()).sort()).toEqual(
      ['ca-oc', 'cat-fra', 'cat-ita', 'cat-por', 'en-eo', 'en-gl', 'eng-cat', 'eng-spa'].sort(),
    );
  });

  it('names a pivot after its modes', () => {
    expect(translator.name('fr')).toBe('apertium:eng-cat+cat-fra');
    expect(translator.name('oc')).toBe('apertium:eng-cat+ca-oc');
  });

  it.each([
    ['fr', 'The house is big.', ['maison', 'grande']],
    ['fr', 'Good morning everyone.', ['bonjour']],
    ['fr', 'The children read books at school.', ['enfants', 'livres']],
    ['it', 'The house is big.', ['casa', 'grande']],
    ['it', 'Good morning everyone.', ['buon giorno']],
    ['it', 'The children read books at school.', ['bambini', 'libri']],
    ['pt', 'The house is big.', ['casa', 'é grande']],
    ['pt', 'Good morning everyone.', ['bom dia']],
    ['pt', 'The children read books at school.', ['livros']],
    ['oc', 'The house is big.', ['ostal', 'grand']],
    ['oc', 'Good morning everyone.', ['bon jorn']],
    ['oc', 'The children read books at school.', ['mainats', 'libres']],
  ])('translates to %s: %s', async (lang, input, words) => {
    const out = (await translator.translate(input, 'en', lang)).toLowerCase();
    for (const word of words) expect(out).toContain(word);
    expect(out).not.toMatch(/[\0\n\\]/);
  });

  it('carries stream-format special characters through both hops', async () => {
    const out = await translator.translate('The cat [a] {b} ^c$ @d <e> /f\\ sleeps.', 'en', 'fr');
    for (const piece of ['{b}', '^c$', '@d', '<e>', '/f\\']) expect(out).toContain(piece);
    expect(out.toLowerCase()).toContain('chat');
    const next = await translator.translate('The house is big.', 'en', 'fr');
    expect(next.toLowerCase()).toContain('maison');
  });

  it('keeps unknown words through a pivot, without marks', async () => {
    const out = await translator.translate('Frobnicatex is here.', 'en', 'it');
    expect(out).toContain('Frobnicatex');
    expect(out).not.toMatch(/[*#@]/);
  });

  it('matches every sentence to its own translation with 20 sentences in flight for each of 8 languages', async () => {
    const numbers = Array.from({ length: 20 }, (_, i) => 101 + i * 13);
    const jobs = ALL.flatMap((lang) => numbers.map((n) => ({ lang, n })));
    // Interleave the languages so that direct and pivoted requests share the English→Catalan pipeline at once.
    jobs.sort((a, b) => a.n - b.n);
    const outs = await Promise.all(
      jobs.map(({ lang, n }) => translator.translate(`The house number ${n} has a red door.`, 'en', lang)),
    );
    outs.forEach((out, i) => {
      const { lang, n } = jobs[i] as (typeof jobs)[number];
      expect(out, `${lang} ${n}`).toMatch(new RegExp(`\\b${n}\\b`));
      expect(out, `${lang} ${n}`).toMatch(HOUSE[lang]);
    });
  });
});
