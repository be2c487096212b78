// `llt login` and `llt speak` against the local system under the `cognito` speaker scheme: the browser flow's
// loopback redirect (the "browser" here posts the user pool's sign-in form itself), the stored tokens, and a
// session created and spoken into with them.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliIo, run, writeWav } from '@llt/cli';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestSystem } from '../support/system.ts';

let system: Awaited<ReturnType<typeof startTestSystem>>;
const dir = mkdtempSync(join(tmpdir(), 'llt-login-'));

beforeAll(async () => {
  system = await startTestSystem({
    services: [],
    speakerAuth: 'cognito',
    users: [{ username: 'ada', password: 'pw-1' }],
  });
});
afterAll(async () => {
  await system?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function io(configDir: string) {
  const out: Record<string, unknown>[] = [];
  const err: string[] = [];
  const value: CliIo & { out: typeof out; err: typeof err } = {
    out,
    err,
    stdout: (line) => out.push(JSON.parse(line) as Record<string, unknown>),
    stderr: (line) => err.push(line),
    env: { LLT_SERVER: system.url, LLT_CONFIG_DIR: configDir },
    // The user signs in on the form the authorize URL serves; the pool then redirects to llt's loopback port.
    openBrowser: async (url) => {
      const authorize = new URL(url);
      const form = new URLSearchParams(authorize.searchParams);
      form.set('username', 'ada');
      form.set('password', 'pw-1');
      const signedIn = await fetch(`${authorize.origin}/oauth2/authorize`, {
        method: 'POST',
        body: form,
        redirect: 'manual',
      });
      await fetch(signedIn.headers.get('location') ?? '');
    },
  };
  return value;
}

function wav(): string {
  const path = join(dir, 'tone.wav');
  writeWav(
    path,
    Int16Array.from({ length: 16_000 * 0.4 }, (_, i) => Math.round(6000 * Math.sin(i / 9))),
    16_000,
  );
  return path;
}

test('llt speak without a login is told to sign in first', async () => {
  const cli = io(join(dir, 'nobody'));
  expect(await run(['speak', wav(), '--targets', 'es', '--fast'], cli)).toBe(2);
  expect(cli.err.join('\n')).toMatch(/llt login/);
});

test('llt login stores the tokens (owner-only file); llt speak creates a session with them and speaks', async () => {
  const configDir = join(dir, 'ada');
  const login = io(configDir);
  expect(await run(['login'], login), login.err.join('\n')).toBe(0);
  expect(login.out[0]).toMatchObject({ event: 'signed-in', username: 'ada' });
  expect(statSync(join(configDir, 'tokens.json')).mode & 0o777).toBe(0o600);

  const speak = io(configDir);
  expect(await run(['speak', wav(), '--targets', 'es', '--fast'], speak), speak.err.join('\n')).toBe(0);
  expect(speak.out[0]).toMatchObject({ event: 'session' });
  expect(speak.out.some((m) => m.type === 'welcome')).toBe(true);
  expect(speak.out.at(-1)).toMatchObject({ event: 'done', ended: true });
}, 60_000);
