// The glossary's way into a live session's recogniser: when it is read, what is applied, what a decoder is given.
import { describe, expect, test } from 'vitest';
import { applyGlossarySpelling, glossaryArpa, planGlossary } from '#adapters/pocketsphinx-glossary';
import { SessionGlossaryTracker } from '#core/glossary';
import type { GlossarySource, RecognizerStream, SessionGlossary } from '#core/ports';

function setup(versions: number[]) {
  const reads: string[] = [];
  const applied: SessionGlossary[] = [];
  let now = 0;
  const source: GlossarySource = {
    currentVersion: async () => {
      reads.push('version');
      return versions[0] ?? 0;
    },
    load: async (_s, version) => ({ version, entries: [{ term: `Term${version}` }] }),
  };
  const stream = {
    useGlossary: async (g: SessionGlossary) => {
      applied.push(g);
      return g.version;
    },
  } as unknown as RecognizerStream;
  const tracker = new SessionGlossaryTracker('s1', stream, source, () => now, { checkEveryMs: 2_000 });
  return { tracker, reads, applied, advance: (ms: number) => (now += ms), versions };
}

describe('SessionGlossaryTracker', () => {
  test('applies the glossary that holds when the stream starts', async () => {
    const { tracker, applied } = setup([2]);
    await tracker.refresh(true);
    expect(applied.map((g) => g.version)).toEqual([2]);
    expect(tracker.applied).toBe(2);
  });

  test('re-checks the version in the background at most every 2 s; a newer one is applied at the next boundary', async () => {
    const { tracker, reads, applied, advance, versions } = setup([1]);
    await tracker.refresh(true);
    advance(500);
    await tracker.refresh();
    await tracker.settled();
    expect(reads).toHaveLength(1);
    advance(1_600);
    await tracker.refresh();
    await tracker.settled();
    expect(reads).toHaveLength(2);
    expect(applied).toHaveLength(1);
    versions[0] = 4;
    advance(2_000);
    // The boundary does not wait for the read: version 4 is read meanwhile and applied at the next boundary.
    await tracker.refresh();
    expect(applied.map((g) => g.version)).toEqual([1]);
    await tracker.settled();
    await tracker.refresh();
    expect(applied.map((g) => g.version)).toEqual([1, 4]);
    expect(tracker.applied).toBe(4);
  });

  test('a boundary never waits on a slow read of the sessions table', async () => {
    let release: () => void = () => undefined;
    const source: GlossarySource = {
      currentVersion: () => new Promise<number>((resolve) => (release = () => resolve(2))),
      load: async (_s, version) => ({ version, entries: [{ term: 'Nguyen' }] }),
    };
    const given: number[] = [];
    const stream = {
      useGlossary: async (g: SessionGlossary) => {
        given.push(g.version);
        return g.version;
      },
    } as unknown as RecognizerStream;
    const tracker = new SessionGlossaryTracker('s1', stream, source, () => 10_000);
    await tracker.refresh();
    expect(given).toEqual([]);
    release();
    await tracker.settled();
    await tracker.refresh();
    expect(given).toEqual([2]);
  });

  test('a stream that switches later (a vocabulary being built) is asked which version is in effect', async () => {
    const source: GlossarySource = {
      currentVersion: async () => 3,
      load: async (_s, version) => ({ version, entries: [{ term: 'Nguyen' }] }),
    };
    let inEffect: number | undefined = 2;
    const stream = {
      useGlossary: async () => inEffect,
      glossaryInEffect: () => inEffect,
    } as unknown as RecognizerStream;
    const tracker = new SessionGlossaryTracker('s1', stream, source, () => 0);
    await tracker.refresh(true);
    expect(tracker.applied).toBe(2);
    // Version 3's vocabulary became ready and the stream switched to it at a boundary.
    inEffect = 3;
    expect(tracker.applied).toBe(3);
  });

  test('a session without a glossary applies none', async () => {
    const { tracker, applied } = setup([]);
    await tracker.refresh(true);
    expect(applied).toEqual([]);
    expect(tracker.applied).toBeUndefined();
  });
});

describe('planGlossary', () => {
  const known = (word: string) => ['nguyen', 'pico'].includes(word);
  function namer() {
    let n = 0;
    return () => `w${++n}`;
  }

  test('a known single word only takes the glossary spelling; unknown and spoken terms get engine words', () => {
    const plan = planGlossary(
      [{ term: 'Nguyen' }, { term: 'Kubernetes' }, { term: 'SVOX Pico', spoken: 'ess vox pee co' }],
      new Map(),
      known,
      namer(),
    );
    expect([...plan.spellings]).toEqual([['nguyen', 'Nguyen']]);
    expect(plan.added).toEqual([
      { key: 'kubernetes', word: 'w1', display: 'Kubernetes', sayAs: 'Kubernetes' },
      { key: 'svox pico', word: 'w2', display: 'SVOX Pico', sayAs: 'ess vox pee co' },
    ]);
    expect(plan.terms).toEqual(plan.added);
  });

  test('a term keeps its engine word across versions; a new spoken form takes a new one', () => {
    const next = namer();
    const first = planGlossary([{ term: 'Kubernetes' }, { term: 'Okonkwo' }], new Map(), known, next);
    const existing = new Map(first.added.map((t) => [t.key, t]));
    const second = planGlossary(
      [{ term: 'Kubernetes' }, { term: 'Okonkwo', spoken: 'oh conk woe' }, { term: 'Grafana' }],
      existing,
      known,
      next,
    );
    expect(second.terms.map((t) => [t.display, t.word])).toEqual([
      ['Kubernetes', 'w1'],
      ['Okonkwo', 'w3'],
      ['Grafana', 'w4'],
    ]);
    expect(second.added.map((t) => t.word)).toEqual(['w3', 'w4']);
  });

  test('the glossary model gives each engine word a unigram', () => {
    const arpa = glossaryArpa(['w1', 'w2'], -2);
    expect(arpa).toContain('ngram 1=4');
    expect(arpa).toContain('\n-2 w1 0\n-2 w2 0\n');
    expect(arpa.trim().endsWith('\\end\\')).toBe(true);
  });

  test('engine words and known words are shown as the glossary writes them', () => {
    const shown = new Map([
      ['w2', 'SVOX Pico'],
      ['nguyen', 'Nguyen'],
    ]);
    expect(applyGlossarySpelling('we met nguyen at w2', shown)).toBe('we met Nguyen at SVOX Pico');
  });
});
