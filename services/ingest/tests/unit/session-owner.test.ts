// Under the `cognito` speaker scheme a session belongs to the signed-in user who created it: creation needs the
// JWT authorizer's claims, and only that user connects as its speaker (and so only that user can end it).
import { beforeEach, describe, expect, test } from 'vitest';
import { makeHttpHandler } from '#handlers/http';
import { makeWebSocketHandler } from '#handlers/websocket';
import { httpEvent, wsEvent } from '../events.ts';
import { type FakeWorld, fakeWorld } from '../fakes.ts';

const ADA = '5f2a1c3e-0b7d-4e59-9a1b-1f0e2d3c4b5a';
const BOB = '0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70';
const BODY = JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es'] });

let world: FakeWorld;

/** POST /api/sessions as the HTTP API hands it over after its JWT authorizer (claims as strings). */
function createAs(sub: string | undefined) {
  const event = httpEvent('POST', '/api/sessions', BODY);
  if (sub) {
    Object.assign(event.requestContext, {
      authorizer: { jwt: { claims: { sub, token_use: 'access', exp: '1800000000' }, scopes: ['openid'] } },
    });
  }
  return makeHttpHandler(world)(event);
}

/** $connect as a speaker, with the context the $connect authorizer gave (`sub` of the verified token). */
async function connectAs(sub: string | undefined, session: { sessionId: string; speakerToken: string }) {
  const event = wsEvent('$connect', `c-${sub ?? 'none'}`, {
    query: { role: 'speaker', sessionId: session.sessionId, token: session.speakerToken },
  });
  if (sub) Object.assign(event.requestContext, { authorizer: { role: 'speaker', sub, principalId: sub } });
  const result = (await makeWebSocketHandler(world)(event)) as { statusCode: number; body?: string };
  return { status: result.statusCode, ...(result.body ? JSON.parse(result.body) : {}) };
}

describe('cognito scheme', () => {
  beforeEach(() => {
    world = fakeWorld();
    world.settings.speakerAuth = 'cognito';
  });

  test('creating a session without a signed-in user is refused 401', async () => {
    const result = await createAs(undefined);
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body ?? '{}')).toMatchObject({ code: 'invalid_token' });
    expect(world.sessions.sessions.size).toBe(0);
  });

  test('the session records the user who created it', async () => {
    const result = await createAs(ADA);
    expect(result.statusCode).toBe(201);
    const { sessionId } = JSON.parse(result.body ?? '{}');
    expect(world.sessions.sessions.get(sessionId)?.ownerSub).toBe(ADA);
  });

  test('its owner connects as the speaker; another signed-in user with the token is refused 403', async () => {
    const session = JSON.parse((await createAs(ADA)).body ?? '{}');
    expect(await connectAs(BOB, session)).toMatchObject({ status: 403, code: 'not_speaker' });
    expect(await connectAs(undefined, session)).toMatchObject({ status: 403, code: 'not_speaker' });
    expect(await connectAs(ADA, session)).toEqual({ status: 200 });
  });
});

describe('session-token scheme', () => {
  beforeEach(() => {
    world = fakeWorld();
  });

  test('sessions are created without a user and have no owner; the token alone lets the speaker in', async () => {
    const result = await createAs(undefined);
    expect(result.statusCode).toBe(201);
    const session = JSON.parse(result.body ?? '{}');
    expect(world.sessions.sessions.get(session.sessionId)?.ownerSub).toBeUndefined();
    expect(await connectAs(undefined, session)).toEqual({ status: 200 });
  });
});
