// The session glossary: given at creation, read and replaced by the session's speaker while the session is live,
// every version stored once and announced; bad entries, strangers, ended sessions and concurrent edits refused.
import { GlossaryChangedV1Schema, MAX_GLOSSARY_BODY_BYTES, SPEAKER_TOKEN_HEADER } from '@llt/events';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeEach, describe, expect, test } from 'vitest';
import { makeHttpHandler } from '#handlers/http';
import { httpEvent } from '../events.ts';
import { type FakeWorld, fakeWorld } from '../fakes.ts';

const ADA = '5f2a1c3e-0b7d-4e59-9a1b-1f0e2d3c4b5a';
const BOB = '0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70';
const NGUYEN = { term: 'Nguyen', spoken: 'win', targets: { es: 'Nguyen' } };
const KUBERNETES = { term: 'Kubernetes', spoken: 'koo ber net eez' };

let world: FakeWorld;

async function send(event: APIGatewayProxyEventV2) {
  const result = (await makeHttpHandler(world)(event)) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, body: JSON.parse(String(result.body ?? '{}')) };
}

function withSub<T extends APIGatewayProxyEventV2>(event: T, sub: string | undefined): T {
  if (sub) Object.assign(event.requestContext, { authorizer: { jwt: { claims: { sub }, scopes: null } } });
  return event;
}

async function create(glossary?: unknown, sub?: string) {
  const body = { sourceLanguage: 'en', targetLanguages: ['es', 'ca'], ...(glossary === undefined ? {} : { glossary }) };
  return send(withSub(httpEvent('POST', '/api/sessions', JSON.stringify(body)), sub));
}

async function created(glossary?: unknown, sub?: string): Promise<{ sessionId: string; speakerToken: string }> {
  const res = await create(glossary, sub);
  expect(res.status).toBe(201);
  return res.body;
}

function glossaryEvent(
  method: 'GET' | 'PUT',
  session: { sessionId: string },
  options: { token?: string; body?: string; contentType?: string; sub?: string; ifMatch?: string } = {},
) {
  const event = httpEvent(method, `/api/sessions/${session.sessionId}/glossary`, options.body);
  event.headers = {
    ...(options.token ? { [SPEAKER_TOKEN_HEADER]: options.token } : {}),
    ...(options.contentType ? { 'content-type': options.contentType } : {}),
    ...(options.ifMatch ? { 'if-match': options.ifMatch } : {}),
  };
  return withSub(event, options.sub);
}

const put = (session: { sessionId: string; speakerToken: string }, entries: unknown, extra: object = {}) =>
  send(
    glossaryEvent('PUT', session, {
      token: session.speakerToken,
      contentType: 'application/json',
      body: JSON.stringify({ entries, ...extra }),
    }),
  );

const get = (session: { sessionId: string; speakerToken: string }) =>
  send(glossaryEvent('GET', session, { token: session.speakerToken }));

const glossaryChanges = () =>
  world.events.events
    .filter((e) => e.detailType === 'GlossaryChanged')
    .map((e) => GlossaryChangedV1Schema.parse(e.detail));

beforeEach(() => {
  world = fakeWorld();
});

describe('creating a session with a glossary', () => {
  test('stores it as version 1 with the session and announces it after SessionStarted', async () => {
    const session = await created([NGUYEN, KUBERNETES]);
    expect(world.sessions.sessions.get(session.sessionId)?.glossaryVersion).toBe(1);
    expect(await get(session)).toEqual({
      status: 200,
      body: { sessionId: session.sessionId, version: 1, entries: [NGUYEN, KUBERNETES] },
    });
    expect(world.events.events.map((e) => e.detailType)).toEqual(['SessionStarted', 'GlossaryChanged']);
    expect(glossaryChanges()).toEqual([
      { v: 1, sessionId: session.sessionId, version: 1, entries: [NGUYEN, KUBERNETES], occurredAt: world.time.now },
    ]);
  });

  test('without one (or with an empty one) the session has version 0 and nothing is announced', async () => {
    for (const glossary of [undefined, []]) {
      const session = await created(glossary);
      expect(world.sessions.sessions.get(session.sessionId)?.glossaryVersion).toBeUndefined();
      expect((await get(session)).body).toEqual({ sessionId: session.sessionId, version: 0, entries: [] });
    }
    expect(glossaryChanges()).toEqual([]);
  });

  test('an invalid glossary is refused 400 naming each entry and field, and no session is stored', async () => {
    const res = await create([
      NGUYEN,
      { term: 'Zoë <script>', spoken: 'zo ee' },
      { term: 'nguyen' },
      { term: 'Kubernetes', targets: { es: 'x'.repeat(65) } },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_request');
    expect(res.body.message).toContain('entry 2: term "Zoë <script>" contains "<" ">"');
    expect(res.body.message).toContain('entry 3: term "nguyen" is given twice (entry 1 is "Nguyen")');
    expect(res.body.message).toContain('entry 4: target es: target form');
    expect(res.body.problems).toEqual([
      expect.objectContaining({ entry: 2 }),
      expect.objectContaining({ entry: 3 }),
      expect.objectContaining({ entry: 4, message: expect.stringContaining('(term "Kubernetes")') }),
    ]);
    expect(world.sessions.sessions.size).toBe(0);
    expect(world.events.events).toEqual([]);
  });

  test('a glossary that is not a list of entries is refused 400', async () => {
    const res = await create('Nguyen,win');
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/glossary/);
    const notEntry = await create(['Nguyen']);
    expect(notEntry.status).toBe(400);
    expect(notEntry.body.message).toContain('entry 1: an entry is an object with a "term"');
  });
});

describe('replacing the glossary', () => {
  test('JSON: stores the next version, moves the session to it and announces it', async () => {
    const session = await created([NGUYEN]);
    const res = await put(session, [NGUYEN, KUBERNETES]);
    expect(res).toEqual({
      status: 200,
      body: { sessionId: session.sessionId, version: 2, entries: [NGUYEN, KUBERNETES] },
    });
    expect(world.sessions.glossaries.get(`${session.sessionId}#1`)).toEqual([NGUYEN]);
    expect(world.sessions.glossaries.get(`${session.sessionId}#2`)).toEqual([NGUYEN, KUBERNETES]);
    expect(glossaryChanges().map((e) => e.version)).toEqual([1, 2]);
    expect((await get(session)).body.version).toBe(2);
  });

  test('a session created without a glossary gets version 1 from its first edit', async () => {
    const session = await created();
    expect((await put(session, [KUBERNETES])).body.version).toBe(1);
    expect(glossaryChanges()).toMatchObject([{ version: 1, entries: [KUBERNETES] }]);
  });

  test('CSV: read as a glossary file; its problems come back by line', async () => {
    const session = await created();
    const ok = await send(
      glossaryEvent('PUT', session, {
        token: session.speakerToken,
        contentType: 'text/csv; charset=utf-8',
        body: 'term,spoken,es\r\nNguyen,win,Nguyen\r\nKubernetes,koo ber net eez,\r\n',
      }),
    );
    expect(ok).toMatchObject({ status: 200, body: { version: 1, entries: [NGUYEN, KUBERNETES] } });

    const bad = await send(
      glossaryEvent('PUT', session, {
        token: session.speakerToken,
        contentType: 'text/csv',
        body: 'term,spoken,es\nNguyen,win,\n\nAda <3,,\nnguyen,,\n',
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^Invalid glossary file: line 4: term "Ada <3" contains "<"/);
    expect(bad.body.problems.map((p: { line: number }) => p.line)).toEqual([4, 5]);
    expect((await get(session)).body.version).toBe(1);
  });

  test('an empty list clears the glossary as a new version', async () => {
    const session = await created([NGUYEN]);
    expect((await put(session, [])).body).toMatchObject({ version: 2, entries: [] });
  });

  test('invalid entries are refused 400 and nothing is stored', async () => {
    const session = await created([NGUYEN]);
    const res = await put(session, [{ term: 'Ada', spoken: 'ay 2 da' }]);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('entry 1: spoken form "ay 2 da" contains "2"');
    expect(world.sessions.glossaries.size).toBe(1);
    expect(glossaryChanges()).toHaveLength(1);
  });

  test('a body that is not {"entries": [...]} is refused 400 saying what is expected', async () => {
    const session = await created();
    const res = await send(
      glossaryEvent('PUT', session, { token: session.speakerToken, body: JSON.stringify([NGUYEN]) }),
    );
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('{"entries": [');
  });

  test('an oversized body is refused 413', async () => {
    const session = await created();
    const res = await send(
      glossaryEvent('PUT', session, {
        token: session.speakerToken,
        contentType: 'text/csv',
        body: `term,spoken\n${'Nguyen,win\n'.repeat(MAX_GLOSSARY_BODY_BYTES / 10)}`,
      }),
    );
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('message_too_large');
  });
});

describe('who may read and replace it', () => {
  test('an unknown session is 404 unknown_session', async () => {
    const res = await put({ sessionId: 's_nosuchsession', speakerToken: 'x' }, [NGUYEN]);
    expect(res).toMatchObject({ status: 404, body: { code: 'unknown_session' } });
  });

  test('without the speaker token, or with another, it is 401 invalid_token', async () => {
    const session = await created([NGUYEN]);
    expect(await send(glossaryEvent('GET', session))).toMatchObject({ status: 401, body: { code: 'invalid_token' } });
    const other = await created();
    expect(await put({ ...session, speakerToken: other.speakerToken }, [])).toMatchObject({
      status: 401,
      body: { code: 'invalid_token' },
    });
    expect(glossaryChanges()).toHaveLength(1);
  });

  test('where speakers sign in, only the user who created the session: another is 403 not_speaker', async () => {
    world.settings.speakerAuth = 'cognito';
    const session = await created([NGUYEN], ADA);
    const body = JSON.stringify({ entries: [KUBERNETES] });
    const as = (sub: string | undefined) =>
      send(glossaryEvent('PUT', session, { token: session.speakerToken, body, sub }));
    expect(await as(BOB)).toMatchObject({ status: 403, body: { code: 'not_speaker' } });
    expect(await as(undefined)).toMatchObject({ status: 403, body: { code: 'not_speaker' } });
    expect(await as(ADA)).toMatchObject({ status: 200, body: { version: 2 } });
  });

  test('an ended session is 410 session_ended; an expired one 401 token_expired', async () => {
    const session = await created([NGUYEN]);
    await world.sessions.end(session.sessionId, 'speaker', world.time.now);
    expect(await put(session, [KUBERNETES])).toMatchObject({ status: 410, body: { code: 'session_ended' } });
    const later = await created();
    world.time.now += world.settings.sessionTtlMs;
    expect(await put(later, [KUBERNETES])).toMatchObject({ status: 401, body: { code: 'token_expired' } });
  });
});

describe('concurrent edits', () => {
  test('an edit made from an older version is 409 glossary_conflict (baseVersion or If-Match)', async () => {
    const session = await created([NGUYEN]);
    expect((await put(session, [KUBERNETES], { baseVersion: 1 })).body.version).toBe(2);
    const stale = await put(session, [NGUYEN], { baseVersion: 1 });
    expect(stale).toMatchObject({ status: 409, body: { code: 'glossary_conflict' } });
    expect(stale.body.message).toContain('version 2 holds now');
    const csv = await send(
      glossaryEvent('PUT', session, {
        token: session.speakerToken,
        contentType: 'text/csv',
        ifMatch: '"1"',
        body: 'term,spoken\nAda,\n',
      }),
    );
    expect(csv).toMatchObject({ status: 409, body: { code: 'glossary_conflict' } });
    expect((await get(session)).body).toMatchObject({ version: 2, entries: [KUBERNETES] });
  });

  test('of two edits racing from the same version, one wins and the other is 409; nothing is lost silently', async () => {
    const session = await created([NGUYEN]);
    let racing: ReturnType<typeof put> | undefined;
    // The second edit starts after the first stored its version and before the first moves the session to it.
    world.sessions.beforeGlossaryVersionSet = async () => {
      racing = put(session, [{ term: 'Ada' }]);
      await racing;
    };
    const first = await put(session, [KUBERNETES]);
    const second = await racing!;
    // The second took the next free version and was made current first; the first then finds version 1 gone.
    expect(second).toMatchObject({ status: 200, body: { version: 3 } });
    expect(first).toMatchObject({ status: 409, body: { code: 'glossary_conflict' } });
    expect((await get(session)).body).toMatchObject({ version: 3, entries: [{ term: 'Ada' }] });
    expect(glossaryChanges().map((e) => e.version)).toEqual([1, 3]);
  });

  test('a version left behind by an edit that failed halfway does not block later edits', async () => {
    const session = await created([NGUYEN]);
    await world.sessions.putGlossary(session.sessionId, 2, [{ term: 'Orphan' }]);
    expect((await put(session, [KUBERNETES])).body).toMatchObject({ version: 3, entries: [KUBERNETES] });
  });
});
