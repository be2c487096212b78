// The `llt` command end to end against the throwaway server: speak a WAV into a new session while listen prints it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type CliIo, run } from '../../src/cli.ts';
import { writeWav } from '../../src/wav.ts';
import { FakeServer } from '../support/fake-server.ts';

let server: FakeServer;
const dir = mkdtempSync(join(tmpdir(), 'llt-cli-'));

beforeEach(async () => {
  server = await FakeServer.start();
});
afterEach(async () => {
  await server.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(onLine?: (json: Record<string, unknown>) => void) {
  const out: Array<Record<string, unknown>> = [];
  const err: string[] = [];
  const value: CliIo & { out: typeof out; err: typeof err } = {
    out,
    err,
    stdout: (line) => {
      const json = JSON.parse(line) as Record<string, unknown>;
      out.push(json);
      onLine?.(json);
    },
    stderr: (line) => err.push(line),
    env: { LLT_SERVER: server.url },
  };
  return value;
}

/** 0.3 s of 44.1 kHz stereo, so the command has to convert it. */
function wavFile(name: string): string {
  const path = join(dir, name);
  const frames = Math.round(44_100 * 0.3);
  writeWav(
    path,
    Int16Array.from({ length: frames * 2 }, (_, i) => Math.round(8000 * Math.sin(i / 20))),
    44_100,
    2,
  );
  return path;
}

describe('llt speak + llt listen', () => {
  test("speak --glossary sends the file's entries with the new session", async () => {
    const csv = join(dir, 'glossary.csv');
    writeFileSync(csv, 'term,spoken,es\nNguyen,win,\nKubernetes,koo ber net eez,Kubernetes\n');
    const speakIo = io();
    expect(await run(['speak', wavFile('g.wav'), '--glossary', csv, '--frame-ms', '50', '--fast'], speakIo)).toBe(0);
    expect(speakIo.out[0]).toMatchObject({ event: 'session', glossaryEntries: 2 });
    const session = server.sessions.get(String(speakIo.out[0]?.sessionId))!;
    expect(session.glossary).toEqual([
      { term: 'Nguyen', spoken: 'win' },
      { term: 'Kubernetes', spoken: 'koo ber net eez', targets: { es: 'Kubernetes' } },
    ]);
  });

  test('speak without --targets translates into every language the server offers', async () => {
    const speakIo = io();
    expect(await run(['speak', wavFile('all.wav'), '--frame-ms', '50'], speakIo)).toBe(0);
    const session = server.sessions.get(String(speakIo.out[0]?.sessionId))!;
    expect(session.targetLanguages).toEqual(['ca', 'gl', 'es']);
  });

  test('speak creates a session, streams at real time and ends it; listen prints everything and exits 0', async () => {
    let listening: Promise<number> | undefined;
    const listenIo = io();
    const speakIo = io((line) => {
      if (line.event === 'session') {
        listening = run(['listen', '--code', String(line.joinCode), '--lang', 'es'], listenIo);
      }
    });
    const wav = wavFile('speech.wav');
    const speakCode = await run(['speak', wav, '--targets', 'es,ca', '--frame-ms', '50'], speakIo);
    expect(speakIo.err).toEqual([]);
    expect(speakCode).toBe(0);
    expect(await listening).toBe(0);

    const [sessionLine] = speakIo.out;
    expect(sessionLine).toMatchObject({
      event: 'session',
      sessionId: expect.any(String),
      joinCode: expect.any(String),
    });
    const session = server.sessions.get(String(sessionLine!.sessionId))!;
    expect(session.targetLanguages).toEqual(['es', 'ca']);
    expect(session.ended).toBe(true);
    // 0.3 s at 16 kHz in 50 ms frames.
    expect([...session.stored.keys()]).toEqual([0, 1, 2, 3, 4, 5]);
    // `end` goes out only once a hello's welcome confirms every frame is stored.
    expect(session.controls).toEqual(['hello', 'hello', 'end']);

    expect(speakIo.out.map((l) => l.type ?? l.event)).toEqual([
      'session',
      'welcome',
      'welcome',
      'session-ended',
      'done',
    ]);
    expect(speakIo.out.at(-1)).toMatchObject({ event: 'done', frames: 6, framesSent: 6, ended: true });
    expect(listenIo.out.map((l) => l.type)).toEqual(['welcome', 'session-ended']);
    for (const line of listenIo.out) expect(line.receivedAt).toEqual(expect.any(Number));
  });

  test('--fast --no-end streams into an existing session and leaves it open', async () => {
    const session = server.createSession();
    const out = io();
    const code = await run(
      ['speak', wavFile('fast.wav'), '--session', session.sessionId, '--token', session.token, '--fast', '--no-end'],
      out,
    );
    expect(out.err).toEqual([]);
    expect(code).toBe(0);
    expect(out.out[0]).toEqual({ event: 'session', sessionId: session.sessionId, speakerToken: session.token });
    expect(session.stored.size).toBe(3); // 0.3 s in 100 ms frames
    expect(session.ended).toBe(false);
  });

  test('listen with an unknown code exits 1 and says why, in the server words', async () => {
    const out = io();
    expect(await run(['listen', '--code', 'NOPE', '--lang', 'es'], out)).toBe(1);
    expect(out.err.join('\n')).toMatch(
      /refused the connection \(HTTP 404, unknown_join_code\): No session has join code "NOPE"/,
    );
  });

  test('speak with a bad token exits 1; with an unsupported source language it reports the API error', async () => {
    const session = server.createSession();
    const badToken = io();
    expect(await run(['speak', wavFile('a.wav'), '--session', session.sessionId, '--token', 'x'], badToken)).toBe(1);
    expect(badToken.err.join('\n')).toMatch(/HTTP 401, invalid_token/);

    const badLanguage = io();
    expect(await run(['speak', wavFile('b.wav'), '--source', 'xx'], badLanguage)).toBe(1);
    expect(badLanguage.err.join('\n')).toMatch(/HTTP 400 \(unsupported_language\)/);
  });

  test('an unreachable server is reported as such', async () => {
    const out = io();
    out.env = { LLT_SERVER: 'http://127.0.0.1:9' };
    expect(await run(['speak', wavFile('c.wav')], out)).toBe(1);
    expect(out.err.join('\n')).toMatch(/Cannot reach http:\/\/127\.0\.0\.1:9.*is the server running/);
  });
});

describe('bin/llt.js', () => {
  test('runs the TypeScript entry point with the same arguments', async () => {
    const bin = fileURLToPath(new URL('../../bin/llt.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'help'], { cwd: tmpdir() });
    expect(stdout).toMatch(/^llt — command-line speaker and listener/);
    const failed = await promisify(execFile)(process.execPath, [bin, 'bogus'], { cwd: tmpdir() }).catch((e) => e);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/Unknown command "bogus"/);
  });
});
