// Keeping the session across reloads, the links the page shows, and the HTTP API as the page reads it.
import type { CreatedSession } from '@llt/events';
import { describe, expect, test, vi } from 'vitest';
import { Api, ApiError } from '../../src/lib/api.ts';
import { listenerLink, speakerSocketUrl } from '../../src/lib/links.ts';
import { forgetSession, loadSession, saveSession } from '../../src/lib/session-store.ts';

const session: CreatedSession = {
  sessionId: 'sess_0123456789',
  joinCode: 'K7M2QX',
  speakerToken: 'secret-token',
  sourceLanguage: 'en',
  targetLanguages: ['es', 'ca'],
  expiresAt: 2_000_000,
};

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

describe('session store', () => {
  test('a saved session is loaded back until it expires', () => {
    const storage = new MemoryStorage();
    saveSession(storage, session);
    expect(loadSession(storage, 1_000_000)).toEqual(session);
    expect(loadSession(storage, 2_000_000)).toBeUndefined();
    expect(storage.length).toBe(0);
  });

  test('unreadable or forgotten sessions load as none', () => {
    const storage = new MemoryStorage();
    storage.setItem('llt.speaker.session', '{"sessionId": 3');
    expect(loadSession(storage, 0)).toBeUndefined();
    saveSession(storage, session);
    forgetSession(storage);
    expect(loadSession(storage, 0)).toBeUndefined();
    expect(loadSession(undefined, 0)).toBeUndefined();
  });
});

describe('links', () => {
  test('the listener link is the listener app with the code', () => {
    expect(listenerLink('https://talk.example/', 'K7M2QX')).toBe('https://talk.example/?code=K7M2QX');
    expect(listenerLink('http://192.168.1.20:8080', 'K7M2QX')).toBe('http://192.168.1.20:8080/?code=K7M2QX');
  });

  test('the speaker socket follows the page scheme unless configured', () => {
    expect(speakerSocketUrl({ protocol: 'https:', host: 'talk.example' }, session)).toBe(
      'wss://talk.example/ws?role=speaker&sessionId=sess_0123456789&token=secret-token',
    );
    expect(speakerSocketUrl({ protocol: 'http:', host: '127.0.0.1:5181' }, session, 'wss://api.example/prod/')).toBe(
      'wss://api.example/prod?role=speaker&sessionId=sess_0123456789&token=secret-token',
    );
  });
});

function respond(status: number, body: unknown) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status }));
}

describe('Api', () => {
  test('creates a session and validates the answer', async () => {
    const fetch = respond(201, session);
    const api = new Api({ fetch });
    await expect(api.createSession({ sourceLanguage: 'en', targetLanguages: ['es'] })).resolves.toEqual(session);
    expect(fetch).toHaveBeenCalledWith('/api/sessions', expect.objectContaining({ method: 'POST' }));
  });

  test("reports the server's own words when it refuses", async () => {
    const api = new Api({
      fetch: respond(400, { type: 'error', code: 'unsupported_language', message: 'Galician (gl) is not available' }),
    });
    await expect(api.createSession({ sourceLanguage: 'en', targetLanguages: ['gl'] })).rejects.toEqual(
      new ApiError(400, 'unsupported_language', 'Galician (gl) is not available'),
    );
  });

  test('reads the languages on offer', async () => {
    const api = new Api({
      fetch: respond(200, {
        source: [{ code: 'en', name: 'English' }],
        target: [{ code: 'es', name: 'Spanish', nativeName: 'Español', available: true }],
      }),
    });
    await expect(api.languages()).resolves.toEqual({
      source: [{ code: 'en', name: 'English' }],
      target: [{ code: 'es', name: 'Spanish', nativeName: 'Español', available: true }],
    });
  });

  test('the probe tells a live session from one that is gone and from a server that is down', async () => {
    await expect(new Api({ fetch: respond(200, { sessionId: 'x' }) }).probe('K7M2QX')).resolves.toEqual({
      status: 'live',
    });
    await expect(
      new Api({ fetch: respond(410, { code: 'session_ended', message: 'Session has ended' }) }).probe('K7M2QX'),
    ).resolves.toEqual({ status: 'gone', message: 'Session has ended' });
    const down = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(new Api({ fetch: down }).probe('K7M2QX')).resolves.toMatchObject({ status: 'unreachable' });
  });

  test("reads the server's configuration, and does without it", async () => {
    await expect(
      new Api({ fetch: respond(200, { listenerUrl: 'http://192.168.1.20:8080/' }) }).config(),
    ).resolves.toEqual({
      listenerUrl: 'http://192.168.1.20:8080/',
    });
    await expect(new Api({ fetch: respond(404, {}) }).config()).resolves.toEqual({});
    await expect(new Api({ fetch: respond(200, { listenerUrl: 'not a url' }) }).config()).resolves.toEqual({});
  });

  test('caption history asks for what follows the last caption seen', async () => {
    const fetch = respond(200, { sessionId: session.sessionId, language: 'es', captions: [] });
    await new Api({ fetch, base: 'https://api.example/' }).captionHistory(session.sessionId, 'es', 4);
    expect(fetch).toHaveBeenCalledWith(
      'https://api.example/api/sessions/sess_0123456789/captions?lang=es&after=4',
      expect.anything(),
    );
  });
});
