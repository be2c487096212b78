// A new speaker connection with the session's token replaces the recorded one when that one is gone (its
// $disconnect was lost) or its client has been silent for more than 15 s; a live one keeps the session (409).
import { beforeEach, expect, test } from 'vitest';
import { SPEAKER_SILENCE_BEFORE_TAKEOVER_MS } from '#core/connections';
import { makeHttpHandler } from '#handlers/http';
import { makeWebSocketHandler } from '#handlers/websocket';
import { httpEvent, wsEvent } from '../events.ts';
import { type FakeWorld, fakeWorld } from '../fakes.ts';

let world: FakeWorld;
let ws: ReturnType<typeof makeWebSocketHandler>;
let session: { sessionId: string; speakerToken: string };

beforeEach(async () => {
  world = fakeWorld();
  ws = makeWebSocketHandler(world);
  const created = await makeHttpHandler(world)(
    httpEvent('POST', '/api/sessions', JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es'] })),
  );
  session = JSON.parse(created.body ?? '{}');
});

async function connectSpeaker(connectionId: string, token = session.speakerToken) {
  const result = (await ws(
    wsEvent('$connect', connectionId, { query: { role: 'speaker', sessionId: session.sessionId, token } }),
  )) as { statusCode: number; body?: string };
  return { status: result.statusCode, ...(result.body ? JSON.parse(result.body) : {}) };
}

const speakerOfSession = () => world.sessions.sessions.get(session.sessionId)?.speakerConnectionId;

test('the threshold is 15 s: three missed 5-second hellos', () => {
  expect(SPEAKER_SILENCE_BEFORE_TAKEOVER_MS).toBe(15_000);
});

test('a speaker connection whose client was active recently keeps the session: the newcomer gets 409', async () => {
  expect(await connectSpeaker('s1')).toEqual({ status: 200 });
  world.clients.lastActive.set('s1', world.time.now);
  world.time.now += SPEAKER_SILENCE_BEFORE_TAKEOVER_MS;
  expect(await connectSpeaker('s2')).toMatchObject({ status: 409, code: 'speaker_already_connected' });
  expect(world.clients.disconnected).toEqual([]);
  expect(speakerOfSession()).toBe('s1');
});

test('a speaker connection silent for more than 15 s is closed and replaced', async () => {
  expect(await connectSpeaker('s1')).toEqual({ status: 200 });
  world.clients.lastActive.set('s1', world.time.now);
  world.time.now += SPEAKER_SILENCE_BEFORE_TAKEOVER_MS + 1;
  expect(await connectSpeaker('s2')).toEqual({ status: 200 });
  expect(world.clients.disconnected).toEqual(['s1']);
  expect(speakerOfSession()).toBe('s2');
  expect(world.logs).toContainEqual({
    level: 'warn',
    message: 'speaker connection replaced another',
    extra: {
      sessionId: session.sessionId,
      connectionId: 's2',
      replaced: 's1',
      reason: 'silent',
      silentForMs: SPEAKER_SILENCE_BEFORE_TAKEOVER_MS + 1,
    },
  });
  expect(world.counts.get('SpeakerTakeovers.silent')).toBe(1);
});

test('a speaker connection that is gone is replaced without closing anything', async () => {
  expect(await connectSpeaker('s1')).toEqual({ status: 200 });
  world.clients.gone.add('s1');
  expect(await connectSpeaker('s2')).toEqual({ status: 200 });
  expect(world.clients.disconnected).toEqual([]);
  expect(speakerOfSession()).toBe('s2');
  expect(world.counts.get('SpeakerTakeovers.gone')).toBe(1);
});

test("the replaced connection's late $disconnect leaves the new speaker in place", async () => {
  await connectSpeaker('s1');
  world.clients.lastActive.set('s1', world.time.now - SPEAKER_SILENCE_BEFORE_TAKEOVER_MS - 1);
  expect(await connectSpeaker('s2')).toEqual({ status: 200 });
  await ws(wsEvent('$disconnect', 's1'));
  expect(speakerOfSession()).toBe('s2');
  expect(world.connections.connections.has('s1')).toBe(false);
  expect(world.connections.connections.get('s2')).toMatchObject({ role: 'speaker' });
});

test('a wrong token never takes over, however silent the speaker connection is', async () => {
  await connectSpeaker('s1');
  world.clients.gone.add('s1');
  expect(await connectSpeaker('s2', 'not-the-token')).toMatchObject({ status: 401, code: 'invalid_token' });
  expect(speakerOfSession()).toBe('s1');
});
