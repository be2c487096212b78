// The AWS sign-in path without AWS, in a real browser: the local system runs the `cognito` speaker scheme (its
// user pool stands in for Cognito, the HTTP API's JWT authorizer guards session creation). The speaker signs in
// through the pool's sign-in form, creates a session and speaks; a listener reads the translation.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ARTIFACTS, type Browser, launchBrowser, microphoneWav, testIdText as text } from '../support/browser.ts';
import { startTestSystem } from '../support/system.ts';

const SENTENCE = 'the meeting will start in five minutes';

let system: Awaited<ReturnType<typeof startTestSystem>>;
let browser: Browser;

beforeAll(async () => {
  const wav = microphoneWav(SENTENCE, 'microphone-sign-in.wav');
  // Tokens short-lived enough that the app renews them (a minute before expiry) while the test runs.
  system = await startTestSystem({
    speakerAuth: 'cognito',
    users: [{ username: 'ada', password: 'correct horse' }],
    tokenTtlS: 80,
  });
  browser = await launchBrowser({ microphoneWav: wav });
});
afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

test('without a token, POST /api/sessions is refused 401 by the JWT authorizer', async () => {
  const response = await fetch(`${system.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es'] }),
  });
  expect(response.status).toBe(401);
  expect(await response.json()).toEqual({ message: 'Unauthorized' });
});

test('a speaker signs in through the sign-in form, creates a session and a listener reads the translation', async () => {
  const speaker = await browser.open(`${system.url}/speaker/`, 'speaker');
  await speaker.getByTestId('sign-in').click();

  // The user pool's sign-in form, on its own origin.
  await speaker.waitForURL((url) => url.pathname === '/oauth2/authorize', { timeout: 10_000 });
  await speaker.getByLabel('Username').fill('ada');
  await speaker.getByLabel('Password').fill('wrong');
  await speaker.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => text(speaker, 'sign-in-error')).toMatch(/incorrect/i);
  await speaker.getByLabel('Username').fill('ada');
  await speaker.getByLabel('Password').fill('correct horse');
  await speaker.getByRole('button', { name: 'Sign in' }).click();

  // Back in the app, signed in, with the code gone from the address bar.
  await speaker.waitForURL(`${system.url}/speaker/`, { timeout: 10_000 });
  await expect.poll(() => text(speaker, 'signed-in-as'), { timeout: 10_000 }).toContain('ada');
  const expiresAt = async () => Number(await speaker.getByTestId('signed-in-as').getAttribute('data-expires-at'));
  const firstExpiry = await expiresAt();
  await speaker.getByTestId('create-session').click();
  await expect.poll(() => text(speaker, 'join-code'), { timeout: 10_000 }).toMatch(/^[A-Z0-9]{6}$/);
  const code = await text(speaker, 'join-code');

  const listener = await browser.open(`${system.url}/?code=${code}`, 'listener-es', { width: 390, height: 844 });
  await listener.locator('[data-testid="language-option"][data-lang="es"]').click();
  await expect
    .poll(() => listener.getByTestId('connection-state').getAttribute('data-state'), { timeout: 10_000 })
    .toBe('live');

  // The speaker's connection carries the signed-in user's token: the $connect authorizer lets it in.
  await speaker.getByTestId('start').click();
  await expect.poll(() => text(speaker, 'connection-state'), { timeout: 10_000 }).toMatch(/live/i);
  await expect.poll(() => text(speaker, 'final-caption'), { timeout: 30_000 }).toMatch(/five minutes/i);

  const caption = listener.locator('[data-testid="caption"][data-lang="es"]').first();
  await expect.poll(async () => (await caption.textContent()) ?? '', { timeout: 20_000 }).toMatch(/cinco/i);

  // The sign-in was renewed in the background with the refresh token, without leaving the page.
  await expect.poll(expiresAt, { timeout: 40_000 }).toBeGreaterThan(firstExpiry);
  expect(speaker.url()).toBe(`${system.url}/speaker/`);

  await speaker.screenshot({ path: join(ARTIFACTS, 'speaker-signed-in.png'), fullPage: true });
  expect(browser.errors).toEqual([]);
}, 120_000);
