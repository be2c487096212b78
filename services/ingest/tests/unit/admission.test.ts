// Admission by measured capacity: a live session is admitted only while the recognition workers' reports have room;
// otherwise creation and the speaker's handshake are refused with `at_capacity` and nothing is started.
import type { CapacityReport } from '@llt/events';
import { beforeEach, describe, expect, test } from 'vitest';
import { admitSession, capacityLimit, capacityStatus, releaseAdmission } from '#core/admission';
import { makeHttpHandler } from '#handlers/http';
import { makeWebSocketHandler } from '#handlers/websocket';
import { httpEvent, wsEvent } from '../events.ts';
import { type FakeWorld, fakeWorld } from '../fakes.ts';

const BODY = JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es'] });

let world: FakeWorld;

function report(sessions: number, extra: Partial<CapacityReport> = {}): CapacityReport {
  return { workerId: 'w1', basis: 'measured', sessions, live: 0, updatedAt: world.time.now, ...extra };
}

async function create() {
  const res = await makeHttpHandler(world)(httpEvent('POST', '/api/sessions', BODY));
  return { status: res.statusCode, headers: res.headers ?? {}, body: JSON.parse(res.body ?? '{}') };
}

async function connectSpeaker(session: { sessionId: string; speakerToken: string }, connectionId = 'c-speaker') {
  const res = (await makeWebSocketHandler(world)(
    wsEvent('$connect', connectionId, {
      query: { role: 'speaker', sessionId: session.sessionId, token: session.speakerToken },
    }),
  )) as { statusCode: number; body?: string };
  return { status: res.statusCode, ...(res.body ? JSON.parse(res.body) : {}) };
}

beforeEach(() => {
  world = fakeWorld();
});

describe('creating a session', () => {
  test('is admitted while the reports have room, then refused with at_capacity, a retry hint and nothing stored', async () => {
    world.admissions.reports = [report(2)];
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(201);
    const refused = await create();
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ type: 'error', code: 'at_capacity', retryAfterMs: 30_000 });
    expect(refused.body.message).toMatch(/keeps 2 live sessions in real time/);
    expect(refused.headers['retry-after']).toBe('30');
    expect(world.sessions.sessions.size).toBe(2);
    expect(world.events.events.filter((e) => e.detailType === 'SessionStarted')).toHaveLength(2);
    expect(world.counts.get('SessionsRefusedAtCapacity')).toBe(1);
  });

  test("the refusal names the worker's reason when it gave one (a cost still being measured)", async () => {
    world.admissions.reports = [
      report(1, { live: 1, limitedBy: 'measuring what a session costs (2 of 5 periods of speech)' }),
    ];
    expect((await create()).status).toBe(201);
    const refused = await create();
    expect(refused.status).toBe(503);
    expect(refused.body.message).toBe(
      'This server is at capacity: its speech recognition keeps 1 live session in real time and one is live. ' +
        'Limited by: measuring what a session costs (2 of 5 periods of speech). Try again in 30 s.',
    );
  });

  test('a place frees when its session ends, or when it was never used for the whole hold', async () => {
    world.admissions.reports = [report(1)];
    const first = (await create()).body;
    expect((await create()).status).toBe(503);
    await releaseAdmission(world, first.sessionId);
    expect((await create()).status).toBe(201);
    world.time.now += 60_001;
    world.admissions.reports = [report(1)];
    expect((await create()).status).toBe(201);
  });

  test('two admissions racing for the last place: one wins, the other is refused', async () => {
    world.admissions.reports = [report(1)];
    world.admissions.beforeWrite = () => admitSession(world, 's_other00000000');
    await expect(admitSession(world, 's_mine000000000')).rejects.toMatchObject({ code: 'at_capacity' });
    expect(Object.keys(world.admissions.admitted.held)).toEqual(['s_other00000000']);
  });
});

describe('the speaker connecting', () => {
  test('keeps the place its session was created with, even when the reports are full', async () => {
    world.admissions.reports = [report(1)];
    const session = (await create()).body;
    expect((await connectSpeaker(session)).status).toBe(200);
  });

  test('a session whose place lapsed is refused at_capacity at connect when the recognisers are full', async () => {
    world.admissions.reports = [report(1)];
    const session = (await create()).body;
    world.time.now += 60_001;
    world.admissions.reports = [report(1)];
    await admitSession(world, 's_taker00000000');
    const refused = await connectSpeaker(session);
    expect(refused).toMatchObject({ status: 503, code: 'at_capacity', retryAfterMs: 30_000 });
    expect(world.connections.connections.size).toBe(0);
    expect(world.sessions.sessions.get(session.sessionId)?.speakerConnectionId).toBeUndefined();
  });

  test('a speaker who disconnects keeps the place for the reconnect grace only', async () => {
    world.admissions.reports = [report(1)];
    const session = (await create()).body;
    await connectSpeaker(session);
    await makeWebSocketHandler(world)(wsEvent('$disconnect', 'c-speaker'));
    expect(world.admissions.admitted.held[session.sessionId]).toBe(world.time.now + 30_000);
    world.time.now += 30_001;
    world.admissions.reports = [report(1)];
    expect((await create()).status).toBe(201);
  });

  test('ending the session gives the place back', async () => {
    world.admissions.reports = [report(1)];
    const session = (await create()).body;
    await connectSpeaker(session);
    await makeWebSocketHandler(world)(wsEvent('$default', 'c-speaker', { body: JSON.stringify({ action: 'end' }) }));
    expect(world.admissions.admitted.held).toEqual({});
  });
});

describe('capacity', () => {
  test('measured workers add up; a quota is the deployment’s and counts once', () => {
    world.admissions.reports = [];
    const q = (n: number, workerId: string): CapacityReport => ({ ...report(n), basis: 'quota', workerId });
    expect(capacityLimit([report(3), { ...report(2), workerId: 'w2' }], 4)).toBe(5);
    expect(capacityLimit([q(25, 'a'), q(25, 'b')], 4)).toBe(25);
    expect(capacityLimit([], 4)).toBe(4);
  });

  test('GET /api/capacity says whether a new session would be admitted and whether a session holds its place', async () => {
    world.admissions.reports = [report(1)];
    const session = (await create()).body;
    const res = await makeHttpHandler(world)({
      ...httpEvent('GET', '/api/capacity'),
      queryStringParameters: { sessionId: session.sessionId },
    });
    expect(JSON.parse(res.body ?? '')).toEqual({
      admitting: false,
      admitted: 1,
      limit: 1,
      holds: true,
      retryAfterMs: 30_000,
    });
    expect(await capacityStatus(world)).toMatchObject({ admitting: false });
  });

  test('LLT_ADMISSION=off admits every session', async () => {
    world.settings.admission.mode = 'off';
    world.admissions.reports = [report(0)];
    expect((await create()).status).toBe(201);
  });
});
