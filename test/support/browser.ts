// Debian's Chromium driven by playwright-core (never a downloaded browser), with the flags that make a WAV file
// the microphone and let pages play audio without a gesture.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWav, toMono16k, writeWav } from '@llt/cli';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { speakToWav } from './speech.ts';

/** Where the browser tests leave screenshots, figures and their microphone files. */
export const ARTIFACTS = join(import.meta.dirname, '..', '.artifacts');

/**
 * A WAV of `sentence` (flite's rms voice) for the fake microphone, in ARTIFACTS: Chromium loses the first tens of
 * ms of the file and needs silence after speech to end the sentence, so 1 s of silence before it and 3 s after.
 */
export function microphoneWav(sentence: string, fileName: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  const speech = toMono16k(readWav(speakToWav(sentence, 'rms')));
  const wav = join(ARTIFACTS, fileName);
  writeWav(wav, new Int16Array([...new Int16Array(16_000), ...speech, ...new Int16Array(3 * 16_000)]), 16_000);
  return wav;
}

/** The trimmed text of the first element with `data-testid=testId`. */
export async function testIdText(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).first().textContent())?.trim() ?? '';
}

export const CHROMIUM_PATH = process.env.LLT_CHROMIUM ?? '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  /** Console errors and uncaught exceptions of every page, as "page: message". */
  errors: string[];
  open(url: string, name: string, viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Starts Chromium; `microphoneWav` becomes the fake microphone (played once from getUserMedia on). */
export async function launchBrowser({ microphoneWav }: { microphoneWav?: string } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run scripts/setup.sh (installs Debian's chromium)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'llt-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      ...(microphoneWav ? [`--use-file-for-fake-audio-capture=${microphoneWav}%noloop`] : []),
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  const errors: string[] = [];
  return {
    context,
    errors,
    async open(url, name, viewport = { width: 1280, height: 800 }) {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`${name}: ${message.text()}`);
      });
      page.on('pageerror', (error) => errors.push(`${name}: ${error.message}`));
      await page.goto(url);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
