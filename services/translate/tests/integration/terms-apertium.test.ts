// Glossary terms protected around the real ApertiumTranslator, in every local pair and pivot through Catalan.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApertiumTranslator } from '#adapters/apertium';
import { installedApertiumRoutes } from '#adapters/apertium-routes';
import { type GlossaryTerm, protectTerms, targetForm } from '#core/terms';

const LANGS = ['es', 'ca', 'gl', 'eo', 'fr', 'it', 'pt', 'oc'] as const;
type Lang = (typeof LANGS)[number];
const installed = new Set<string>(installedApertiumRoutes().map((r) => r.target));
const missing = LANGS.filter((lang) => !installed.has(lang));

const glossary: GlossaryTerm[] = [
  { term: 'Nguyen' },
  { term: 'Kubernetes' },
  { term: 'Bridge' },
  {
    term: 'New Bridge Fund',
    targets: { es: 'Fondo Nuevo Puente', fr: 'Fonds Nouveau Pont', it: 'Fondo Nuovo Ponte' },
  },
];

/** Words the translation of the rest of each sentence must contain, per language. */
const SENTENCES: { text: string; terms: string[]; words: Record<Lang, RegExp> }[] = [
  {
    text: 'The house of Nguyen has a red door.',
    terms: ['Nguyen'],
    words: {
      es: /\bcasa\b.*\bpuerta\b/i,
      ca: /\bcasa\b.*\bporta\b/i,
      gl: /\bcasa\b.*\bporta\b/i,
      eo: /\bdomo\b.*\bpordon\b/i,
      fr: /\bmaison\b.*\bporte\b/i,
      it: /\bcasa\b.*\bporta\b/i,
      pt: /\bcasa\b.*\bporta\b/i,
      oc: /\bostal\b.*\bpòrta\b/i,
    },
  },
  {
    text: 'nguyen and the new bridge fund bought the old house of Kubernetes.',
    terms: ['Nguyen', 'New Bridge Fund', 'Kubernetes'],
    words: {
      es: /\bcasa vieja\b/i,
      ca: /\bcasa vella\b/i,
      gl: /\bcasa vella\b/i,
      eo: /\bmalnovan domon\b/i,
      fr: /\bmaison vieille\b/i,
      it: /\bcasa vecchia\b/i,
      pt: /\bcasa velha\b/i,
      oc: /\bostal vièlh\b/i,
    },
  },
  {
    text: "Nguyen's report is about Kubernetes and the Bridge.",
    terms: ['Nguyen', 'Kubernetes', 'Bridge'],
    words: {
      es: /\binforme\b/i,
      ca: /\binforme\b/i,
      gl: /\binforme\b/i,
      eo: /\braporto\b/i,
      fr: /\brapport\b/i,
      it: /\brapporto\b/i,
      pt: /\brelatório\b/i,
      oc: /\binforme\b/i,
    },
  },
];

function occurrences(text: string, form: string): number {
  const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.match(new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'gu'))?.length ?? 0;
}

describe.skipIf(missing.length > 0)('glossary terms through ApertiumTranslator (real engine)', () => {
  const translator = new ApertiumTranslator();

  beforeAll(async () => {
    await translator.warm([...LANGS]);
  });
  afterAll(async () => {
    await translator.close();
  });

  describe.each(LANGS)('to %s', (lang) => {
    it.each(SENTENCES)('keeps every term of "$text" and translates the rest', async ({ text, terms, words }) => {
      const p = protectTerms(text, glossary, lang);
      expect(p.count).toBe(terms.length);
      const { text: out, lost } = p.restore(await translator.translate(p.text, 'en', lang));
      expect(lost).toEqual([]);
      for (const term of terms) {
        const entry = glossary.find((e) => e.term === term) as GlossaryTerm;
        expect(occurrences(out, targetForm(entry, lang)), `${term} in "${out}"`).toBe(1);
      }
      expect(out).toMatch(words[lang]);
      expect(out).not.toMatch(/\b(?:Zqx|Qzx)[a-z]+/i);
    });
  });
});
