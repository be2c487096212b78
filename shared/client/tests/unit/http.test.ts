// The HTTP API as the apps and the command line read it: requests on the wire, answers validated, the
// server's own words when it refuses, and what a session check concludes.
import type { CreatedSession } from '@llt/events';
import { describe, expect, test, vi } from 'vitest';
import { ApiError, ServerUnreachableError } from '../../src/errors.ts';
import { ApiClient } from '../../src/http.ts';

const session: CreatedSession = {
  sessionId: 'sess_0123456789',
  joinCode: 'K7M2QX',
  speakerToken: 'secret-token',
  sourceLanguage: 'en',
  targetLanguages: ['es', 'ca'],
  expiresAt: 2_000_000,
};

function respond(status: number, body: unknown) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status }));
}

describe('ApiClient', () => {
  test('creates a session and validates the answer', async () => {
    const fetch = respond(201, session);
    const api = new ApiClient({ fetch });
    await expect(api.createSession({ sourceLanguage: 'en', targetLanguages: ['es'] })).resolves.toEqual(session);
    expect(fetch).toHaveBeenCalledWith('/api/sessions', expect.objectContaining({ method: 'POST' }));
  });

  test("reports the server's own words when it refuses", async () => {
    const api = new ApiClient({
      fetch: respond(400, { type: 'error', code: 'unsupported_language', message: 'Galician (gl) is not available' }),
    });
    await expect(api.createSession({ sourceLanguage: 'en', targetLanguages: ['gl'] })).rejects.toEqual(
      new ApiError(400, 'unsupported_language', 'Galician (gl) is not available'),
    );
  });

  test("reads and saves the session's glossary with the speaker token (and the JWT where speakers sign in)", async () => {
    const entries = [{ term: 'Nguyen', spoken: 'win' }];
    const fetch = respond(200, { sessionId: session.sessionId, version: 2, entries });
    const api = new ApiClient({ fetch });
    await expect(api.glossary(session.sessionId, 'secret-token')).resolves.toEqual({
      sessionId: session.sessionId,
      version: 2,
      entries,
    });
    await api.saveGlossary(session.sessionId, 'secret-token', entries, { baseVersion: 1, accessToken: 'jwt' });
    expect(fetch).toHaveBeenLastCalledWith(
      `/api/sessions/${session.sessionId}/glossary`,
      expect.objectContaining({
        method: 'PUT',
        body: JSON.stringify({ entries, baseVersion: 1 }),
        headers: expect.objectContaining({ 'x-llt-speaker-token': 'secret-token', authorization: 'Bearer jwt' }),
      }),
    );
  });

  test('a refused glossary comes with its problems by entry', async () => {
    const problems = [{ entry: 2, message: 'term "a<b" contains "<"' }];
    const api = new ApiClient({
      fetch: respond(400, { type: 'error', code: 'invalid_request', message: 'Invalid glossary', problems }),
    });
    const error = await api.saveGlossary(session.sessionId, 't', []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).problems).toEqual(problems);
  });

  test('reads the languages on offer, and which targets are captions only', async () => {
    const api = new ApiClient({
      fetch: respond(200, {
        source: [{ code: 'en', name: 'English' }],
        target: [
          { code: 'es', name: 'Spanish', nativeName: 'Español', available: true, spoken: true },
          { code: 'oc', name: 'Occitan', nativeName: 'Occitan', available: true, spoken: false },
          { code: 'gl', name: 'Galician', nativeName: 'Galego', available: false, spoken: true },
        ],
      }),
    });
    await expect(api.languages()).resolves.toEqual({
      source: [{ code: 'en', name: 'English', nativeName: 'English', available: true, spoken: true }],
      target: [
        { code: 'es', name: 'Spanish', nativeName: 'Español', available: true, spoken: true },
        { code: 'oc', name: 'Occitan', nativeName: 'Occitan', available: true, spoken: false },
        { code: 'gl', name: 'Galician', nativeName: 'Galego', available: false, spoken: true },
      ],
    });
  });

  test('a catalog that does not say whether a target is spoken has a voice for every one', async () => {
    const api = new ApiClient({
      fetch: respond(200, { source: [{ code: 'en' }], target: [{ code: 'es', name: 'Spanish' }] }),
    });
    await expect(api.languages()).resolves.toMatchObject({ target: [{ code: 'es', spoken: true }] });
  });

  test('the session check tells a live session from one that is gone, a code that names none, a language not offered and a server that is down', async () => {
    const live = { sessionId: 'sess_0123456789', sourceLanguage: 'en', targetLanguages: ['es'] };
    await expect(new ApiClient({ fetch: respond(200, live) }).checkSession('K7M2QX')).resolves.toEqual({
      status: 'live',
    });
    await expect(new ApiClient({ fetch: respond(200, live) }).checkSession('K7M2QX', 'ca')).resolves.toMatchObject({
      status: 'refused',
      code: 'language_not_offered',
    });
    await expect(
      new ApiClient({ fetch: respond(410, { code: 'session_ended', message: 'Session has ended' }) }).checkSession(
        'K7M2QX',
      ),
    ).resolves.toEqual({ status: 'ended', reason: 'Session has ended' });
    const unknown = respond(404, { code: 'unknown_join_code', message: 'No session has the code K7M2QX' });
    await expect(new ApiClient({ fetch: unknown }).checkSession('K7M2QX', 'es')).resolves.toMatchObject({
      status: 'refused',
      code: 'unknown_join_code',
    });
    // The speaker's own session no longer resolving means it is over (it expired).
    await expect(new ApiClient({ fetch: unknown }).checkSession('K7M2QX')).resolves.toMatchObject({ status: 'ended' });
    const down = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(new ApiClient({ fetch: down }).checkSession('K7M2QX')).resolves.toMatchObject({
      status: 'unreachable',
    });
  });

  test('a server that cannot be reached is a ServerUnreachableError naming it and the call', async () => {
    const down = vi.fn(async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
    });
    await expect(new ApiClient({ fetch: down, base: 'http://127.0.0.1:9' }).joinCode('K7M2QX')).rejects.toEqual(
      new ServerUnreachableError(
        'Cannot reach http://127.0.0.1:9 (GET /api/join/K7M2QX): connect ECONNREFUSED 127.0.0.1:9',
      ),
    );
  });

  test('a server mounted under a path keeps it, and its WebSocket URL follows the scheme', async () => {
    const fetch = respond(200, { sessionId: 'sess_0123456789', sourceLanguage: 'en', targetLanguages: ['es'] });
    const api = new ApiClient({ fetch, base: 'https://api.example/prod' });
    await api.joinCode('K7M2QX');
    expect(fetch).toHaveBeenCalledWith('https://api.example/prod/api/join/K7M2QX', expect.anything());
    expect(api.webSocketUrl({ role: 'listener', code: 'K7M2QX', lang: 'es' })).toBe(
      'wss://api.example/prod/ws?role=listener&code=K7M2QX&lang=es',
    );
    expect(new ApiClient({ base: 'ws://127.0.0.1:8080' }).webSocketUrl({ role: 'speaker' })).toBe(
      'ws://127.0.0.1:8080/ws?role=speaker',
    );
  });

  test("reads the server's configuration, and does without it", async () => {
    await expect(
      new ApiClient({ fetch: respond(200, { listenerUrl: 'http://192.168.1.20:8080/' }) }).config(),
    ).resolves.toEqual({
      listenerUrl: 'http://192.168.1.20:8080/',
    });
    await expect(new ApiClient({ fetch: respond(404, {}) }).config()).resolves.toEqual({});
    await expect(new ApiClient({ fetch: respond(200, { listenerUrl: 'not a url' }) }).config()).resolves.toEqual({});
  });

  test('caption history asks for what follows the last caption seen', async () => {
    const fetch = respond(200, { sessionId: session.sessionId, language: 'es', captions: [] });
    await new ApiClient({ fetch, base: 'https://api.example/' }).captionHistory(session.sessionId, 'es', 4);
    expect(fetch).toHaveBeenCalledWith(
      'https://api.example/api/sessions/sess_0123456789/captions?lang=es&after=4',
      expect.anything(),
    );
  });
});
