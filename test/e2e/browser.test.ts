// End to end in a real browser: the speaker page captures a fake microphone fed from a WAV, two listener pages
// (Spanish, Catalan) show the translated captions and really play the translated speech, measured with their
// AnalyserNode, with their controls in the language picked (and a page in the browser's language before the
// pick). Screenshots of both apps are saved to test/.artifacts/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
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
