// Rate limits: failed join attempts per client IP (both join paths), and messages per connection.
import { encodeAudioFrame } from '@llt/events';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { makeHttpHandler } from '#handlers/http';
import { makeWebSocketHandler } from '#handlers/websocket';
import { frameEvent, httpEvent, pcm, wsEvent } from '../events.ts';
import { type FakeWorld, fakeWorld } from '../fakes.ts';

const T0 = 1_800_000_000_000; // a minute boundary (T0 % 60_000 === 0)
const ATTACKER = '203.0.113.9';
const OTHER = '198.51.100.20';

let world: FakeWorld;
let ws: ReturnType<typeof makeWebSocketHandler>;
let http: ReturnType<typeof makeHttpHandler>;
let session: { sessionId: string; joinCode: string; speakerToken: string };

beforeEach(async () => {
  world = fakeWorld();
  world.time.now = T0;
  ws = makeWebSocketHandler(world);
  http = makeHttpHandler(world);
  const res = await http(
    httpEvent('POST', '/api/sessions', JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es'] })),
  );
  session = JSON.parse(res.body ?? '{}');
});

const answer = (result: unknown) => {
  const r = result as { statusCode: number; body: string };
  return { status: r.statusCode, ...JSON.parse(r.body) };
};
const joinHttp = async (code: string, ip = ATTACKER) =>
  answer(await http(httpEvent('GET', `/api/join/${code}`, undefined, ip)));
const joinWs = async (id: string, code: string, ip = ATTACKER) =>
  ws(wsEvent('$connect', id, { query: { role: 'listener', code, lang: 'es' }, sourceIp: ip }));
const lookups = () => world.rateLimits.calls.length;

describe('failed join attempts per client IP', () => {
  test('20 unknown codes a minute are answered 404; the 21st attempt is refused 429 without a code lookup', async () => {
    for (let i = 0; i < 20; i++) expect((await joinHttp('ZZZZZZ')).code).toBe('unknown_join_code');
    world.time.now = T0 + 15_000;
    const calls = lookups();
    const codeLookups = vi.spyOn(world.sessions, 'sessionIdForJoinCode');
    expect(await joinHttp(session.joinCode)).toEqual({
      status: 429,
      type: 'error',
      code: 'rate_limited',
      message:
        'Too many failed join attempts from your address (20 a minute); try again in 45 s, after 2027-01-15T08:01:00.000Z',
      retryable: true,
    });
    // Only the counter was read: no attempt recorded, and the (valid) code never looked up.
    expect(world.rateLimits.calls.slice(calls)).toEqual([
      { op: 'attempts', kind: 'join', client: ATTACKER, windowStart: T0 },
    ]);
    expect(codeLookups).not.toHaveBeenCalled();
    expect(world.counts.get('RateLimited.join')).toBe(1);
  });

  test('listener $connect and GET /api/join count against the same IP, and a refused handshake is a 429', async () => {
    for (let i = 0; i < 10; i++) await joinHttp('ZZZZZZ');
    for (let i = 0; i < 10; i++) expect(answer(await joinWs(`bad-${i}`, 'not-a-code')).status).toBe(404);
    const refused = answer(await joinWs('listener-1', session.joinCode));
    expect(refused).toMatchObject({ status: 429, code: 'rate_limited', retryable: true });
    expect(world.connections.connections.has('listener-1')).toBe(false);
    expect(world.counts.get('RejectedConnections.rate_limited')).toBe(1);
  });

  test('other IPs, successful joins and speakers are not limited', async () => {
    for (let i = 0; i < 25; i++) await joinHttp('ZZZZZZ');
    expect((await joinHttp(session.joinCode, OTHER)).status).toBe(200);
    expect(await joinWs('listener-2', session.joinCode, OTHER)).toEqual({ statusCode: 200 });
    const speaker = await ws(
      wsEvent('$connect', 'speaker-1', {
        query: { role: 'speaker', sessionId: session.sessionId, token: session.speakerToken },
        sourceIp: ATTACKER,
      }),
    );
    expect(speaker).toEqual({ statusCode: 200 });
  });

  test('successful joins are not counted', async () => {
    for (let i = 0; i < 30; i++) expect((await joinHttp(session.joinCode)).status).toBe(200);
    expect(world.rateLimits.calls.filter((c) => c.op === 'record')).toEqual([]);
  });

  test('the count starts again in the next minute', async () => {
    for (let i = 0; i < 20; i++) await joinHttp('ZZZZZZ');
    world.time.now = T0 + 59_999;
    expect((await joinHttp(session.joinCode)).status).toBe(429);
    world.time.now = T0 + 60_000;
    expect((await joinHttp(session.joinCode)).status).toBe(200);
  });
});

describe('messages per connection', () => {
  let speakerAt: (seq: number, at: number) => Promise<unknown>;
  const errors = (connectionId: string) => world.clients.to(connectionId).filter((m) => m.type === 'error');

  beforeEach(async () => {
    await ws(
      wsEvent('$connect', 'speaker-1', {
        query: { role: 'speaker', sessionId: session.sessionId, token: session.speakerToken },
      }),
    );
    const frame = pcm(20);
    speakerAt = (seq, at) => ws(frameEvent('speaker-1', encodeAudioFrame(seq, at, frame), at));
  });

  test('a flood is cut after a burst of 200: the rest is dropped, with one retryable rate_limited a second', async () => {
    for (let seq = 0; seq < 1000; seq++) await speakerAt(seq, T0 + seq); // 1000 frames in one second
    // 200 (the burst) + 100/s refilled over the 999 ms.
    expect(world.audio.records.length).toBe(299);
    expect(errors('speaker-1')).toEqual([
      {
        type: 'error',
        code: 'rate_limited',
        message:
          'More than 100 messages a second on this connection: messages are being dropped, not stored; slow down and resend them',
        retryable: true,
      },
    ]);
    expect(world.counts.get('RateLimitedMessages')).toBe(701);
    // Flooding on through a second second: told once more, not once per dropped frame.
    for (let seq = 1000; seq < 2000; seq++) await speakerAt(seq, T0 + seq);
    expect(errors('speaker-1')).toHaveLength(2);
    expect(world.audio.records.length).toBe(399);
  });

  test('another connection of another session is not affected by a flood', async () => {
    const other = JSON.parse(
      (
        await http(
          httpEvent('POST', '/api/sessions', JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es'] })),
        )
      ).body ?? '{}',
    );
    await ws(
      wsEvent('$connect', 'speaker-2', {
        query: { role: 'speaker', sessionId: other.sessionId, token: other.speakerToken },
      }),
    );
    for (let seq = 0; seq < 500; seq++) await speakerAt(seq, T0);
    await ws(frameEvent('speaker-2', encodeAudioFrame(0, T0, pcm(20)), T0));
    await ws(wsEvent('hello', 'speaker-2', { body: '{"action":"hello"}', at: T0 }));
    expect(errors('speaker-2')).toEqual([]);
    expect(world.clients.to('speaker-2').map((m) => m.type)).toContain('welcome');
    expect(world.audio.records.filter((r) => r.sessionId === other.sessionId)).toHaveLength(1);
  });

  test('a speaker sending a frame every 100 ms (or every 20 ms) is never limited', async () => {
    for (let seq = 0; seq < 600; seq++) await speakerAt(seq, T0 + seq * 100);
    for (let seq = 600; seq < 3600; seq++) await speakerAt(seq, T0 + 60_000 + (seq - 600) * 20);
    expect(errors('speaker-1')).toEqual([]);
    expect(world.audio.records.length).toBe(3600);
  });
});
