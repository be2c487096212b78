// End to end in a real browser: the speaker page captures a fake microphone fed from a WAV, two listener pages
// (Spanish, Catalan) show the translated captions and really play the translated speech, measured with their
// AnalyserNode, with their controls in the language picked (and a page in the browser's language before the
// pick). Then a long utterance of the spoken corpus: the listener sees it translated while the speaker is still
// talking, and the final translation takes the provisional one's place. Screenshots of both apps are saved to
// test/.artifacts/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWav, writeWav } from '@llt/cli';
import type { CaptionMessage } from '@llt/events';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CORPUS_SAMPLE_RATE, corpusSetOptions, generateCorpus } from '../corpus/generate.ts';
import { ARTIFACTS, type Browser, launchBrowser, microphoneWav, testIdText as text } from '../support/browser.ts';
import { startTestSystem } from '../support/system.ts';

const SENTENCE = 'the meeting will start in five minutes';
const FIVE: Record<string, RegExp> = { es: /cinco/i, ca: /cinc/i };
/** The listener app's own words once the language is picked (audio is on: `?audio=on`). */
const CONTROLS: Record<string, { audio: string; jump: string; state: string }> = {
  es: { audio: 'Desactivar audio', jump: 'Ir al directo', state: 'En directo' },
  ca: { audio: "Desactiva l'àudio", jump: 'Ves al directe', state: 'En directe' },
};

let system: Awaited<ReturnType<typeof startTestSystem>>;
let browser: Browser;

beforeAll(async () => {
  const wav = microphoneWav(SENTENCE, 'microphone.wav');
  system = await startTestSystem();
  browser = await launchBrowser({ microphoneWav: wav });
});
afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

test('speech into the speaker page reaches two listener pages as translated captions and audible speech', async () => {
  const speaker = await browser.open(`${system.url}/speaker/`, 'speaker');
  await speaker.getByTestId('create-session').click();
  await expect.poll(() => text(speaker, 'join-code'), { timeout: 10_000 }).toMatch(/^[A-Z0-9]{6}$/);
  const code = await text(speaker, 'join-code');
  expect(await text(speaker, 'listener-link')).toContain(`?code=${code}`);

  // Before a language is picked, the listener app speaks the browser's language.
  const galician = await browser.context.newPage();
  await galician.addInitScript({
    content: `Object.defineProperty(navigator, 'languages', { get: () => ['gl-ES', 'en'] });`,
  });
  await galician.goto(`${system.url}/?code=${code}`);
  await expect.poll(() => galician.getByRole('heading', { level: 1 }).textContent()).toBe('Escolle o teu idioma');
  expect(await galician.locator('html').getAttribute('lang')).toBe('gl');
  await galician.close();

  const listeners: Record<string, Page> = {};
  for (const lang of Object.keys(FIVE)) {
    const page = await browser.open(`${system.url}/?code=${code}&audio=on`, `listener-${lang}`, {
      width: 390,
      height: 844,
    });
    await page.locator(`[data-testid="language-option"][data-lang="${lang}"]`).click();
    await expect.poll(() => text(page, 'connection-state'), { timeout: 10_000 }).toBe(CONTROLS[lang]?.state);
    expect(await page.locator('html').getAttribute('lang')).toBe(lang);
    expect(await text(page, 'audio-toggle')).toBe(CONTROLS[lang]?.audio);
    expect(await text(page, 'jump-to-live')).toBe(CONTROLS[lang]?.jump);
    listeners[lang] = page;
  }
  await expect
    .poll(() => speaker.locator('[data-testid="listener-count"][data-lang="es"]').textContent(), { timeout: 10_000 })
    .toContain('1');

  await speaker.getByTestId('start').click();
  await expect.poll(() => text(speaker, 'connection-state'), { timeout: 10_000 }).toMatch(/live/i);

  // The speaker sees its words confirmed and the measured latency.
  await expect.poll(() => text(speaker, 'final-caption'), { timeout: 30_000 }).toMatch(/five minutes/i);

  for (const [lang, page] of Object.entries(listeners)) {
    const caption = page.locator(`[data-testid="caption"][data-lang="${lang}"]`).first();
    await expect
      .poll(async () => (await caption.textContent()) ?? '', { timeout: 20_000 })
      .toMatch(FIVE[lang] as RegExp);
    // The clip was played through the page's AnalyserNode: a real signal, not only an `ended` event.
    const level = page.getByTestId('audio-level');
    await expect
      .poll(async () => Number(await level.getAttribute('data-played')), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(1);
    expect(Number(await level.getAttribute('data-peak'))).toBeGreaterThan(0.05);
  }
  await expect.poll(() => text(speaker, 'latency-translation-median'), { timeout: 10_000 }).toMatch(/\d+\s*ms/);
  const latency = {
    caption: await text(speaker, 'latency-caption-median'),
    translation: await text(speaker, 'latency-translation-median'),
  };
  writeFileSync(join(ARTIFACTS, 'latency.json'), `${JSON.stringify(latency, null, 2)}\n`);

  await speaker.screenshot({ path: join(ARTIFACTS, 'speaker.png'), fullPage: true });
  await speaker
    .getByTestId('latency-caption-median')
    .locator('xpath=ancestor::section[1]')
    .screenshot({ path: join(ARTIFACTS, 'speaker-latency.png') });
  for (const [lang, page] of Object.entries(listeners)) {
    await page.screenshot({ path: join(ARTIFACTS, `listener-${lang}.png`), fullPage: true });
  }
  expect(browser.errors).toEqual([]);
}, 120_000);

/**
 * One utterance of the long corpus (`npm run corpus -- --set long` speaks them all; here only flite's rms voice
 * reads the first, ~10 s of speech in several clauses), generated into ARTIFACTS when missing, padded for the
 * fake microphone like microphoneWav: 1 s of silence before it, 3 s after.
 */
async function longMicrophoneWav(): Promise<{ wav: string; text: string; speechMs: number }> {
  const { dir, entries } = await generateCorpus(join(ARTIFACTS, 'corpus-long'), corpusSetOptions('long', ['rms'], 1));
  const entry = entries[0]!;
  const speech = readWav(join(dir, `${entry.name}.wav`)).samples;
  const second = CORPUS_SAMPLE_RATE;
  const lead = second - (entry.leadSilenceMs * second) / 1000;
  const wav = join(ARTIFACTS, 'microphone-long.wav');
  writeWav(wav, new Int16Array([...new Int16Array(lead), ...speech, ...new Int16Array(3 * second)]), second);
  return { wav, text: entry.text, speechMs: entry.durationMs - entry.leadSilenceMs - entry.tailSilenceMs };
}

/** What the listener page showed, as seen by a MutationObserver in it: each new text of a caption paragraph. */
interface Shown {
  at: number;
  testId: 'provisional-translation' | 'caption';
  segmentId: string;
  text: string;
  /** The untranslated words shown after a provisional translation, and the language they are marked in. */
  tail: string;
  tailLang: string | null;
  /** The list item holding it, numbered in order of first appearance (the same number: the same element). */
  item: number;
  /** The item's top, relative to the caption list. */
  top: number;
}

/**
 * Records into `window.__shown` every new text of a provisional or final translation, with where it is (page
 * script, as text: this project's type checking has no DOM).
 */
const RECORD_SHOWN = `(() => {
  const shown = [];
  const items = new WeakMap();
  let numbered = 0;
  const last = new Map();
  window.__shown = shown;
  const look = () => {
    for (const p of document.querySelectorAll('[data-testid="provisional-translation"], [data-testid="caption"]')) {
      const testId = p.dataset.testid;
      const segmentId = p.dataset.segmentId ?? '';
      const text = p.textContent.trim();
      const key = testId + ' ' + segmentId;
      if (last.get(key) === text) continue;
      last.set(key, text);
      const item = p.closest('li');
      const list = item?.parentElement;
      if (!item || !list) continue;
      if (!items.has(item)) items.set(item, ++numbered);
      const tail = p.querySelector('[data-testid="untranslated-tail"]');
      shown.push({
        at: Date.now(),
        testId,
        segmentId,
        text,
        tail: tail?.textContent.trim() ?? '',
        tailLang: tail?.getAttribute('lang') ?? null,
        item: items.get(item),
        top: item.getBoundingClientRect().top - list.getBoundingClientRect().top,
      });
    }
  };
  new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

test('a listener reads a long sentence translated while the speaker is still saying it, then its final translation in the same place', async () => {
  const { wav, text: sentence, speechMs } = await longMicrophoneWav();
  const long = await launchBrowser({ microphoneWav: wav });
  try {
    const speaker = await long.open(`${system.url}/speaker/`, 'speaker-long');
    await speaker.getByTestId('create-session').click();
    await expect.poll(() => text(speaker, 'join-code'), { timeout: 10_000 }).toMatch(/^[A-Z0-9]{6}$/);
    const code = await text(speaker, 'join-code');

    const listener = await long.open(`${system.url}/?code=${code}`, 'listener-long', { width: 390, height: 844 });
    // Every caption message the listener page receives, on this process's clock (the page's is the same one).
    const received: (CaptionMessage & { at: number })[] = [];
    listener.on('websocket', (socket) =>
      socket.on('framereceived', ({ payload }) => {
        const message = JSON.parse(String(payload)) as { type?: string };
        if (message.type === 'caption') received.push({ ...(message as CaptionMessage), at: Date.now() });
      }),
    );
    await listener.locator('[data-testid="language-option"][data-lang="es"]').click();
    await expect.poll(() => text(listener, 'connection-state'), { timeout: 10_000 }).toBe('En directo');
    expect(await listener.getByTestId('untranslated-toggle').getAttribute('aria-pressed')).toBe('true');
    await listener.evaluate(RECORD_SHOWN);
    await expect
      .poll(() => speaker.locator('[data-testid="listener-count"][data-lang="es"]').textContent(), { timeout: 10_000 })
      .toContain('1');

    const startedAt = Date.now();
    await speaker.getByTestId('start').click();
    const shown = () => listener.evaluate('window.__shown') as Promise<Shown[]>;
    // Mid-sentence: the provisional translation with the words it does not cover yet after it.
    await expect
      .poll(async () => (await shown()).some((s) => s.testId === 'provisional-translation' && s.tail), {
        timeout: speechMs + 10_000,
      })
      .toBe(true);
    await listener.screenshot({ path: join(ARTIFACTS, 'listener-provisional.png') });
    const finalSource = () => received.find((m) => m.kind === 'source' && m.final);
    await expect.poll(finalSource, { timeout: speechMs + 20_000 }).toBeDefined();

    // The first sentence the recogniser finished: a provisional translation of it was on screen before that.
    const segmentId = finalSource()!.segmentId;
    await expect
      .poll(async () => (await shown()).some((s) => s.testId === 'caption' && s.segmentId === segmentId), {
        timeout: 20_000,
      })
      .toBe(true);
    const timeline = (await shown()).filter((s) => s.segmentId === segmentId);
    const provisional = timeline.filter((s) => s.testId === 'provisional-translation');
    const final = timeline.find((s) => s.testId === 'caption')!;
    const sourceFinalAt = finalSource()!.at;
    const report = {
      sentence,
      speechMs,
      segments: new Set(received.map((m) => m.segmentId)).size,
      firstProvisionalMs: (provisional[0]?.at ?? Number.NaN) - startedAt,
      sourceFinalMs: sourceFinalAt - startedAt,
      finalCaptionMs: final.at - startedAt,
      timeline: timeline.map(({ at, ...s }) => ({ ms: at - startedAt, ...s })),
    };
    writeFileSync(join(ARTIFACTS, 'provisional-timeline.json'), `${JSON.stringify(report, null, 2)}\n`);

    expect(provisional.length, JSON.stringify(report)).toBeGreaterThan(0);
    // Shown while the source caption of that segment was still partial: the speaker had not finished it.
    expect(provisional[0]!.at).toBeLessThan(sourceFinalAt);
    expect(received.some((m) => m.kind === 'translation' && !m.final && m.segmentId === segmentId)).toBe(true);
    // The words not translated yet followed it, marked as English.
    expect(provisional.filter((s) => s.tail).map((s) => s.tailLang)).toContain('en');
    expect(provisional.every((s) => !s.tail || s.tailLang === 'en')).toBe(true);
    // The final translation took the provisional one's place: the same list item, at the same height.
    expect(final.at).toBeGreaterThan(provisional.at(-1)!.at);
    expect(final.item).toBe(provisional.at(-1)!.item);
    expect(final.top).toBe(provisional.at(-1)!.top);
    // Spanish for the sentence's words (any three of five: the recogniser may miss a word or two).
    const spanish = [/presupuesto/i, /audiencia/i, /finalmente/i, /horario|programa/i, /mañana/i];
    expect(spanish.filter((word) => word.test(final.text)).length, final.text).toBeGreaterThanOrEqual(3);
    expect(
      await listener.locator(`[data-testid="provisional-translation"][data-segment-id="${segmentId}"]`).count(),
    ).toBe(0);
    await listener.screenshot({ path: join(ARTIFACTS, 'listener-long.png'), fullPage: true });
    expect(long.errors).toEqual([]);
  } finally {
    await long.close();
  }
}, 120_000);
