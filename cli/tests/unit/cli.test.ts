// Command-line parsing and its usage errors (exit 2), none of which touch the network.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type CliIo, describeError, EXIT_USAGE, HELP, run } from '../../src/cli.ts';
import { ApiError, HandshakeRefusedError } from '../../src/errors.ts';

function io(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (l) => out.push(l), stderr: (l) => err.push(l), env: {} };
}

describe('run', () => {
  test('help prints usage to stdout and exits 0', async () => {
    const x = io();
    expect(await run(['help'], x)).toBe(0);
    expect(x.out).toEqual([HELP]);
  });

  test('no command prints usage to stderr and exits 2', async () => {
    const x = io();
    expect(await run([], x)).toBe(EXIT_USAGE);
    expect(x.err[0]).toBe(HELP);
  });

  test.each([
    [['fly'], /Unknown command "fly"/],
    [['speak'], /exactly one WAV file/],
    [['speak', 'a.wav', 'b.wav'], /exactly one WAV file/],
    [['speak', 'a.wav', '--session', 'abc'], /--session and --token go together/],
    [
      ['speak', 'a.wav', '--session', 'abc', '--token', 't', '--glossary', 'g.csv'],
      /--glossary goes with a new session/,
    ],
    [['speak', 'a.wav', '--frame-ms', '10'], /--frame-ms: Frame length must be 20-100 ms/],
    [['speak', 'a.wav', '--frame-ms', 'abc'], /--frame-ms/],
    [['speak', 'a.wav', '--targets', ','], /--targets needs at least one language/],
    [['speak', 'a.wav', '--server', 'localhost:8080'], /must be an http\(s\):\/\/ or ws\(s\):\/\/ URL/],
    [['speak', 'a.wav', '--bogus'], /Unknown option '--bogus'/],
    [['listen', '--lang', 'es'], /--code is required/],
    [['listen', '--code', 'ABC'], /--lang is required/],
  ])('%j is a usage error', async (argv, message) => {
    const x = io();
    expect(await run(argv, x)).toBe(EXIT_USAGE);
    expect(x.err.join('\n')).toMatch(message);
    expect(x.out).toEqual([]);
  });

  test('an unreadable WAV file exits 1 before any session is created', async () => {
    const x = io();
    expect(await run(['speak', '/nonexistent/file.wav', '--server', 'http://127.0.0.1:1'], x)).toBe(1);
    expect(x.err[0]).toMatch(/^llt speak: Cannot read \/nonexistent\/file\.wav/);
    expect(x.out).toEqual([]);
  });
});

describe('--glossary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llt-glossary-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a glossary file with bad rows exits 1 naming each line, before any session is created', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'term,spoken,es\nNguyen,win,\nAda <3,,\nnguyen,,\n');
    const x = io();
    // No server listens at port 1: reaching it would be a different error.
    expect(await run(['speak', 'missing.wav', '--glossary', file, '--server', 'http://127.0.0.1:1'], x)).toBe(1);
    expect(x.err[0]).toContain(`llt speak: Glossary ${file} is not valid (2 problems):`);
    expect(x.err[0]).toContain(`${file}:3: term "Ada <3" contains "<"`);
    expect(x.err[0]).toContain(`${file}:4: term "nguyen" is given twice (line 2 has "Nguyen")`);
    expect(x.out).toEqual([]);
  });

  test('a missing glossary file exits 1 saying so', async () => {
    const x = io();
    expect(await run(['speak', 'a.wav', '--glossary', join(dir, 'none.csv')], x)).toBe(1);
    expect(x.err[0]).toMatch(/^llt speak: Cannot read glossary .*none\.csv/);
  });
});

describe('describeError', () => {
  test('quotes the server for refused handshakes and API errors', () => {
    expect(describeError(new HandshakeRefusedError(401, 'invalid_token', 'bad token'))).toBe(
      'the server refused the connection (HTTP 401, invalid_token): bad token',
    );
    expect(describeError(new ApiError(400, 'unsupported_language', 'no xx'))).toBe(
      'the server answered HTTP 400 (unsupported_language): no xx',
    );
  });
});
