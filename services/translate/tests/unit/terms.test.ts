// Glossary term protection without an engine: which words are protected, and how translations get them back.
import { describe, expect, it } from 'vitest';
import { type GlossaryTerm, protectTerms, targetForm } from '#core/terms';

const glossary: GlossaryTerm[] = [
  { term: 'Bridge' },
  { term: 'Nguyen' },
  { term: 'New Bridge Fund', targets: { es: 'Fondo Nuevo Puente' } },
  { term: 'Kubernetes', targets: { fr: 'Kubernetes (K8s)' } },
];

/** The placeholders of a protected text, in order. */
function placeholdersOf(text: string): string[] {
  return text.match(/\b(?:Zqx|Qzx)[a-z]+\b/g) ?? [];
}

describe('protectTerms', () => {
  it('replaces a term by a placeholder and restores its glossary form', () => {
    const p = protectTerms('Ask Nguyen about it.', glossary, 'es');
    expect(p.text).not.toContain('Nguyen');
    expect(p.count).toBe(1);
    const [ph] = placeholdersOf(p.text);
    expect(p.restore(`Pregunta ${ph} sobre ello.`)).toEqual({ text: 'Pregunta Nguyen sobre ello.', lost: [] });
  });

  it('matches any letter case and restores the spelling of the glossary', () => {
    const p = protectTerms('we deploy on kubernetes and KUBERNETES', glossary, 'es');
    expect(p.count).toBe(2);
    expect(p.restore(p.text).text).toBe('we deploy on Kubernetes and Kubernetes');
  });

  it('matches whole words only', () => {
    const p = protectTerms('Bridges and Drawbridge and Bridge_x and Bridge2 are not the Bridge.', glossary, 'es');
    expect(p.count).toBe(1);
    expect(p.text).toMatch(/^Bridges and Drawbridge and Bridge_x and Bridge2 are not the Zqxa\.$/);
  });

  it('treats punctuation as a word boundary', () => {
    const p = protectTerms('Nguyen-style plan, (Bridge) and Nguyen.', glossary, 'es');
    expect(p.count).toBe(3);
    expect(p.restore(p.text).text).toBe('Nguyen-style plan, (Bridge) and Nguyen.');
  });

  it('prefers the longest term starting at the same place', () => {
    const p = protectTerms('The New Bridge Fund owns a bridge.', glossary, 'es');
    expect(p.count).toBe(2);
    const [fund, bridge] = placeholdersOf(p.text);
    expect(p.text).toBe(`The ${fund} owns a ${bridge}.`);
    expect(p.restore(p.text).text).toBe('The Fondo Nuevo Puente owns a Bridge.');
  });

  it('matches a multi-word term across any run of spaces', () => {
    const p = protectTerms('the new   bridge\tfund', glossary, 'es');
    expect(p.count).toBe(1);
    expect(p.restore(p.text).text).toBe('the Fondo Nuevo Puente');
  });

  it('matches terms containing regular-expression characters literally', () => {
    const p = protectTerms('We use C++ and Node.js, not Nodexjs.', [{ term: 'C++' }, { term: 'Node.js' }], 'es');
    expect(p.count).toBe(2);
    expect(p.text).toContain('Nodexjs');
    expect(p.restore(p.text).text).toBe('We use C++ and Node.js, not Nodexjs.');
  });

  it('gives each occurrence its own placeholder and restores them when the engine reorders', () => {
    const p = protectTerms('Nguyen met Kubernetes and Nguyen again.', glossary, 'fr');
    const phs = placeholdersOf(p.text);
    expect(phs).toHaveLength(3);
    expect(new Set(phs).size).toBe(3);
    const [a, b, c] = phs;
    expect(p.restore(`${b} a rencontré ${c} et ${a}.`)).toEqual({
      text: 'Kubernetes (K8s) a rencontré Nguyen et Nguyen.',
      lost: [],
    });
  });

  it('tells apart placeholders that share a prefix', () => {
    const text = Array.from({ length: 28 }, (_, i) => (i === 0 ? 'Nguyen' : 'Bridge')).join(' ');
    const p = protectTerms(text, glossary, 'es');
    const phs = placeholdersOf(p.text);
    expect(new Set(phs).size).toBe(28);
    expect(phs).toContain('Zqxab');
    // Reversed, so a placeholder matched by its prefix ("Zqxa" inside "Zqxab") would restore the wrong term.
    expect(p.restore([...phs].reverse().join(' ')).text).toBe(`${'Bridge '.repeat(27)}Nguyen`);
  });

  it('counts a placeholder the engine glued letters to as lost, not as another term', () => {
    const p = protectTerms('Nguyen and Bridge.', glossary, 'ca');
    const [nguyen, bridge] = placeholdersOf(p.text);
    expect(p.restore(`${nguyen}ha i ${bridge}.`)).toEqual({ text: `${nguyen}ha i Bridge.`, lost: ['Nguyen'] });
  });

  it("separates a possessive 's from the placeholder, so no engine fuses them", () => {
    const p = protectTerms("Nguyen's report and Nguyen’s plan.", glossary, 'es');
    const [a, b] = placeholdersOf(p.text);
    expect(p.text).toBe(`${a} 's report and ${b} ’s plan.`);
    expect(p.restore(`${a} el informe y ${b} el plan.`).text).toBe('Nguyen el informe y Nguyen el plan.');
  });

  it('restores a placeholder the engine changed the letter case of', () => {
    const p = protectTerms('Nguyen speaks.', glossary, 'es');
    const [ph] = placeholdersOf(p.text);
    expect(p.restore(`${(ph as string).toLowerCase()} habla.`).text).toBe('Nguyen habla.');
  });

  it('reports a placeholder the engine lost, and adds nothing for it', () => {
    const p = protectTerms('Nguyen and Kubernetes.', glossary, 'es');
    const [nguyen] = placeholdersOf(p.text);
    expect(p.restore(`${nguyen} y.`)).toEqual({ text: 'Nguyen y.', lost: ['Kubernetes'] });
  });

  it('reports a placeholder the engine mangled and leaves its remains', () => {
    const p = protectTerms('Nguyen speaks.', glossary, 'es');
    const [ph] = placeholdersOf(p.text);
    const mangled = `${(ph as string).slice(0, 3)} ${(ph as string).slice(3)} habla.`;
    expect(p.restore(mangled)).toEqual({ text: mangled, lost: ['Nguyen'] });
  });

  it('restores every copy of a placeholder the engine duplicated', () => {
    const p = protectTerms('Nguyen speaks.', glossary, 'es');
    const [ph] = placeholdersOf(p.text);
    expect(p.restore(`${ph}, ${ph} habla.`)).toEqual({ text: 'Nguyen, Nguyen habla.', lost: [] });
  });

  it('never uses a placeholder the text already contains', () => {
    const p = protectTerms('zqxa is a code; Nguyen is a name.', glossary, 'es');
    expect(p.count).toBe(1);
    expect(p.text).toBe('zqxa is a code; Qzxa is a name.');
    expect(p.restore(p.text).text).toBe('zqxa is a code; Nguyen is a name.');
  });

  it('leaves text without terms, and a blank glossary, alone', () => {
    for (const g of [glossary, [], [{ term: '  ' }]]) {
      const p = protectTerms('Good morning everyone.', g, 'es');
      expect(p).toMatchObject({ text: 'Good morning everyone.', count: 0 });
      expect(p.restore('Buenos días a todos.')).toEqual({ text: 'Buenos días a todos.', lost: [] });
    }
  });

  it('uses the first of two entries differing only in letter case', () => {
    const p = protectTerms('nguyen', [{ term: 'NGUYEN' }, { term: 'Nguyen', targets: { es: 'X' } }], 'es');
    expect(p.restore(p.text).text).toBe('NGUYEN');
  });
});

describe('targetForm', () => {
  it("takes the language's form, then its base language's, then the term", () => {
    const entry = { term: ' Lisbon ', targets: { pt: 'Lisboa', es: 'Lisboa' } };
    expect(targetForm(entry, 'pt')).toBe('Lisboa');
    expect(targetForm(entry, 'pt-BR')).toBe('Lisboa');
    expect(targetForm(entry, 'fr')).toBe('Lisbon');
  });
});
