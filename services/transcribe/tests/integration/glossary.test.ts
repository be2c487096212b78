// Glossary terms are recognised by the real PocketSphinx decoder of a live stream: a flite sentence with a name the
// model does not know comes out as other words before the glossary and as the term (its spelling) after it, on the
// same decoder, between utterances; glossary versions that add, respell and drop terms keep the decoder working.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GlossaryEntry } from '@llt/events';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PocketSphinxRecognizer } from '#adapters/pocketsphinx';
import type { RecognizerStream } from '#core/ports';

const SENTENCE = 'professor okonkwo will open the conference today';

/** Names and terms the en-us model does not have, each with a respelled spoken form and a sentence saying it. */
const TERMS: (GlossaryEntry & { spoken: string; sentence: string })[] = [
  { term: 'Okonkwo', spoken: 'oh conk woe', sentence: SENTENCE },
  { term: 'Kubernetes', spoken: 'koo ber neets', sentence: 'we deploy the service on kubernetes every week' },
  { term: 'Grafana', spoken: 'gray fanna', sentence: 'the dashboard in grafana shows the error rate' },
  { term: 'Kwabena', spoken: 'kwa bee na', sentence: 'kwabena and his team finished the project early' },
  { term: 'Xochitl', spoken: 'zah chit ul', sentence: 'please send the report to xochitl before friday' },
  { term: 'Oyelaran', spoken: 'oy ell er an', sentence: 'the talk by doctor oyelaran starts at noon' },
  { term: 'Postgres', spoken: 'post gurz', sentence: 'the data lives in a postgres database' },
  { term: 'Tsipras', spoken: 'tsip ruz', sentence: 'the prime minister tsipras spoke to the press' },
  { term: 'Okafor', spoken: 'oh kaffer', sentence: 'our new manager is called okafor' },
  { term: 'Kotlin', spoken: 'cot lin', sentence: 'most of the app is written in kotlin now' },
  { term: 'Ansible', spoken: 'an sih bull', sentence: 'we use ansible to configure the servers' },
  { term: 'Obafemi', spoken: 'oh buh femmy', sentence: 'thank you obafemi for the kind introduction' },
  { term: 'Chidi', spoken: 'chee dee', sentence: 'chidi will answer your questions after the break' },
];
const CONTROLS = [
  'the weather will be cold and windy tomorrow',
  'the meeting has been moved to next tuesday',
  'our sales grew by ten percent last year',
  'we need more time to finish the report',
];

let dir: string;
const speech = new Map<string, Int16Array>();
let stream: RecognizerStream;

/** The samples of flite's 16 kHz mono s16le WAV (data chunk after the 44-byte header flite writes). */
function speak(text: string): Int16Array {
  const cached = speech.get(text);
  if (cached) return cached;
  const path = join(dir, `${speech.size}.wav`);
  execFileSync('flite', ['-voice', 'rms', '-t', text, '-o', path]);
  const file = readFileSync(path);
  const data = file.indexOf('data') + 8;
  const bytes = file.subarray(data, data + ((file.length - data) & ~1));
  const samples = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  speech.set(text, samples);
  return samples;
}

async function recognise(on: RecognizerStream, text: string): Promise<string> {
  const samples = speak(text);
  for (let i = 0; i < samples.length; i += 1600) await on.write(samples.slice(i, i + 1600));
  return on.finish();
}

/** How many of `terms` come out as their term when their sentences are spoken; also checks the controls. */
async function recogniseRound(
  on: RecognizerStream,
  terms: typeof TERMS,
  controls = CONTROLS,
): Promise<{ hits: number; texts: string[] }> {
  const texts: string[] = [];
  let hits = 0;
  for (const { term, sentence } of terms) {
    const text = await recognise(on, sentence);
    texts.push(text);
    if (text.split(' ').includes(term)) hits++;
  }
  for (const control of controls) texts.push(await recognise(on, control));
  return { hits, texts };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'llt-glossary-'));
  stream = await new PocketSphinxRecognizer().open('s-glossary', 'en');
}, 30_000);

afterAll(async () => {
  await stream?.release();
  rmSync(dir, { recursive: true, force: true });
});

test('an unknown name is recognised once the glossary holds it with a spoken form', async () => {
  const without = await recognise(stream, SENTENCE);
  expect(without.toLowerCase()).not.toContain('okonkwo');

  const applied = await stream.useGlossary!({ version: 3, entries: [{ term: 'Okonkwo', spoken: 'oh conk woe' }] });
  expect(applied).toBe(3);

  const withGlossary = await recognise(stream, SENTENCE);
  expect(withGlossary.split(' ')).toContain('Okonkwo');
  // The rest of the sentence is still recognised.
  expect(withGlossary).toContain('conference');
}, 60_000);

test('many sentences through changing glossaries: terms recognised, dropped terms gone, no crash', async () => {
  const live = await new PocketSphinxRecognizer().open('s-glossary-many', 'en');
  try {
    const entries = (terms: typeof TERMS) => terms.map(({ term, spoken }) => ({ term, spoken }));
    const controlsBefore = (await recogniseRound(live, [])).texts;

    expect(await live.useGlossary!({ version: 1, entries: entries(TERMS) })).toBe(1);
    const first = await recogniseRound(live, TERMS);
    expect(first.hits).toBeGreaterThanOrEqual(TERMS.length - 1);
    // Sentences without a term come out as they did without the glossary.
    expect(first.texts.slice(TERMS.length)).toEqual(controlsBefore);

    // Version 2 drops Chidi, respells Kotlin and adds nothing else: the decoder's search is rebuilt again. A few of
    // the kept terms (the respelled one among them) are spoken again.
    const chidi = TERMS.find((t) => t.term === 'Chidi')!;
    const kept = TERMS.filter((t) => t !== chidi).map((t) => (t.term === 'Kotlin' ? { ...t, spoken: 'cot linn' } : t));
    expect(await live.useGlossary!({ version: 2, entries: entries(kept) })).toBe(2);
    const again = kept.filter((t) => ['Kotlin', 'Okafor', 'Postgres', 'Xochitl'].includes(t.term));
    const second = await recogniseRound(live, again, []);
    expect(second.hits).toBeGreaterThanOrEqual(again.length - 1);
    expect(await recognise(live, chidi.sentence)).not.toContain('Chidi');

    // An empty glossary, then the full one again.
    expect(await live.useGlossary!({ version: 3, entries: [] })).toBe(3);
    expect(await recognise(live, SENTENCE)).not.toContain('Okonkwo');
    expect(await live.useGlossary!({ version: 4, entries: entries(TERMS) })).toBe(4);
    const some = TERMS.slice(0, 4);
    const fourth = await recogniseRound(live, [...some, chidi], CONTROLS.slice(0, 2));
    expect(fourth.hits).toBeGreaterThanOrEqual(some.length);
    expect(fourth.texts.slice(some.length + 1)).toEqual(controlsBefore.slice(0, 2));
  } finally {
    await live.release();
  }
}, 240_000);
