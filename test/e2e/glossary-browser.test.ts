// The speaker's glossary in a real browser: a term given before the session starts is its version 1; while the
// session is live the speaker adds a term and saves, and the HTTP API then serves the new version; a pasted CSV
// with a bad row is refused with its line, changing nothing.
import { join } from 'node:path';
import { SPEAKER_TOKEN_HEADER } from '@llt/events';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ARTIFACTS, type Browser, launchBrowser, testIdText as text } from '../support/browser.ts';
import { startTestSystem } from '../support/system.ts';

let system: Awaited<ReturnType<typeof startTestSystem>>;
let browser: Browser;

beforeAll(async () => {
  system = await startTestSystem({ services: [], targetLanguages: ['es', 'ca'] });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

/** The session the page created (it keeps it, speaker token included, in sessionStorage). */
async function pageSession(page: Page): Promise<{ sessionId: string; speakerToken: string }> {
  const stored = await page.evaluate<string | null>("sessionStorage.getItem('llt.speaker.session')");
  return JSON.parse(stored ?? '{}');
}

async function fetchGlossary(session: { sessionId: string; speakerToken: string }) {
  const res = await fetch(`${system.url}/api/sessions/${session.sessionId}/glossary`, {
    headers: { [SPEAKER_TOKEN_HEADER]: session.speakerToken },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { version: number; entries: unknown[] };
}

async function fillLastRow(page: Page, term: string, spoken: string, targets: Record<string, string> = {}) {
  const row = page.getByTestId('glossary-row').last();
  await row.getByTestId('glossary-term').fill(term);
  await row.getByTestId('glossary-spoken').fill(spoken);
  for (const [lang, form] of Object.entries(targets)) {
    await row.locator(`[data-testid="glossary-target"][data-lang="${lang}"]`).fill(form);
  }
}

test('the speaker adds a term while the session is live and the server serves it', async () => {
  const speaker = await browser.open(`${system.url}/speaker/`, 'speaker');

  // Before the session: one term, sent with "Start session".
  await speaker.getByTestId('glossary-add').click();
  await fillLastRow(speaker, 'Nguyen', 'win');
  await speaker.getByTestId('create-session').click();
  await expect.poll(() => text(speaker, 'join-code'), { timeout: 10_000 }).toMatch(/^[A-Z0-9]{6}$/);
  const version = speaker.getByTestId('glossary-version');
  await expect.poll(() => version.getAttribute('data-version'), { timeout: 10_000 }).toBe('1');
  const session = await pageSession(speaker);
  expect(await fetchGlossary(session)).toMatchObject({ version: 1, entries: [{ term: 'Nguyen', spoken: 'win' }] });

  // Live: the speaker connects, then adds a term and saves.
  await expect.poll(() => text(speaker, 'connection-state'), { timeout: 10_000 }).not.toMatch(/connecting/i);
  await expect.poll(() => speaker.getByTestId('glossary-row').count()).toBe(1);
  await speaker.getByTestId('glossary-add').click();
  await fillLastRow(speaker, 'Kubernetes', 'koo ber net eez', { es: 'Kubernetes' });
  await speaker.getByTestId('glossary-save').click();
  await expect.poll(() => version.getAttribute('data-version'), { timeout: 10_000 }).toBe('2');
  expect(await text(speaker, 'glossary-version')).toBe('Saved: version 2');
  expect(await fetchGlossary(session)).toEqual({
    sessionId: session.sessionId,
    version: 2,
    entries: [
      { term: 'Nguyen', spoken: 'win' },
      { term: 'Kubernetes', spoken: 'koo ber net eez', targets: { es: 'Kubernetes' } },
    ],
  });

  // A pasted CSV with a bad row: refused by line, the rows and the saved version unchanged.
  await speaker.getByRole('button', { name: 'Paste CSV' }).click();
  await speaker.getByTestId('glossary-csv').fill('term,spoken,es\nAda,,\nZoë <3,,\n');
  await speaker.getByTestId('glossary-csv-import').click();
  await expect.poll(() => text(speaker, 'glossary-problems')).toContain('Line 3: term "Zoë <3" contains "<"');
  expect(await speaker.getByTestId('glossary-row').count()).toBe(2);
  expect((await fetchGlossary(session)).version).toBe(2);
  await speaker.screenshot({ path: join(ARTIFACTS, 'speaker-glossary.png'), fullPage: true });

  expect(browser.errors).toEqual([]);
}, 60_000);
