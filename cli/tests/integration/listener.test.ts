// The listener client against the throwaway server: welcome, messages with arrival times, reconnects, the end.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { HandshakeRefusedError } from '../../src/errors.ts';
import { ListenerClient, type ListenerClientOptions } from '../../src/listener.ts';
import { FakeServer, type FakeSession } from '../support/fake-server.ts';

let server: FakeServer;
const clients: ListenerClient[] = [];

beforeEach(async () => {
  server = await FakeServer.start();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
});

function listener(session: FakeSession, options: Partial<ListenerClientOptions> = {}): ListenerClient {
  const client = new ListenerClient({
    server: server.url,
    code: session.joinCode,
    lang: 'es',
    reconnect: { initialDelayMs: 10, maxDelayMs: 50, jitter: 0 },
    ...options,
  });
  clients.push(client);
  return client;
}

const caption = (session: FakeSession, index: number, text: string) =>
  ({
    type: 'caption',
    sessionId: session.sessionId,
    segmentId: `seg-${String(index).padStart(6, '0')}`,
    segmentIndex: index,
    language: 'es',
    kind: 'translation',
    final: true,
    text,
    captureEnd: 1_700_000_000_000,
  }) as const;

test('joins, receives messages with their arrival time, and is done when the session ends', async () => {
  const session = server.createSession();
  const seen: Array<[string, number]> = [];
  const client = listener(session, { onMessage: (m, at) => seen.push([m.type, at]) });
  const welcome = await client.connect();
  expect(welcome).toEqual({
    type: 'welcome',
    role: 'listener',
    sessionId: session.sessionId,
    sourceLanguage: 'en',
    language: 'es',
  });

  server.broadcast(session, caption(session, 0, 'hola'));
  const got = await client.waitFor((m) => m.type === 'caption', 2000);
  expect(got).toMatchObject({ text: 'hola' });

  server.endSession(session);
  await expect(client.done).resolves.toBe('session-ended');
  expect(client.ended).toBe(true);
  expect(seen.map(([type]) => type)).toEqual(['welcome', 'caption', 'session-ended']);
  for (const [, at] of seen) expect(at).toBeGreaterThan(1_600_000_000_000);
});

test('a wrong join code or language is a HandshakeRefusedError from the JSON body', async () => {
  const session = server.createSession();
  const wrongCode = listener(session, { code: 'NOPE' });
  await expect(wrongCode.connect()).rejects.toMatchObject({ status: 404, code: 'unknown_join_code' });
  await expect(wrongCode.done).rejects.toBeInstanceOf(HandshakeRefusedError);

  const wrongLang = listener(session, { lang: 'eo' });
  await expect(wrongLang.connect()).rejects.toMatchObject({ status: 400, code: 'language_not_offered' });
});

test('reconnects after a dropped connection and keeps receiving', async () => {
  const session = server.createSession();
  const client = listener(session);
  await client.connect();
  for (const ws of session.listeners) ws.terminate();
  await client.waitFor((m) => m.type === 'welcome', 2000, { includePast: false });
  expect(client.reconnects).toBe(1);
  server.broadcast(session, caption(session, 1, 'adiós'));
  await expect(client.waitFor((m) => m.type === 'caption', 2000)).resolves.toMatchObject({ text: 'adiós' });
});

test('a session that ends while the listener is disconnected is treated as ended, not as an error', async () => {
  const session = server.createSession();
  const client = listener(session, { reconnect: { initialDelayMs: 100, jitter: 0 } });
  await client.connect();
  for (const ws of session.listeners) ws.terminate();
  session.ended = true; // ended without this listener hearing about it
  await expect(client.done).resolves.toBe('session-ended');
});

test('the async iterator yields messages until the session ends', async () => {
  const session = server.createSession();
  const client = listener(session);
  await client.connect();
  const collected: string[] = [];
  const iterating = (async () => {
    for await (const { message } of client.messages()) collected.push(message.type);
  })();
  server.broadcast(session, caption(session, 0, 'uno'));
  server.broadcast(session, caption(session, 1, 'dos'));
  server.endSession(session);
  await iterating;
  expect(collected).toEqual(['caption', 'caption', 'session-ended']);
});

test('waitFor times out with a TimeoutError', async () => {
  const session = server.createSession();
  const client = listener(session);
  await client.connect();
  await expect(client.waitFor((m) => m.type === 'audio', 30)).rejects.toMatchObject({ name: 'TimeoutError' });
});
