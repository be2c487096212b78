// ApertiumTranslator given a session glossary (the engine's TermOptions), in every local language: each term comes
// out as its target form for that language, or unchanged where it has none, and the rest is translated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApertiumTranslator } from '#adapters/apertium';
import { installedApertiumRoutes } from '#adapters/apertium-routes';
import type { GlossaryTerm } from '#core/terms';

const DIRECT = ['es', 'ca', 'gl', 'eo'] as const;
const PIVOTS = ['fr', 'it', 'pt', 'oc'] as const;
const installed = new Set<string>(installedApertiumRoutes().map((r) => r.target));

const FUND: Record<string, string> = {
  es: 'Fondo Puente Nuevo',
  ca: 'Fons Pont Nou',
  gl: 'Fondo Ponte Novo',
  eo: 'Fonduso Nova Ponto',
  fr: 'Fonds Pont Neuf',
  it: 'Fondo Ponte Nuovo',
  pt: 'Fundo Ponte Nova',
  oc: 'Fons Pont Nòu',
};
const glossary: GlossaryTerm[] = [
  { term: 'Nguyen' },
  { term: 'Kubernetes', targets: { eo: 'Kuberneto' } },
  { term: 'New Bridge Fund', targets: FUND },
];

/** A word of the rest of the sentence, translated, per language. */
const HOUSE: Record<string, RegExp> = {
  es: /\bcasa\b/,
  ca: /\bcasa\b/,
  gl: /\bcasa\b/,
  eo: /\bdomo/,
  fr: /\bmaison\b/,
  it: /\bcasa\b/,
  pt: /\bcasa\b/,
  oc: /\bostal\b/,
};

const SENTENCE = 'Nguyen and the New Bridge Fund bought the old house of Kubernetes.';

describe.each([...DIRECT, ...PIVOTS])('into %s', (lang) => {
  const translator = new ApertiumTranslator();
  beforeAll(async () => {
    if (installed.has(lang)) await translator.warm([lang]);
  });
  afterAll(async () => {
    await translator.close();
  });

  it.skipIf(!installed.has(lang))('says every term as its target form and translates the rest', async () => {
    const lost: string[] = [];
    const out = await translator.translate(SENTENCE, 'en', lang, { glossary, lost: (t) => lost.push(...t) });
    expect(lost).toEqual([]);
    expect(out).toContain('Nguyen');
    expect(out).toContain(FUND[lang]);
    expect(out).toContain(lang === 'eo' ? 'Kuberneto' : 'Kubernetes');
    expect(out).toMatch(HOUSE[lang]!);
    expect(out).not.toMatch(/New Bridge|Bridge Fund|Zqx/);

    // Without the glossary the engine has its way with the terms.
    const plain = await translator.translate(SENTENCE, 'en', lang);
    expect(plain).not.toContain(FUND[lang]);
  });
});
