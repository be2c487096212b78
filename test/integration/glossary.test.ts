// The session glossary through the local system as deployed with signed-in speakers: created with the session,
// read and replaced over the HTTP API (JSON and CSV) behind the JWT authorizer, stored in the sessions table in
// the layout the other services read, announced on the bus; bad input, strangers, unknown and ended sessions and
// concurrent edits refused.
import { SpeakerClient } from '@llt/cli';
import { GlossaryChangedV1Schema, SPEAKER_TOKEN_HEADER } from '@llt/events';
import { dynamoDocumentClient, endpointsFromEnv, getSessionGlossary, RESOURCE_ENV } from '@llt/platform';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type EventTap, tapEvents } from '../support/bus-events.ts';
import { startTestSystem } from '../support/system.ts';

let system: Awaited<ReturnType<typeof startTestSystem>>;
let bus: EventTap;
let ada: string;
let bob: string;

const NGUYEN = { term: 'Nguyen', spoken: 'win', targets: { es: 'Nguyen' } };
const KUBERNETES = { term: 'Kubernetes', spoken: 'koo ber net eez' };

beforeAll(async () => {
  system = await startTestSystem({
    services: [],
    targetLanguages: ['es', 'ca'],
    speakerAuth: 'cognito',
    users: [
      { username: 'ada', password: 'a-pass' },
      { username: 'bob', password: 'b-pass' },
    ],
  });
  bus = await tapEvents(system.url);
  ada = (await system.userPool!.issueTokens('ada')).access_token;
  bob = (await system.userPool!.issueTokens('bob')).access_token;
}, 60_000);

afterAll(async () => {
  bus?.close();
  await system?.stop();
});

interface Session {
  sessionId: string;
  speakerToken: string;
}

async function createSession(glossary?: unknown): Promise<Response> {
  return fetch(`${system.url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ada}` },
    body: JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es', 'ca'], glossary }),
  });
}

async function created(glossary?: unknown): Promise<Session> {
  const res = await createSession(glossary);
  expect(res.status).toBe(201);
  return (await res.json()) as Session;
}

function glossaryRequest(
  session: Session,
  init: { method?: 'GET' | 'PUT'; jwt?: string | null; token?: string | null; type?: string; body?: string } = {},
) {
  const jwt = init.jwt === undefined ? ada : init.jwt;
  const token = init.token === undefined ? session.speakerToken : init.token;
  return fetch(`${system.url}/api/sessions/${session.sessionId}/glossary`, {
    method: init.method ?? 'GET',
    headers: {
      ...(jwt ? { authorization: `Bearer ${jwt}` } : {}),
      ...(token ? { [SPEAKER_TOKEN_HEADER]: token } : {}),
      ...(init.type ? { 'content-type': init.type } : {}),
    },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
}

const putJson = (session: Session, body: unknown, jwt?: string) =>
  glossaryRequest(session, { method: 'PUT', type: 'application/json', body: JSON.stringify(body), jwt });

async function answer(res: Response) {
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function glossaryChanged(sessionId: string, version: number) {
  return bus.waitFor(
    (e) => e.detailType === 'GlossaryChanged' && e.detail.sessionId === sessionId && e.detail.version === version,
    5_000,
  );
}

describe('a session created with a glossary', () => {
  test('stores version 1 where the other services read it, and announces it on the bus', async () => {
    const session = await created([NGUYEN, KUBERNETES]);
    expect(await answer(await glossaryRequest(session))).toEqual({
      status: 200,
      body: { sessionId: session.sessionId, version: 1, entries: [NGUYEN, KUBERNETES] },
    });
    const db = dynamoDocumentClient(endpointsFromEnv(system.env));
    const table = system.env[RESOURCE_ENV.sessionsTable]!;
    expect(await getSessionGlossary(db, table, session.sessionId)).toEqual({
      version: 1,
      entries: [NGUYEN, KUBERNETES],
    });
    const event = await glossaryChanged(session.sessionId, 1);
    expect(event.source).toBe('llt.ingest');
    expect(GlossaryChangedV1Schema.parse(event.detail).entries).toEqual([NGUYEN, KUBERNETES]);
  });

  test('an invalid glossary is 400 naming the entry and field, and no session is created', async () => {
    const res = await answer(await createSession([NGUYEN, { term: 'Ada', spoken: 'ay 2 da' }]));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_request');
    expect(res.body.message).toContain('entry 2: spoken form "ay 2 da" contains "2"');
    expect(res.body.problems).toEqual([{ entry: 2, message: expect.stringContaining('(term "Ada")') }]);
  });
});

describe('replacing the glossary while the session is live', () => {
  test('JSON, then CSV: each stored as the next version and announced after it is stored', async () => {
    const session = await created([NGUYEN]);
    const json = await answer(await putJson(session, { entries: [NGUYEN, KUBERNETES], baseVersion: 1 }));
    expect(json).toEqual({
      status: 200,
      body: { sessionId: session.sessionId, version: 2, entries: [NGUYEN, KUBERNETES] },
    });
    const event = await glossaryChanged(session.sessionId, 2);
    expect(event.detail.entries).toEqual([NGUYEN, KUBERNETES]);

    const csv = await answer(
      await glossaryRequest(session, {
        method: 'PUT',
        type: 'text/csv',
        body: 'term,spoken,ca\r\nKubernetes,koo ber net eez,\r\n"SVOX Pico",,SVOX Pico\r\n',
      }),
    );
    expect(csv).toMatchObject({
      status: 200,
      body: { version: 3, entries: [KUBERNETES, { term: 'SVOX Pico', targets: { ca: 'SVOX Pico' } }] },
    });
    await glossaryChanged(session.sessionId, 3);
    expect((await answer(await glossaryRequest(session))).body.version).toBe(3);
  });

  test('a bad CSV file is 400 with its problems by line; nothing changes', async () => {
    const session = await created([NGUYEN]);
    const res = await answer(
      await glossaryRequest(session, {
        method: 'PUT',
        type: 'text/csv',
        body: 'term,spoken,es\nNguyen,win,\nAda <3,,\nnguyen,,\n',
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^Invalid glossary file: line 3: term "Ada <3"/);
    expect((res.body.problems as { line: number }[]).map((p) => p.line)).toEqual([3, 4]);
    expect((await answer(await glossaryRequest(session))).body.version).toBe(1);
  });

  test('an edit from an older version is 409 glossary_conflict', async () => {
    const session = await created([NGUYEN]);
    expect((await putJson(session, { entries: [KUBERNETES], baseVersion: 1 })).status).toBe(200);
    const stale = await answer(await putJson(session, { entries: [NGUYEN], baseVersion: 1 }));
    expect(stale).toMatchObject({ status: 409, body: { code: 'glossary_conflict' } });
    expect((await answer(await glossaryRequest(session))).body).toMatchObject({ version: 2, entries: [KUBERNETES] });
  });

  test('of concurrent edits from the same version exactly one is stored; the others are 409', async () => {
    const session = await created([NGUYEN]);
    const results = await Promise.all(
      ['Ada', 'Bea', 'Cy', 'Di'].map(async (term) =>
        answer(await putJson(session, { entries: [{ term }], baseVersion: 1 })),
      ),
    );
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(3);
    expect((await answer(await glossaryRequest(session))).body).toMatchObject({
      version: won[0]!.body.version,
      entries: won[0]!.body.entries,
    });
  });

  test('an oversized body is refused 413', async () => {
    const session = await created();
    const res = await glossaryRequest(session, {
      method: 'PUT',
      type: 'text/csv',
      body: `term,spoken\n${'Nguyen,win\n'.repeat(8_000)}`,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe('message_too_large');
  });
});

describe('only the session speaker', () => {
  test('an unknown session is 404 unknown_session', async () => {
    const res = await answer(await putJson({ sessionId: 's_nosuchsession00', speakerToken: 'x' }, { entries: [] }));
    expect(res).toMatchObject({ status: 404, body: { code: 'unknown_session' } });
  });

  test('without a signed-in speaker the JWT authorizer refuses 401; without the speaker token 401', async () => {
    const session = await created([NGUYEN]);
    expect((await putJson(session, { entries: [] }, '')).status).toBe(401);
    expect((await glossaryRequest(session, { jwt: null })).status).toBe(401);
    const noToken = await answer(await glossaryRequest(session, { token: null }));
    expect(noToken).toMatchObject({ status: 401, body: { code: 'invalid_token' } });
  });

  test('another signed-in speaker, even with the speaker token, is 403 not_speaker', async () => {
    const session = await created([NGUYEN]);
    expect(await answer(await putJson(session, { entries: [KUBERNETES] }, bob))).toMatchObject({
      status: 403,
      body: { code: 'not_speaker' },
    });
    expect((await glossaryRequest(session, { jwt: bob })).status).toBe(403);
    expect((await answer(await glossaryRequest(session))).body.version).toBe(1);
  });

  test('an ended session is 410 session_ended', async () => {
    const session = await created([NGUYEN]);
    const speaker = new SpeakerClient({
      server: system.url,
      sessionId: session.sessionId,
      token: session.speakerToken,
      speakerJwt: () => ada,
    });
    await speaker.connect();
    await speaker.end();
    await speaker.close();
    expect(await answer(await putJson(session, { entries: [KUBERNETES] }))).toMatchObject({
      status: 410,
      body: { code: 'session_ended' },
    });
  });
});
